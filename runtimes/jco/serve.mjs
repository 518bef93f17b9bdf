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
import { artifactImports, exportsHandlerP3 } from "./artifact-imports.mjs";
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

// The artifact's imports, each from the shim of its version: `wasi:*` at 0.3 from
// preview3-shim, at 0.2 from preview2-shim, and `wasi:config/store` from
// config-store.mjs. The glue asks for them by unversioned name (`wasi:cli/stderr`).
const wanted = artifactImports(declarations);
const camel = (text) => text.replace(/-(\w)/g, (_, c) => c.toUpperCase());
const p3 = {};
for (const { name, version } of wanted) {
  const [, pkg] = name.match(/^wasi:([^/]+)\//) ?? [];
  if (pkg && version.startsWith("0.3.")) {
    p3[pkg] ??= await import(`@bytecodealliance/preview3-shim/${pkg}`);
  }
}

// A fresh import object for each instance.
function imports() {
  const p2 = new WASIShim().getImportObject();
  const object = {};
  for (const { name, version } of wanted) {
    const [, pkg, iface] = name.match(/^wasi:([^/]+)\/(.+)$/) ?? [];
    let value;
    if (name === "wasi:config/store") {
      value = configStore;
    } else if (pkg && version.startsWith("0.3.")) {
      value = p3[pkg][camel(iface)];
    } else if (pkg && version.startsWith("0.2.")) {
      value = p2[name];
    }
    if (!value) throw new Error(`no shim provides ${name}@${version}`);
    object[name] = value;
  }
  return object;
}

// Once before listening, so that an import no shim provides fails at start-up, not on
// each request.
imports();

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
