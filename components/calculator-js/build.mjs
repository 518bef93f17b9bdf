// Build the JavaScript calculator into a component with componentize-js:
//
//   target/npm/node_modules/.bin/node components/calculator-js/build.mjs [OUT]
//
// OUT defaults to target/guests/js/calculator_js.wasm. componentize-js 0.23.0 is pinned
// in target/npm by scripts/ensure-node.sh; this script installs nothing.
//
// componentize-js embeds StarlingMonkey (SpiderMonkey) and these modules, and imports
// wasi:io and wasi:http/types even with every feature disabled. The manifest denies
// those imports (examples/js/fusebox.toml), so the grant stays `fusebox:logger/log`.
import { execFileSync } from "node:child_process";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../..");
const out = process.argv[2] ?? join(root, "target/guests/js/calculator_js.wasm");
const npm = join(root, "target/npm/node_modules/@bytecodealliance");
const load = (path) => import(pathToFileURL(join(npm, path)).href);

// componentize-js reads the WIT through preview2-shim's filesystem, which since 0.26
// starts with no preopened directory: give it the file system, as older versions did.
const { _setPreopens } = await load("preview2-shim/dist/nodejs/filesystem.js");
_setPreopens({ "/": "/" });
const { componentize } = await load("componentize-js/src/componentize.js");

// The calculator's world, with every package it reaches, copied (componentize-js does
// not follow symlinks).
const wit = join(root, "target/guests/js/wit");
execFileSync(join(root, "scripts/stage-wit.sh"), ["calculator", wit, "logger"], {
  env: { ...process.env, COPY: "1" },
  stdio: "inherit",
});

const { component } = await componentize({
  sourcePath: join(here, "calculator.js"),
  witPath: wit,
  worldName: "calculator",
  disableFeatures: ["random", "stdio", "clocks", "http"],
});
mkdirSync(dirname(out), { recursive: true });
writeFileSync(`${out}.partial`, component);
renameSync(`${out}.partial`, out);
console.error(`calculator-js: ${Math.round(component.length / 1024)} KiB at ${out}`);
