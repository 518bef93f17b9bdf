//! Provenance inside the artifact: a custom section, `fusebox-provenance`, that records
//! how the artifact was made: the composer, the manifest, every fused input with its
//! digest, and the wiring, as JSON.
//!
//! Custom sections do not change what a component does, and every runtime ignores them,
//! so the artifact carries its own bill of materials wherever it goes.
//! `fusebox inspect ARTIFACT` reads it back.

use crate::{Fused, InputRecord, Manifest};
use serde::{Deserialize, Serialize};
use wasm_encoder::ComponentSection as _;

/// The custom section's name.
pub const SECTION: &str = "fusebox-provenance";

/// How an artifact was made.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// The composer and its version, such as `fusebox-compose 0.1.0`.
    pub composer: String,
    /// The manifest's path, as it was given to the composer.
    pub manifest: String,
    /// The artifact's export and the component it comes from:
    /// `http-handler: wasi:http/incoming-handler@0.2.6`.
    pub export: String,
    /// The path a call to the export takes ([`Fused::chain`]), when it passes through
    /// more than one component: `["auth-middleware", "http-service"]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chain: Vec<String>,
    /// Every fused input, in instantiation order.
    pub inputs: Vec<InputRecord>,
    /// The wiring, one `provider -> consumer: import` line per wire.
    pub wiring: Vec<String>,
}

impl Provenance {
    /// The provenance of `fused`, composed from `manifest` out of `inputs`.
    pub fn new(manifest: &Manifest, fused: &Fused, mut inputs: Vec<InputRecord>) -> Provenance {
        let position = |name: &str| fused.components.iter().position(|c| c == name);
        inputs.sort_by_key(|r| position(&r.name));
        Provenance {
            composer: format!("{} {}", env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION")),
            manifest: manifest.path().display().to_string(),
            export: format!("{}: {}", fused.exporter, fused.exports.join(", ")),
            chain: match fused.chain.len() {
                1 => Vec::new(),
                _ => fused.chain.clone(),
            },
            inputs,
            wiring: fused.wiring_text().lines().map(str::to_owned).collect(),
        }
    }

    /// Append the provenance to the component `bytes` as a custom section.
    pub fn append_to(&self, bytes: &mut Vec<u8>) {
        let data = serde_json::to_vec(self).expect("provenance always serializes");
        wasm_encoder::CustomSection {
            name: SECTION.into(),
            data: data.into(),
        }
        .append_to_component(bytes);
    }

    /// The provenance section of the component `bytes`, if it has one. Only the
    /// outermost component's sections count; nested components are skipped.
    pub fn read(bytes: &[u8]) -> anyhow::Result<Option<Provenance>> {
        let mut found = None;
        crate::for_each_outer_payload(bytes, |payload| {
            if let wasmparser::Payload::CustomSection(section) = payload
                && section.name() == SECTION
            {
                found = Some(serde_json::from_slice(section.data())?);
            }
            Ok(())
        })?;
        Ok(found)
    }
}
