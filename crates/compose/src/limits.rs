//! What a hostile input can cost the composer.
//!
//! The composer reads files and registry blobs that someone else wrote, so each input
//! is measured before the expensive work starts, and refused with an error naming the
//! limit when it is over. The registry's own limits (manifests, blobs, a deadline) are in
//! [`fusebox_registry::Limits`]; `docs/security.md` lists them all.

pub use fusebox_registry::MAX_COMPONENT_BYTES;

/// The largest manifest (`fusebox.toml`) read: 1 MiB. A manifest of a hundred components
/// is about 10 KiB.
pub const MAX_MANIFEST_BYTES: u64 = 1024 * 1024;

/// The most components one manifest may fuse. Each is a core instance set in the
/// artifact and an instance per request in the host; a thousand is far past any
/// service and still composes in seconds.
pub const MAX_COMPONENTS: usize = 1_000;

/// The most imports plus exports one component may declare at its top level. A WASI
/// service has a few dozen; wasmparser alone would accept a million.
pub const MAX_EXTERNS: usize = 10_000;
