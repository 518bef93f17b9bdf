// What a transpiled artifact imports and exports, read from the `.d.ts` jco writes beside
// its glue: the glue itself asks for each import by unversioned name
// (`imports['wasi:cli/stderr']`), and only the type declarations say which version, which
// says which shim serves it (preview2-shim for 0.2, preview3-shim for 0.3). Used by
// runtimes/jco/serve.mjs and runtimes/workerd/build.mjs.

// Each import as {name, version}, from the declarations' `ImportObject`. Throws if the
// declarations have none, or name one interface at two versions, which the glue's
// unversioned keys cannot tell apart.
export function artifactImports(declarations) {
  const block = declarations.match(/export interface ImportObject \{([^}]*)\}/);
  if (!block) throw new Error("the glue's .d.ts has no ImportObject");
  const imports = [];
  for (const [, name, version] of block[1].matchAll(/'([^'@]+)(?:@([^']+))?'\s*:/g)) {
    if (!version) throw new Error(`the glue's .d.ts names ${name} without a version`);
    const other = imports.find((i) => i.name === name);
    if (other) {
      throw new Error(`${name} is imported at ${other.version} and ${version}; the glue cannot tell them apart`);
    }
    imports.push({ name, version });
  }
  return imports;
}

// Where `name` at `version` comes from: `{shim: "config"}` for `wasi:config/store` (the
// runtime's own store), otherwise the shim of its version, `{shim: "preview2" | "preview3",
// pkg, member}` (`wasi:clocks/monotonic-clock` is the shim's `clocks` module, member
// `monotonicClock`). Throws for an import no shim provides.
export function provider({ name, version }) {
  if (name === "wasi:config/store") return { shim: "config" };
  const [, pkg, iface] = name.match(/^wasi:([^/]+)\/(.+)$/) ?? [];
  const shim = version.startsWith("0.2.") ? "preview2" : version.startsWith("0.3.") ? "preview3" : null;
  if (!pkg || !shim) throw new Error(`no shim provides ${name}@${version}`);
  return { shim, pkg, member: iface.replace(/-(\w)/g, (_, c) => c.toUpperCase()) };
}

// Whether the artifact exports wasi:http/handler at 0.3 (WASI 0.3), from the
// declarations' `Root`: its exports.
export function exportsHandlerP3(declarations) {
  const block = declarations.match(/export interface Root \{([^}]*)\}/);
  return Boolean(block && /'wasi:http\/handler@0\.3\.[^']*':/.test(block[1]));
}
