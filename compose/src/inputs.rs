//! Reading the component files and checking that each is a valid component.

use crate::{ComposeError, Role};
use std::path::{Path, PathBuf};
use wasmparser::{Parser, Validator, WasmFeatures};

/// One component file, read and validated.
#[derive(Debug, Clone)]
pub struct Input {
    /// The part it plays in the composition.
    pub role: Role,
    /// Where it was read from.
    pub path: PathBuf,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

impl Input {
    /// Read `path` as the component for `role`, refusing anything that is not a valid
    /// WebAssembly component with an error that says what it is instead.
    pub fn read(role: Role, path: impl Into<PathBuf>) -> Result<Self, ComposeError> {
        let path = path.into();
        let bytes = std::fs::read(&path).map_err(|source| ComposeError::Read {
            role,
            path: path.clone(),
            source,
        })?;
        Self::from_bytes(role, path, bytes)
    }

    /// Check `bytes` as the component for `role`; `path` is only used in messages.
    pub fn from_bytes(
        role: Role,
        path: impl Into<PathBuf>,
        bytes: Vec<u8>,
    ) -> Result<Self, ComposeError> {
        let path = path.into();
        if Parser::is_core_wasm(&bytes) {
            return Err(ComposeError::CoreModule { role, path });
        }
        if !Parser::is_component(&bytes) {
            return Err(ComposeError::NotWasm { role, path });
        }
        Validator::new_with_features(WasmFeatures::all())
            .validate_all(&bytes)
            .map_err(|e| ComposeError::Invalid {
                role,
                path: path.clone(),
                detail: e.to_string(),
            })?;
        Ok(Input { role, path, bytes })
    }
}

/// The five components that make up a fusebox artifact.
#[derive(Debug, Clone)]
pub struct Components {
    /// Exports `fusebox:logger/log`; one instance is shared by all the others.
    pub logger: Input,
    /// Exports `fusebox:calculator/math`.
    pub calculator: Input,
    /// Exports `fusebox:auth/{types,verifier}`.
    pub auth: Input,
    /// Exports `wasi:http/incoming-handler`: the artifact's only export.
    pub http_handler: Input,
    /// Answers Rust std's stray `wasi:cli` imports (see `wit/cli-virt/world.wit`).
    pub cli_virt: Input,
}

impl Components {
    /// Read the components from `dir`, where a build leaves them under their crate
    /// names (`logger.wasm`, `calculator.wasm`, `auth.wasm`, `http_handler.wasm`,
    /// `cli_virt.wasm`).
    pub fn from_dir(dir: &Path) -> Result<Self, ComposeError> {
        let read = |role: Role| Input::read(role, dir.join(role.file_name()));
        Ok(Components {
            logger: read(Role::Logger)?,
            calculator: read(Role::Calculator)?,
            auth: read(Role::Auth)?,
            http_handler: read(Role::HttpHandler)?,
            cli_virt: read(Role::CliVirt)?,
        })
    }

    /// All inputs, in the order they are instantiated.
    pub fn all(&self) -> [&Input; 5] {
        [
            &self.logger,
            &self.calculator,
            &self.auth,
            &self.http_handler,
            &self.cli_virt,
        ]
    }
}
