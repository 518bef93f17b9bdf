// component-js.mjs: build a JavaScript component with componentize-js. Each JavaScript
// component's build.mjs calls `build`:
//
//   import { build } from "../../scripts/component-js.mjs";
//   await build({ source, world, packages, out });
//
// `source` is the module that exports the world's interfaces, `world` the world in
// wit/WORLD, `packages` the fusebox packages it imports (wit/PACKAGE), `out` the
// component to write. componentize-js 0.23.0 is pinned in target/npm by
// scripts/ensure-node.sh; this script installs nothing.
//
// componentize-js embeds StarlingMonkey (SpiderMonkey) and the module, and imports wasi:io
// and wasi:http/types even with every feature disabled: the manifest section denies them
// (`deny = ["wasi:http/*", "wasi:io/*"]`), so the grant stays what the world declares.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const npm = join(root, "target/npm/node_modules/@bytecodealliance");

/** Build the component for `world` from the module `source` into `out`. */
export async function build({ source, world, packages, out }) {
  const name = basename(dirname(source));
  if (!existsSync(join(npm, "componentize-js"))) {
    throw new Error(`${name}: componentize-js is not installed in target/npm: run scripts/ensure-node.sh`);
  }
  const load = (path) => import(pathToFileURL(join(npm, path)).href);
  // componentize-js reads the WIT through preview2-shim's filesystem, which since 0.26
  // starts with no preopened directory: give it the file system, as older versions did.
  const { _setPreopens } = await load("preview2-shim/dist/nodejs/filesystem.js");
  _setPreopens({ "/": "/" });
  const { componentize } = await load("componentize-js/src/componentize.js");

  // The world, with every package it reaches, copied (componentize-js does not follow
  // symlinks).
  const wit = join(root, "target/guests/js", world, "wit");
  execFileSync(join(root, "scripts/stage-wit.sh"), [world, wit, ...packages], {
    env: { ...process.env, COPY: "1" },
    stdio: "inherit",
  });

  const { component } = await componentize({
    sourcePath: source,
    witPath: wit,
    worldName: world,
    disableFeatures: ["random", "stdio", "clocks", "http"],
  });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(`${out}.partial`, component);
  renameSync(`${out}.partial`, out);
  console.error(`${name}: ${Math.round(component.length / 1024)} KiB at ${relative(root, out)}`);
}
