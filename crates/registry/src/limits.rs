//! What a registry can make fusebox read, hold or wait for.
//!
//! A registry is not trusted: fusebox reads its manifests and blobs before any signature
//! has been checked. So every read is bounded. A manifest, config, layer or signature
//! larger than its limit is refused as soon as its size is known (its descriptor, its
//! `Content-Length`, or the bytes so far, whichever comes first), and a whole operation
//! that takes longer than [`Limits::deadline`] is abandoned, however slowly the bytes
//! trickle in. `docs/security.md` lists the limits.

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
    /// The longest one operation (a pull, a push, a signature check) may take, from
    /// its first request to its last byte.
    pub deadline: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            manifest_bytes: 4 * 1024 * 1024,
            config_bytes: 1024 * 1024,
            component_bytes: MAX_COMPONENT_BYTES,
            signature_bytes: 64 * 1024,
            deadline: Duration::from_secs(300),
        }
    }
}
