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

// Whether the artifact exports wasi:http/handler at 0.3 (WASI 0.3), from the
// declarations' `Root`: its exports.
export function exportsHandlerP3(declarations) {
  const block = declarations.match(/export interface Root \{([^}]*)\}/);
  return Boolean(block && /'wasi:http\/handler@0\.3\.[^']*':/.test(block[1]));
}
