//! What a registry can make fusebox read, hold or wait for.
//!
//! A registry is not trusted: fusebox reads its manifests and blobs before any signature
//! has been checked. So those reads are bounded: a manifest, config, layer or signature
//! larger than its limit is refused as soon as its size is known (its descriptor, its
//! `Content-Length`, or the bytes so far, whichever comes first), and a step that takes
//! longer than [`Limits::deadline`] is abandoned, however slowly the bytes trickle in.
//! What oci-client reads on its own (a token endpoint's reply, error bodies on push) is
//! bounded by the deadline only. `docs/security.md` lists the limits.

use std::time::Duration;

/// The largest component fusebox reads, from a registry layer or from a file: 128 MiB.
/// A CPython component from componentize-py is about 18 MB and a StarlingMonkey one about
/// 12 MB, so this leaves room for any real component and none for a hostile one.
pub const MAX_COMPONENT_BYTES: u64 = 128 * 1024 * 1024;

/// How much fusebox reads from a registry, and for how long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The largest manifest (an artifact's or a signature tag's). 4 MiB is the size the
    /// OCI distribution spec says a registry should accept at least.
    pub manifest_bytes: u64,
    /// The largest config blob. A wasm config lists the component's imports and
    /// exports; a few KiB is usual.
    pub config_bytes: u64,
    /// The largest component layer: [`MAX_COMPONENT_BYTES`].
    pub component_bytes: u64,
    /// The largest signature payload. cosign's simple-signing payload is under 1 KiB.
    pub signature_bytes: u64,
    /// The most signature layers read from one signature tag: one per signer is usual.
    pub signature_layers: usize,
    /// The longest one step may take, from its first request to its last byte: pulling
    /// an artifact (manifest, config and layer), reading a signature tag (manifest and
    /// payloads), or pushing one. `fusebox pull --key` and a compose of a new `oci`
    /// source take a few such steps.
    pub deadline: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            manifest_bytes: 4 * 1024 * 1024,
            config_bytes: 1024 * 1024,
            component_bytes: MAX_COMPONENT_BYTES,
            signature_bytes: 64 * 1024,
            signature_layers: 64,
            // Time for a 128 MiB layer at about 2 Mbit/s; a registry slower than that
            // is down, or stalling on purpose.
            deadline: Duration::from_secs(600),
        }
    }
}
