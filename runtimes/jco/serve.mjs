// Serve a fused artifact on Node through jco: a fresh component instance per request, as
// `fusebox serve` does. A WASI 0.2 artifact (`wasi:http/incoming-handler`) goes through
// preview2-shim's HTTP server, a WASI 0.3 one (`wasi:http/handler@0.3`) through
// preview3-shim's.
//
//   node serve.mjs <transpiled.js> <port>
//
// <transpiled.js> is `jco transpile` output (`--instantiation sync` for 0.2, `async` for
// 0.3), with its `.d.ts` beside it. Run this script from a copy beside it, with
// config-store.mjs and ../artifact-imports.mjs (the test copies all three), so that the
// shims resolve from the node_modules above. Runtime config comes from FUSEBOX_CONFIG, a
// JSON object such as {"auth.hs256-key": "…"}.
//
// Why not `jco serve --isolate-requests instance`: in jco 1.35 that mode builds its import
// object from preview2-shim alone and ignores --jco-map, so an artifact that imports
// wasi:config/store cannot be served by it (docs/platforms.md, "jco").
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { WASIShim } from "@bytecodealliance/preview2-shim/instantiation";
import { artifactImports, exportsHandlerP3, provider } from "./artifact-imports.mjs";
import * as configStore from "./config-store.mjs";

const [glue, port] = process.argv.slice(2);
const { instantiate } = await import(pathToFileURL(glue).href);
const declarations = readFileSync(glue.replace(/\.js$/, ".d.ts"), "utf8");

const modules = new Map();
function getCoreModule(path) {
  let module = modules.get(path);
  if (!module) {
    module = new WebAssembly.Module(readFileSync(new URL(path, pathToFileURL(glue))));
    modules.set(path, module);
  }
  return module;
}

// The artifact's imports, each from the shim of its version (artifact-imports.mjs), found
// once here: `wasi:*` at 0.3 from preview3-shim, at 0.2 from preview2-shim, and
// `wasi:config/store` from config-store.mjs. The glue asks for them by unversioned name
// (`wasi:cli/stderr`). An import no shim provides fails here, at start-up.
const sources = [];
for (const wanted of artifactImports(declarations)) {
  const { shim, pkg, member } = provider(wanted);
  if (shim === "preview3") {
    const value = (await import(`@bytecodealliance/preview3-shim/${pkg}`))[member];
    if (!value) throw new Error(`preview3-shim has no ${wanted.name}`);
    sources.push([wanted.name, () => value]);
  } else if (shim === "preview2") {
    sources.push([wanted.name, (p2) => p2[wanted.name]]);
  } else {
    sources.push([wanted.name, () => configStore]);
  }
}

// A fresh import object for each instance: preview2-shim's, with stdio of its own.
function imports() {
  const p2 = new WASIShim().getImportObject();
  return Object.fromEntries(sources.map(([name, value]) => [name, value(p2)]));
}
for (const [name, value] of Object.entries(imports())) {
  if (!value) throw new Error(`preview2-shim has no ${name}`);
}

let server;
if (exportsHandlerP3(declarations)) {
  const { HttpServer } = await import("@bytecodealliance/preview3-shim/http");
  // A workaround: preview3-shim 0.7.0's `HttpServer` expects `handle` to return a
  // `result<response, error-code>`, but jco 1.35's glue returns the response itself and
  // throws the error. An error goes back as `err`, which the server answers with a 500
  // (rather than never answering, which it does if `handle` throws).
  server = new HttpServer({
    async handle(request) {
      try {
        const instance = await instantiate(getCoreModule, imports());
        return { tag: "ok", val: await instance.handler.handle(request) };
      } catch (error) {
        console.error("jco: the handler failed:", error);
        return { tag: "err", val: error?.payload ?? { tag: "internal-error", val: String(error) } };
      }
    },
  });
  server.on("error", (error) => console.error("jco:", error.message));
} else {
  const { HTTPServer } = await import("@bytecodealliance/preview2-shim/http");
  server = new HTTPServer({
    handle(request, responseOutparam) {
      const instance = instantiate(getCoreModule, imports());
      return instance.incomingHandler.handle(request, responseOutparam);
    },
  });
}
await server.listen(Number(port), "127.0.0.1");
console.error(`jco: serving ${glue} on 127.0.0.1:${port}`);
