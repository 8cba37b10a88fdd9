// Rewrites wasm-bindgen's glue (and the split loader) for a page module
// whose import and export names wasm-opt has minified
// (--minify-imports-and-exports-and-modules), and drops the JS classes of
// the exports scripts/drop-exports.mjs removed. Called by
// scripts/build-dist.sh in release.
//
// wasm-bindgen names every import `__wbg_<name>_<16 hex digits>` and every
// closure export after its full Rust type: a few hundred long names that
// sit in both the wasm and the glue and barely compress. Minified, they
// are a few characters each (5 KB less to download). wasm-streams (which
// Leptos's server functions pull in) exports JS classes that turn Rust
// streams into JS ones; the console never makes one, so their exports
// went before the split and their classes go here.
//
// Usage: node trim-boundary.mjs MAP.json GLUE.js LOADER.js MODULE
// MAP.json is wasm-opt's printed mapping: {"imports": [[module, name,
// new]], "exports": [[name, new]]}. GLUE.js and LOADER.js are rewritten in
// place; MODULE is the one module name wasm-opt gave every import. Any
// shape it does not recognise stops the build, so a new wasm-bindgen
// cannot quietly produce a page that fails at start-up.

import { readFileSync, writeFileSync } from "node:fs";

const [mapPath, gluePath, loaderPath, module] = process.argv.slice(2);
const map = JSON.parse(readFileSync(mapPath, "utf8"));
let glue = readFileSync(gluePath, "utf8");
let loader = readFileSync(loaderPath, "utf8");

function fail(why) {
  console.error(`trim-boundary: ${why}`);
  process.exit(1);
}
const identifier = /^[A-Za-z_$][\w$]*$/;
const property = (name) => (identifier.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`);
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// The removed exports' classes, and the registries that free them.
const dropped = /IntoUnderlying\w*/;
glue = glue.replace(
  /^export class (IntoUnderlying\w+) \{\n[\s\S]*?^\}\n(?:if \(Symbol\.dispose\) \1\.prototype[^\n]*\n)?/gm,
  "",
);
glue = glue.replace(/^const IntoUnderlying\w+Finalization = [^;]*;\n/gm, "");
if (dropped.test(glue) || /intounderlying/.test(glue)) {
  fail("the glue still mentions the removed wasm-streams classes");
}

// Exports: every `wasm.name` the glue reads.
const exports = new Map(map.exports);
glue = glue.replace(/\bwasm\.([\w$]+)/g, (whole, name) => {
  const short = exports.get(name);
  if (short === undefined) fail(`the glue reads export ${name}, which the wasm does not have`);
  return `wasm${property(short)}`;
});
// The loader takes the table, stack pointer and memory the extras module
// shares from the page module's exports.
if (!/const \{[^}]*\} = initSync\(/.test(loader)) fail("the loader does not read the exports it shares");
loader = loader.replace(/const \{([^}]*)\} = initSync\(/, (whole, names) => {
  const fields = names
    .split(",")
    .map((n) => n.trim())
    .filter(Boolean)
    .map((n) => {
      const short = exports.get(n);
      if (short === undefined) fail(`the loader reads export ${n}, which the wasm does not have`);
      return `${JSON.stringify(short)}: ${n}`;
    });
  return `const { ${fields.join(", ")} } = initSync(`;
});

// Imports: wasm-opt moved every import into one module, `module`. The
// glue gives the wasm its own functions as an object literal whose keys
// are the names, and the split loader's as an ES module imported whole.
const moduleLine = /^(\s*)"([^"]+)": (import\d+),\n/gm;
const members = [];
for (const [, , from, object] of glue.matchAll(moduleLine)) {
  const names = map.imports.filter(([m]) => m === from);
  if (names.length === 0) fail(`the wasm imports nothing from ${from}`);
  const literal = new RegExp(`const ${object} = \\{\\n`).test(glue);
  if (literal) members.push(`...${object}`);
  for (const [, name, short] of names) {
    if (literal) {
      const key = new RegExp(`^(\\s*)${escape(name)}: `, "m");
      if (!key.test(glue)) fail(`import ${name} is not in the glue`);
      // A function, not a pattern: minified names may hold `$`.
      glue = glue.replace(key, (whole, indent) => `${indent}${JSON.stringify(short)}: `);
    } else {
      members.push(`${JSON.stringify(short)}: ${object}${property(name)}`);
    }
  }
}
const provided = new Set([...glue.matchAll(moduleLine)].map((m) => m[2]));
const needed = new Set(map.imports.map(([m]) => m));
if (provided.size !== needed.size || [...needed].some((m) => !provided.has(m))) {
  fail(`the glue provides modules ${[...provided]}, the wasm imports from ${[...needed]}`);
}
let first = true;
glue = glue.replace(moduleLine, (whole, indent) => {
  const line = first ? `${indent}${JSON.stringify(module)}: { ${members.join(", ")} },\n` : "";
  first = false;
  return line;
});

writeFileSync(gluePath, glue);
writeFileSync(loaderPath, loader);
