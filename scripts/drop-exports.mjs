// Drops the exports whose names match a pattern from a linked wasm, before
// wasm-split-cli reads it. Called by scripts/split-wasm.sh in release.
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

const [input, output, pattern] = process.argv.slice(2);
const wasm = readFileSync(input);
const matches = new RegExp(pattern);

function fail(why) {
  console.error(`drop-exports: ${why}`);
  process.exit(1);
}

/** The unsigned LEB128 number at `at`, and where it ends. */
function leb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, at];
  }
}

/** `value` as unsigned LEB128. */
function encode(value) {
  const out = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return Buffer.from(out);
}

const EXPORT_SECTION = 7;
const parts = [wasm.subarray(0, 8)];
const dropped = [];
let at = 8;
while (at < wasm.length) {
  const id = wasm[at];
  const [size, start] = leb(wasm, at + 1);
  const end = start + size;
  if (id !== EXPORT_SECTION) {
    parts.push(wasm.subarray(at, end));
  } else {
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
    const body = Buffer.concat([encode(kept.length), ...kept]);
    parts.push(Buffer.from([EXPORT_SECTION]), encode(body.length), body);
  }
  at = end;
}
if (dropped.length === 0) fail(`no export matches ${pattern}`);
writeFileSync(output, Buffer.concat(parts));
