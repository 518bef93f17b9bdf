// Serve a fused artifact on Node through jco: a fresh component instance per request,
// as `fusebox serve` does.
//
//   node serve.mjs <transpiled.js> <port>
//
// <transpiled.js> is `jco transpile --instantiation sync` output. Run this script from a
// copy beside it (the test copies it), so that `@bytecodealliance/preview2-shim`
// resolves from the node_modules above. Runtime config comes from FUSEBOX_CONFIG, a JSON
// object such as {"auth.hs256-key": "…"}.
//
// Why not `jco serve --isolate-requests instance`: in jco 1.35 that mode builds its import
// object from preview2-shim alone and ignores --jco-map, so an artifact that imports
// wasi:config/store cannot be served by it (docs/platforms.md, "jco").
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { HTTPServer } from "@bytecodealliance/preview2-shim/http";
import { WASIShim } from "@bytecodealliance/preview2-shim/instantiation";
import * as configStore from "./config-store.mjs";

const [glue, port] = process.argv.slice(2);
const { instantiate } = await import(pathToFileURL(glue).href);

const modules = new Map();
function getCoreModule(path) {
  let module = modules.get(path);
  if (!module) {
    module = new WebAssembly.Module(readFileSync(new URL(path, pathToFileURL(glue))));
    modules.set(path, module);
  }
  return module;
}

// The glue asks for unversioned interface names (`wasi:cli/stderr`), whatever version the
// artifact imports.
function imports() {
  return { ...new WASIShim().getImportObject(), "wasi:config/store": configStore };
}

const server = new HTTPServer({
  handle(request, responseOutparam) {
    const instance = instantiate(getCoreModule, imports());
    return instance.incomingHandler.handle(request, responseOutparam);
  },
});
server.listen(Number(port), "127.0.0.1");
console.error(`jco: serving ${glue} on 127.0.0.1:${port}`);
