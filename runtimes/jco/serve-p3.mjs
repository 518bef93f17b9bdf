// Serve a WASI 0.3 fused artifact (`wasi:http/handler@0.3.0`) on Node through jco and
// preview3-shim: a fresh component instance per request, as `fusebox serve` does.
//
//   node serve-p3.mjs <transpiled.js> <port>
//
// <transpiled.js> is `jco transpile --instantiation async` output, with its `.d.ts`
// beside it. Run this script from a copy beside it, with config-store.mjs and
// ../artifact-imports.mjs (the test copies all three), so that the shims resolve from the
// node_modules above. Runtime config comes from FUSEBOX_CONFIG, as
// for serve.mjs.
//
// The import object is built from what the artifact imports, as its `.d.ts` names it:
// each `wasi:*` interface at 0.3 from preview3-shim, at 0.2 from preview2-shim, and
// `wasi:config/store` from config-store.mjs. One preview3-shim 0.7.0 defect is worked
// around here (docs/platforms.md, "jco on Node"); the workaround goes when a pinned
// version no longer needs it.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { WASIShim } from "@bytecodealliance/preview2-shim/instantiation";
import { HttpServer } from "@bytecodealliance/preview3-shim/http";
import { artifactImports } from "./artifact-imports.mjs";
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

const wanted = artifactImports(readFileSync(glue.replace(/\.js$/, ".d.ts"), "utf8"));
const camel = (text) => text.replace(/-(\w)/g, (_, c) => c.toUpperCase());

// The preview3-shim modules the 0.3 imports come from, loaded once.
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

// A workaround: preview3-shim 0.7.0's `HttpServer` expects `handle` to return a
// `result<response, error-code>`, but jco 1.35's glue returns the response itself and
// throws the error. An error goes back as `err`, which the server answers with a 500
// (rather than never answering, which it does if `handle` throws).
const server = new HttpServer({
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
await server.listen(Number(port), "127.0.0.1");
console.error(`jco: serving ${glue} on 127.0.0.1:${port}`);
