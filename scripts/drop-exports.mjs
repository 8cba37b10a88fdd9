// Drops the exports whose names match a pattern from a linked wasm, before
// wasm-split-cli reads it. Called by scripts/build-dist.sh in release.
//
// wasm-streams (which Leptos's server functions pull in) exports JS
// classes that turn Rust streams into JS ones. The console never makes
// one, but an export is a root: the split keeps what it reaches, and the
// closures it builds stay in the function table, where nothing can prove
// them unused later (3 KB of the page's download). Dropped here, the split
// never reaches them. Only the export section changes; the code, data and
// the linker's relocations, which the split reads, stay byte for byte.
//
// Usage: node drop-exports.mjs IN.wasm OUT.wasm REGEX
// Stops the build when no export matches, so a renamed class is noticed.

import { readFileSync, writeFileSync } from "node:fs";

import { encode, leb, section, sections } from "./wasm-bytes.mjs";

const [input, output, pattern] = process.argv.slice(2);
const wasm = readFileSync(input);
const matches = new RegExp(pattern);

function fail(why) {
  console.error(`drop-exports: ${why}`);
  process.exit(1);
}

const EXPORT_SECTION = 7;
const parts = [wasm.subarray(0, 8)];
const dropped = [];
for (const { id, at, start, end } of sections(wasm)) {
  if (id !== EXPORT_SECTION) {
    parts.push(wasm.subarray(at, end));
    continue;
  }
  const [count, first] = leb(wasm, start);
  const kept = [];
  let entry = first;
  for (let i = 0; i < count; i++) {
    const [length, nameStart] = leb(wasm, entry);
    const name = wasm.toString("utf8", nameStart, nameStart + length);
    // A kind byte, then the index.
    const [, next] = leb(wasm, nameStart + length + 1);
    if (matches.test(name)) dropped.push(name);
    else kept.push(wasm.subarray(entry, next));
    entry = next;
  }
  if (entry !== end) fail("the export section does not end where its size says");
  parts.push(section(EXPORT_SECTION, Buffer.concat([encode(kept.length), ...kept])));
}
if (dropped.length === 0) fail(`no export matches ${pattern}`);
writeFileSync(output, Buffer.concat(parts));
