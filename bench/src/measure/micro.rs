//! The micro figures, read back from what the criterion benches (`benches/micro.rs`)
//! recorded.

use crate::results::{Call, ColdStart, CrossCall};
use anyhow::Context as _;
use fusebox_bench::record::{self, Latencies};

fn recorded(name: &str) -> anyhow::Result<Latencies> {
    record::load(name).with_context(|| {
        format!("no timings for {name}: run the criterion benches first (make bench does)")
    })
}

/// Cold start: the fused instance against process spawns.
pub fn cold_start() -> anyhow::Result<ColdStart> {
    Ok(ColdStart {
        fused: recorded("cold_start/fused-instance")?,
        process_spawn: recorded("cold_start/process-spawn")?,
        // Missing when this machine refused to create user namespaces.
        unshare: record::load("cold_start/unshare-namespaces"),
    })
}

/// Cross-component calls: fused, native, loopback HTTP.
pub fn cross_call() -> anyhow::Result<CrossCall> {
    let call = |name: &str| -> anyhow::Result<Call> {
        Ok(Call {
            fused: recorded(&format!("cross_call/{name}-fused"))?,
            native: recorded(&format!("cross_call/{name}-native"))?,
            loopback_http: recorded(&format!("cross_call/{name}-loopback-http"))?,
        })
    };
    Ok(CrossCall {
        add: call("add")?,
        sequence: call("sequence")?,
    })
}
