// Build {name} into a component with componentize-js:
//
//   target/npm/node_modules/.bin/node components/{name}/build.mjs [OUT]
//
// OUT defaults to target/guests/js/{crate}.wasm. The build is scripts/component-js.mjs's,
// shared by the JavaScript components; scripts/ensure-node.sh installs componentize-js.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "../../scripts/component-js.mjs";

const here = dirname(fileURLToPath(import.meta.url));
await build({
  source: join(here, "component.js"),
  world: "{name}",
  packages: ["logger"],
  out: process.argv[2] ?? join(here, "../../target/guests/js/{crate}.wasm"),
});
