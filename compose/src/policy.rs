//! What the fused artifact may import, and which stray imports the composer answers
//! itself.

/// The interfaces of the `wasi:http/proxy` world's imports, without versions.
///
/// A test checks this list against the vendored `wit/deps/http@*/proxy.wit`, so it cannot
/// drift from the WIT it stands for.
pub const PROXY_IMPORTS: &[&str] = &[
    "wasi:cli/stderr",
    "wasi:cli/stdin",
    "wasi:cli/stdout",
    "wasi:clocks/monotonic-clock",
    "wasi:clocks/wall-clock",
    "wasi:http/outgoing-handler",
    "wasi:http/types",
    "wasi:io/error",
    "wasi:io/poll",
    "wasi:io/streams",
    "wasi:random/random",
];

/// Runtime configuration, which the auth component reads its key from. Spin, wasmCloud
/// and `wasmtime serve -Sconfig` provide it alongside the proxy world.
pub const CONFIG_STORE: &str = "wasi:config/store";

/// The `wasi:cli` interfaces that Rust std links but the proxy world lacks. The composer
/// wires every component's imports of these to the `cli-virt` component.
pub const STRAY_CLI: &[&str] = &[
    "wasi:cli/environment",
    "wasi:cli/exit",
    "wasi:cli/terminal-input",
    "wasi:cli/terminal-output",
    "wasi:cli/terminal-stdin",
    "wasi:cli/terminal-stdout",
    "wasi:cli/terminal-stderr",
];

/// `name` without its `@version` suffix.
pub fn unversioned(name: &str) -> &str {
    name.split_once('@').map_or(name, |(base, _)| base)
}

/// The `@version` suffix of `name`, if any.
pub fn version(name: &str) -> Option<&str> {
    name.split_once('@').map(|(_, v)| v)
}

/// Whether the fused artifact may import `name`: an interface of the proxy world or the
/// config store, at a WASI 0.2 version.
pub fn artifact_may_import(name: &str) -> bool {
    let base = unversioned(name);
    let known = PROXY_IMPORTS.contains(&base) || base == CONFIG_STORE;
    known && version(name).is_some_and(|v| v.starts_with("0.2."))
}

/// Whether `name` is one of Rust std's stray `wasi:cli` imports.
pub fn is_stray_cli(name: &str) -> bool {
    STRAY_CLI.contains(&unversioned(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_proxy_and_config_at_wasi_0_2() {
        assert!(artifact_may_import("wasi:http/types@0.2.4"));
        assert!(artifact_may_import("wasi:io/streams@0.2.6"));
        assert!(artifact_may_import("wasi:config/store@0.2.0-rc.1"));
    }

    #[test]
    fn refuses_everything_else() {
        assert!(!artifact_may_import("wasi:filesystem/types@0.2.6"));
        assert!(!artifact_may_import("wasi:sockets/tcp@0.2.6"));
        assert!(!artifact_may_import("wasi:cli/environment@0.2.6"));
        assert!(!artifact_may_import("wasi:http/types@0.3.0"));
        assert!(!artifact_may_import("wasi:http/types"));
        assert!(!artifact_may_import("fusebox:logger/log@0.1.0"));
    }

    #[test]
    fn splits_names() {
        assert_eq!(unversioned("wasi:cli/exit@0.2.6"), "wasi:cli/exit");
        assert_eq!(version("wasi:cli/exit@0.2.6"), Some("0.2.6"));
        assert_eq!(unversioned("plain"), "plain");
        assert!(is_stray_cli("wasi:cli/terminal-stdout@0.2.0"));
        assert!(!is_stray_cli("wasi:cli/stdout@0.2.0"));
    }
}
