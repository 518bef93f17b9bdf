//! `fusebox inspect`: what any component imports and exports, and how fusebox made it.

use super::kib;
use fusebox_compose::{Provenance, component_externs};
use std::path::PathBuf;

/// Print a component's imports, exports and, when fusebox made it, its provenance: the
/// inputs with their digests, and the wiring.
#[derive(clap::Args)]
pub struct Inspect {
    /// The component to read: any `.wasm` component, made here or elsewhere.
    artifact: PathBuf,
}

impl Inspect {
    /// Read the component and print what it says about itself.
    pub fn run(self) -> anyhow::Result<()> {
        let path = &self.artifact;
        let input = fusebox_compose::Input::read("inspected", path)?;
        let digest = input.sha256();
        println!(
            "{}: {}, sha256 {digest}",
            path.display(),
            kib(input.bytes.len())
        );
        let (imports, exports) = component_externs(&input.bytes)?;
        println!("imports:");
        for import in &imports {
            println!("  {import}");
        }
        println!("exports:");
        for export in &exports {
            println!("  {export}");
        }
        match Provenance::read(&input.bytes)? {
            None => println!(
                "provenance: none (no `{}` section: not made by fusebox compose)",
                fusebox_compose::provenance::SECTION
            ),
            Some(p) => {
                println!("provenance ({}):", fusebox_compose::provenance::SECTION);
                println!("  composer: {}", p.composer);
                println!("  manifest: {}", p.manifest);
                println!("  export:   {}", p.export);
                if !p.chain.is_empty() {
                    println!("  chain:    {}", p.chain.join(" -> "));
                }
                println!("  inputs:");
                for i in &p.inputs {
                    println!(
                        "    {:<16} {:>10}  sha256 {}  {}",
                        i.name,
                        kib(i.size as usize),
                        i.sha256,
                        i.source
                    );
                    println!("      packages: {}", i.packages.join(", "));
                }
                println!("  wiring:");
                for line in &p.wiring {
                    println!("    {line}");
                }
            }
        }
        Ok(())
    }
}
