// Build the JavaScript calculator into a component with componentize-js:
//
//   target/npm/node_modules/.bin/node components/calculator-js/build.mjs [OUT]
//
// OUT defaults to target/guests/js/calculator_js.wasm. The build is
// scripts/component-js.mjs's, shared by the JavaScript components. componentize-js
// imports wasi:io and wasi:http/types even with every feature disabled; the manifest
// denies them (examples/js/fusebox.toml), so the grant stays `fusebox:logger/log`.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "../../scripts/component-js.mjs";

const here = dirname(fileURLToPath(import.meta.url));
await build({
  source: join(here, "calculator.js"),
  world: "calculator",
  packages: ["logger"],
  out: process.argv[2] ?? join(here, "../../target/guests/js/calculator_js.wasm"),
});
