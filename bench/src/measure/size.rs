//! Size: every component and the fused artifact, with and without each profile setting,
//! and each variant's speed.

use super::{Bench, artifact, breakdown};
use crate::results::{ComponentSizes, FusedVariant, Size, SizeVariant};
use anyhow::bail;
use fusebox_bench::root;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// One way of building the components, and what it changes.
struct Variant {
    name: &'static str,
    profile: &'static str,
    overrides: &'static [&'static str],
}

/// fusebox's own `[profile.component]`: the baseline of the others.
const COMPONENT_PROFILE: Variant = Variant {
    name: "`component` profile (all settings)",
    profile: "component",
    overrides: &[],
};

/// One setting at a time changed (the smallest code, the release default, the hot crates
/// like the rest), then plain `release` last.
const OTHERS: &[Variant] = &[
    Variant {
        name: "… but `opt-level = \"z\"` instead of `\"s\"`",
        profile: "component",
        overrides: &["profile.component.opt-level=\"z\""],
    },
    Variant {
        name: "… but `opt-level = 3` instead of `\"s\"`",
        profile: "component",
        overrides: &["profile.component.opt-level=3"],
    },
    Variant {
        name: "… but `opt-level = \"s\"` for the hot crates too (sha2, hmac, serde_json)",
        profile: "component",
        overrides: &[
            "profile.component.package.sha2.opt-level=\"s\"",
            "profile.component.package.hmac.opt-level=\"s\"",
            "profile.component.package.serde_json.opt-level=\"s\"",
        ],
    },
    Variant {
        name: "… but `lto = false`",
        profile: "component",
        overrides: &["profile.component.lto=false"],
    },
    Variant {
        name: "… but `codegen-units = 16`",
        profile: "component",
        overrides: &["profile.component.codegen-units=16"],
    },
    Variant {
        name: "… but `strip = false`",
        profile: "component",
        overrides: &["profile.component.strip=false"],
    },
    Variant {
        name: "plain `release` profile",
        profile: "release",
        overrides: &[],
    },
];

/// Authenticated `POST /v1/add` requests timed per variant.
const SPEED_REQUESTS: usize = 5_000;

/// Build every variant cold. Returns the sizes, and the cold build time of the real
/// profile (the tooling section reports it).
pub fn measure(bench: &Bench) -> anyhow::Result<(Size, Duration)> {
    // Quick: the real profile and plain release, and only the calculator.
    let (others, crates): (&[Variant], &[&str]) = match bench.quick {
        true => (&OTHERS[OTHERS.len() - 1..], &["calculator"]),
        false => (
            OTHERS,
            &["logger", "calculator", "auth", "http-handler", "cli-virt"],
        ),
    };
    let (component_profile, cold_build) = build(bench, 0, &COMPONENT_PROFILE, crates)?;
    let variants = others
        .iter()
        .enumerate()
        .map(|(i, variant)| Ok(build(bench, i + 1, variant, crates)?.0))
        .collect::<anyhow::Result<_>>()?;
    let size = Size {
        component_profile,
        variants,
        artifact_bytes: std::fs::metadata(artifact())?.len(),
    };
    Ok((size, cold_build))
}

/// Build `crates` with `variant` in a target directory of its own (the `index`th),
/// and, in a full run, fuse them and time the result.
fn build(
    bench: &Bench,
    index: usize,
    variant: &Variant,
    crates: &[&str],
) -> anyhow::Result<(SizeVariant, Duration)> {
    let dir = root().join(format!("target/bench-size/{index}"));
    let _ = std::fs::remove_dir_all(&dir);
    let mut cargo = Command::new("cargo");
    cargo
        .args(["build", "--quiet", "--target", "wasm32-wasip2", "--profile"])
        .arg(variant.profile)
        .arg("--target-dir")
        .arg(&dir);
    for o in variant.overrides {
        cargo.args(["--config", o]);
    }
    for c in crates {
        cargo.args(["-p", c]);
    }
    eprintln!("bench: building {} ({})", crates.join(", "), variant.name);
    let started = Instant::now();
    let status = cargo.status()?;
    let took = started.elapsed();
    if !status.success() {
        bail!("building {} failed", variant.name);
    }
    let out = dir.join("wasm32-wasip2").join(variant.profile);
    let fused = match bench.quick {
        true => None,
        false => Some(fuse(bench, &out, variant)?),
    };
    let measured = SizeVariant {
        name: variant.name.to_owned(),
        profile: variant.profile.to_owned(),
        overrides: variant.overrides.iter().map(|&o| o.to_owned()).collect(),
        components: component_sizes(&out),
        fused,
    };
    Ok((measured, took))
}

/// The size of each component built into `out`.
fn component_sizes(out: &Path) -> ComponentSizes {
    let bytes = |krate: &str| {
        std::fs::metadata(fusebox_compose::crate_file(out, krate))
            .ok()
            .map(|m| m.len())
    };
    ComponentSizes {
        logger_bytes: bytes("logger"),
        calculator_bytes: bytes("calculator"),
        auth_bytes: bytes("auth"),
        http_handler_bytes: bytes("http-handler"),
    }
}

/// Fuse `fusebox.toml`'s components as built into `out`, and time the artifact's
/// authenticated `/v1/add`.
fn fuse(bench: &Bench, out: &Path, variant: &Variant) -> anyhow::Result<FusedVariant> {
    let manifest = fusebox_compose::Manifest::from_file(&root().join("fusebox.toml"))?;
    let inputs =
        fusebox_compose::read_inputs(&manifest, out, &root().join(fusebox_compose::OCI_STORE_DIR))?;
    let fused = fusebox_compose::compose(&manifest, &inputs)?;
    let add = breakdown::add_in_process(bench, &fused.bytes, SPEED_REQUESTS)?;
    eprintln!("bench: {}: /v1/add {add:?}", variant.name);
    Ok(FusedVariant {
        bytes: fused.bytes.len() as u64,
        add,
    })
}
