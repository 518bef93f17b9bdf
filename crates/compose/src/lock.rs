//! `fusebox.lock`: what each input of a composition was, byte for byte.
//!
//! Every compose writes the lock beside the manifest: each input's name, source, SHA-256,
//! size and the WIT packages (with versions) of its imports and exports. With `--locked`
//! the composer instead refuses to fuse anything that differs from it, and names the
//! input. The same records are embedded in the artifact's [`crate::Provenance`].

use crate::manifest::{Manifest, Source, unversioned, version};
use crate::{ComposeError, Input, component_externs};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;

/// One input of a composition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputRecord {
    /// The component's name in the manifest.
    pub name: String,
    /// Its source, as the manifest gives it (`crate logger`, `path x.wasm`).
    pub source: String,
    /// The SHA-256 of its bytes, as lowercase hex.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// The WIT packages its imports and exports belong to, with versions, sorted.
    pub packages: Vec<String>,
}

impl InputRecord {
    /// The record of `input`, which came from `source`.
    pub fn new(input: &Input, source: &Source) -> Result<InputRecord, ComposeError> {
        let (imports, exports) = component_externs(&input.bytes).map_err(ComposeError::Graph)?;
        let packages: BTreeSet<String> = imports
            .iter()
            .chain(&exports)
            .map(|name| {
                let package = unversioned(name)
                    .split_once('/')
                    .map_or(name.as_str(), |p| p.0);
                match version(name) {
                    Some(v) => format!("{package}@{v}"),
                    None => package.to_owned(),
                }
            })
            .collect();
        Ok(InputRecord {
            name: input.name.clone(),
            source: source.to_string(),
            sha256: input.sha256(),
            size: input.bytes.len() as u64,
            packages: packages.into_iter().collect(),
        })
    }
}

/// The contents of `fusebox.lock`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    /// The lock format's version: 1.
    pub version: u32,
    /// Every input the manifest names, in its order.
    #[serde(rename = "input", default)]
    pub inputs: Vec<InputRecord>,
}

/// The comment at the top of every lock file.
const HEADER: &str = "# fusebox.lock: every input fusebox compose last fused, byte for byte.\n\
# Written by each compose; `fusebox compose --locked` refuses inputs that differ.\n\n";

impl Lock {
    /// The lock for `inputs`, the components of `manifest`.
    pub fn new(manifest: &Manifest, inputs: &[Input]) -> Result<Lock, ComposeError> {
        let inputs = manifest
            .components
            .iter()
            .filter_map(|spec| {
                let input = inputs.iter().find(|i| i.name == spec.name)?;
                Some(InputRecord::new(input, &spec.source))
            })
            .collect::<Result<_, _>>()?;
        Ok(Lock { version: 1, inputs })
    }

    /// The lock file beside `manifest`.
    pub fn path_for(manifest: &Manifest) -> std::path::PathBuf {
        manifest.dir().join("fusebox.lock")
    }

    /// The lock as TOML.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string(self).expect("a lock always serializes");
        format!("{HEADER}{body}")
    }

    /// Read the lock at `path`.
    pub fn read(path: &Path) -> Result<Lock, ComposeError> {
        let invalid = |detail: String| ComposeError::LockMismatch {
            lock: path.to_owned(),
            detail,
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| invalid(format!("--locked needs it, but it cannot be read ({e})")))?;
        Lock::parse(&text, path)
    }

    /// Parse lock `text`; `path` names the file in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Lock, ComposeError> {
        toml::from_str(text).map_err(|e| ComposeError::LockMismatch {
            lock: path.to_owned(),
            detail: format!("it does not parse: {}", e.message()),
        })
    }

    /// Refuse `current` unless it matches this lock input for input, naming the first
    /// input that differs. `path` is the lock file, for the message; `manifest` gives
    /// each input's line.
    pub fn check(
        &self,
        current: &Lock,
        path: &Path,
        manifest: &Manifest,
    ) -> Result<(), ComposeError> {
        let differ = |detail: String| {
            Err(ComposeError::LockMismatch {
                lock: path.to_owned(),
                detail,
            })
        };
        let at = |name: &str| {
            manifest
                .component(name)
                .map_or(String::new(), |c| format!(", {}", c.at))
        };
        for now in &current.inputs {
            let Some(locked) = self.inputs.iter().find(|l| l.name == now.name) else {
                return differ(format!(
                    "it has no entry for the {} input ({}{})",
                    now.name,
                    now.source,
                    at(&now.name)
                ));
            };
            if locked.source != now.source {
                return differ(format!(
                    "the {} input's source is now `{}`{}, but the lock records `{}`",
                    now.name,
                    now.source,
                    at(&now.name),
                    locked.source
                ));
            }
            if locked.sha256 != now.sha256 || locked.size != now.size {
                return differ(format!(
                    "the {} input ({}{}) is now sha256 {} ({} bytes), but the lock records sha256 {} ({} bytes)",
                    now.name,
                    now.source,
                    at(&now.name),
                    now.sha256,
                    now.size,
                    locked.sha256,
                    locked.size
                ));
            }
        }
        if let Some(gone) = self
            .inputs
            .iter()
            .find(|l| !current.inputs.iter().any(|c| c.name == l.name))
        {
            return differ(format!(
                "it records a {} input ({}) that the manifest no longer has",
                gone.name, gone.source
            ));
        }
        Ok(())
    }
}
