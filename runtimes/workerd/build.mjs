// Build a workerd (Cloudflare Workers) bundle from a fused artifact:
//
//   node build.mjs <artifact.wasm> <out-dir>
//
// then `workerd serve <out-dir>/config.capnp --socket-addr http=127.0.0.1:8080`, with
// FUSEBOX_CONFIG (a JSON object of runtime config values) in the environment.
//
// 1. jco transpiles the artifact with every core module in a file of its own
//    (`--instantiation async --base64-cutoff 0`).
// 2. workerd forbids compiling WebAssembly from bytes at run time ("Wasm code
//    generation disallowed by embedder"), and jco 1.35's glue still builds a small helper
//    module from an inline byte array. Each such array is moved into a `.wasm` file that
//    the config declares as a Wasm module, and imported instead. The build then fails if
//    any wasm is still made from bytes.
// 3. worker.js is generated from the interfaces the glue asks for: each
//    `imports['wasi:<package>/<interface>']` becomes the browser namespace for it of the
//    shim of its version (the glue's .d.ts names it): preview2-shim for 0.2,
//    preview3-shim for 0.3. `wasi:config/store` reads the FUSEBOX_CONFIG binding. Each
//    request gets a fresh instance, with its own stdio from the shim's createCli. A 0.2
//    artifact answers through preview2-shim's `handleIncomingRequest`; a 0.3 one
//    (exporting `wasi:http/handler@0.3`) through `fetch-p3.js`.
// 4. config.capnp declares the worker, the glue, every core module and the shims'
//    browser modules (with one fix: a method outside wasi:http's list), and the binding.
import { execFileSync } from "node:child_process";
import {
  copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const [artifact, out] = process.argv.slice(2);
if (!artifact || !out) {
  console.error("usage: node build.mjs <artifact.wasm> <out-dir>");
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const npm = join(here, "../../target/npm/node_modules");

// 1. Transpile.
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
execFileSync(
  process.execPath,
  [join(npm, ".bin/jco"), "transpile", artifact, "--instantiation", "async",
    "--base64-cutoff", "0", "--name", "service", "--quiet", "-o", out],
  { stdio: "inherit" },
);

// 2. Inline byte arrays become Wasm modules of their own.
let glue = readFileSync(join(out, "service.js"), "utf8");
const inline = /new WebAssembly\.Module\(new Uint8Array\(\[([\s\S]*?)\]\)\)/g;
const moved = [];
glue = glue.replace(inline, (_, bytes) => {
  const name = `service.inline${moved.length}.wasm`;
  const values = bytes.split(",").map((b) => b.trim()).filter(Boolean).map(Number);
  writeFileSync(join(out, name), Uint8Array.from(values));
  moved.push(name);
  return `inline${moved.length - 1}`;
});
glue = moved.map((name, i) => `import inline${i} from "./${name}";\n`).join("") + glue;
for (const bytes of [/WebAssembly\.Module\(\s*new Uint8Array/, /WebAssembly\.compile\(\s*new Uint8Array/,
  /WebAssembly\.instantiate\(\s*new Uint8Array/, /atob\(/]) {
  if (bytes.test(glue)) {
    console.error(`build: the glue still makes wasm from bytes (${bytes}); workerd refuses that`);
    process.exit(1);
  }
}
writeFileSync(join(out, "service.js"), glue);

// 3. The worker, from the interfaces the glue asks for, each from the shim of its
// version: the glue asks by unversioned name, and its .d.ts names the versions.
const types = readFileSync(join(out, "service.d.ts"), "utf8");
const importBlock = types.match(/export interface ImportObject \{([^}]*)\}/);
if (!importBlock) {
  console.error("build: service.d.ts has no ImportObject");
  process.exit(1);
}
const versions = new Map();
for (const [, name, version] of importBlock[1].matchAll(/'([^'@]+)@([^']+)'/g)) {
  if (versions.has(name)) {
    console.error(`build: ${name} is imported at two versions; the glue cannot tell them apart`);
    process.exit(1);
  }
  versions.set(name, version);
}
// WASI 0.3 when the artifact exports wasi:http/handler@0.3.
const p3 = /'wasi:http\/handler@0\.3\.[^']*':/.test(types);
const asked = [...new Set([...glue.matchAll(/imports\['([^']+)'\]/g)].map((m) => m[1]))].sort();
const camel = (kebab) => kebab.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
const entries = asked.map((key) => {
  if (key === "wasi:config/store") return `    "${key}": configStore(env),`;
  const [pkg, iface] = key.replace(/^wasi:/, "").split("/");
  const version = versions.get(key) ?? "";
  if (!key.startsWith("wasi:") || !iface || !/^0\.[23]\./.test(version)) {
    console.error(`build: the glue imports ${key}@${version}, which nothing here provides`);
    process.exit(1);
  }
  if (version.startsWith("0.3.")) return `    "${key}": shim3.${pkg}.${camel(iface)},`;
  if (pkg === "cli") return `    "${key}": cli.${camel(iface)},`;
  return `    "${key}": shim.${pkg}.${camel(iface)},`;
});
const cores = readdirSync(out).filter((f) => f.endsWith(".wasm") && f !== "service.wasm").sort();
const worker = `// Generated by runtimes/workerd/build.mjs from the artifact's glue: do not edit.
import { instantiate } from "./service.js";
import * as shim from "./shim/index.js";
import { createCli } from "./shim/cli.js";
${p3 ? `import * as shim3 from "./shim3/index.js";
import { serveFetch } from "./fetch-p3.js";` : `import { handleIncomingRequest } from "./shim/http.js";`}
${cores.map((f, i) => `import core${i} from "./${f}";`).join("\n")}

const modules = {
${cores.map((f, i) => `  "${f}": core${i},`).join("\n")}
};

// wasi:config/store@0.2.0-rc.1, from the FUSEBOX_CONFIG binding (a JSON object).
function configStore(env) {
  const values = JSON.parse(env.FUSEBOX_CONFIG ?? "{}");
  return {
    get: (key) => (Object.hasOwn(values, key) ? String(values[key]) : undefined),
    getAll: () => Object.entries(values).map(([key, value]) => [key, String(value)]),
  };
}

// A console stream for createCli. The shim's own (preview2-shim 0.26.1) flushes through
// the stream it belongs to when that stream is dropped, after marking it closed, so the
// first component that drops its stderr throws \`closed\` out of the handler
// (docs/platforms.md, "workerd"). This one flushes its own buffer instead.
function lines(writeLine) {
  const decoder = new TextDecoder();
  let pending = "";
  const complete = () => {
    for (let at = pending.indexOf("\\n"); at >= 0; at = pending.indexOf("\\n")) {
      writeLine(pending.slice(0, at));
      pending = pending.slice(at + 1);
    }
  };
  const rest = () => {
    complete();
    if (pending) writeLine(pending);
    pending = "";
  };
  return {
    write(contents) {
      pending += decoder.decode(contents, { stream: true });
      complete();
    },
    flush: rest,
    blockingFlush: rest,
    drop: rest,
  };
}

export default {
  async fetch(request, env) {
    // A fresh instance per request, with stdio of its own: the shim's shared streams
    // stay closed for every later instance once the first one drops them.
    const cli = createCli({ stdout: lines(console.log), stderr: lines(console.error) });
    const imports = {
${entries.join("\n")}
    };
    const instance = await instantiate((name) => modules[name], imports);
    return ${p3
      ? "serveFetch(request, (wasiRequest) => instance.handler.handle(wasiRequest))"
      : "handleIncomingRequest(request, instance.incomingHandler.handle)"};
  },
};
`;
writeFileSync(join(out, "worker.js"), worker);

// 4. The config, and the shim's browser modules beside it.
const shimDir = join(npm, "@bytecodealliance/preview2-shim/dist/browser");
mkdirSync(join(out, "shim"));
const shimFiles = readdirSync(shimDir).filter((f) => f.endsWith(".js")).sort();
for (const file of shimFiles) copyFileSync(join(shimDir, file), join(out, "shim", file));
// preview2-shim 0.26.1 gives a request's method as `{tag: method.toLowerCase()}` for any
// method, so one outside wasi:http's list (PROPFIND, which workerd lets through) is not
// a valid `method` variant: the glue throws, and workerd answers 500. It should be
// `{tag: "other", val: method}`, which the guest answers (405).
const shimHttp = join(out, "shim/http.js");
const methodAsIs = `const method = this.#request.method.toLowerCase();
        return { tag: method };`;
const source = readFileSync(shimHttp, "utf8");
if (!source.includes(methodAsIs)) {
  console.error("build: preview2-shim's IncomingRequest.method() changed; check whether the fix is still needed");
  process.exit(1);
}
writeFileSync(shimHttp, source.replace(methodAsIs, `const method = this.#request.method.toLowerCase();
        const known = ["get", "head", "post", "put", "delete", "connect", "options", "trace", "patch"];
        return known.includes(method) ? { tag: method } : { tag: "other", val: this.#request.method };`));
// For WASI 0.3, preview3-shim's browser modules too, and the adapter between fetch and
// wasi:http 0.3 (fetch-p3.js). preview3-shim imports preview2-shim by package name
// (`@bytecodealliance/preview2-shim/http`), which a workerd bundle cannot resolve: the
// copies import the bundle's shim/ by path instead.
const p3Files = [];
if (p3) {
  const p3Dir = join(npm, "@bytecodealliance/preview3-shim/dist/browser");
  const copy = (dir) => {
    for (const file of readdirSync(dir).sort()) {
      const path = join(dir, file);
      if (statSync(path).isDirectory()) {
        copy(path);
        continue;
      }
      if (!file.endsWith(".js")) continue;
      const target = join(out, "shim3", relative(p3Dir, path));
      mkdirSync(dirname(target), { recursive: true });
      const up = relative(dirname(target), join(out, "shim"));
      const text = readFileSync(path, "utf8").replace(
        /(["'])@bytecodealliance\/preview2-shim\/([a-z-]+)\1/g,
        (_, quote, name) => `${quote}${up}/${name}.js${quote}`,
      );
      if (/@bytecodealliance\//.test(text)) {
        console.error(`build: ${relative(p3Dir, path)} still imports a package by name`);
        process.exit(1);
      }
      writeFileSync(target, text);
      p3Files.push(relative(out, target));
    }
  };
  copy(p3Dir);
  copyFileSync(join(here, "fetch-p3.js"), join(out, "fetch-p3.js"));
  p3Files.push("fetch-p3.js");
}
const module = (name, kind) => `    (name = "${name}", ${kind} = embed "${name}"),`;
const config = `# Generated by runtimes/workerd/build.mjs: do not edit.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", address = "127.0.0.1:8080", http = (), service = "main")],
);

const worker :Workerd.Worker = (
  modules = [
${module("worker.js", "esModule")}
${module("service.js", "esModule")}
${cores.map((f) => module(f, "wasm")).join("\n")}
${shimFiles.map((f) => module(`shim/${f}`, "esModule")).join("\n")}
${p3Files.map((f) => module(f, "esModule")).join("\n")}
  ],
  bindings = [(name = "FUSEBOX_CONFIG", fromEnvironment = "FUSEBOX_CONFIG")],
  compatibilityDate = "2026-11-17",
);
`;
writeFileSync(join(out, "config.capnp"), config);
console.error(`build: ${out}/config.capnp, ${cores.length} wasm modules (${moved.length} moved out of the glue)`);
