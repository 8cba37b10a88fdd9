// Names every function of a wasm module after the start of its own code,
// so that `wasm-opt --reorder-functions-by-name` then puts functions whose
// code begins alike side by side. Called by scripts/split-wasm.sh in
// release, between wasm-opt's optimisation and its final passes.
//
// Brotli finds repeats only within its window and codes near ones more
// cheaply; Rust's generic code is thousands of near-copies that the linker
// scatters. Side by side they compress better: about 2 KB less of the
// page's module and 1 KB less of the extras module, the same code.
//
// The module's name section is replaced by one holding only these names
// (the build strips it afterwards). A function's name is the hex of its
// first KEY_BYTES bytes of code, then its index, so every name is unique
// and the order is the same on every build of the same code.
//
// Usage: node order-functions.mjs IN.wasm OUT.wasm

import { readFileSync, writeFileSync } from "node:fs";

const KEY_BYTES = 64;
const [input, output] = process.argv.slice(2);
const wasm = readFileSync(input);

function fail(why) {
  console.error(`order-functions: ${why}`);
  process.exit(1);
}

/** The unsigned LEB128 number at `at`, and where it ends. */
function leb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    if (byte === undefined) fail("the module ends inside a number");
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

/** Where a table's or memory's limits end. */
function skipLimits(at) {
  const flags = wasm[at];
  let [, next] = leb(wasm, at + 1);
  if (flags & 1) [, next] = leb(wasm, next);
  return next;
}

const IMPORT = 2;
const CODE = 10;
const CUSTOM = 0;
let imported = 0;
let bodies = null;
const kept = [wasm.subarray(0, 8)];
let at = 8;
while (at < wasm.length) {
  const id = wasm[at];
  const [size, start] = leb(wasm, at + 1);
  const end = start + size;
  let keep = true;
  if (id === IMPORT) {
    let [count, p] = leb(wasm, start);
    for (let i = 0; i < count; i++) {
      for (let name = 0; name < 2; name++) {
        const [length, text] = leb(wasm, p);
        p = text + length;
      }
      const kind = wasm[p++];
      if (kind === 0) {
        imported++;
        [, p] = leb(wasm, p);
      } else if (kind === 1) {
        p = skipLimits(p + 1);
      } else if (kind === 2) {
        p = skipLimits(p);
      } else if (kind === 3) {
        p += 2;
      } else {
        fail(`an import of kind ${kind}, which this script does not know`);
      }
    }
    if (p !== end) fail("the import section does not end where its size says");
  } else if (id === CODE) {
    let [count, p] = leb(wasm, start);
    bodies = [];
    for (let i = 0; i < count; i++) {
      const [length, body] = leb(wasm, p);
      bodies.push(wasm.subarray(body, body + length));
      p = body + length;
    }
    if (p !== end) fail("the code section does not end where its size says");
  } else if (id === CUSTOM) {
    const [length, text] = leb(wasm, start);
    keep = wasm.toString("utf8", text, text + length) !== "name";
  }
  if (keep) kept.push(wasm.subarray(at, end));
  at = end;
}
if (bodies === null) fail("the module has no code");

const width = String(imported + bodies.length).length;
const names = [encode(imported + bodies.length)];
for (let index = 0; index < imported + bodies.length; index++) {
  const code = index < imported ? "" : bodies[index - imported].subarray(0, KEY_BYTES).toString("hex");
  const name = Buffer.from(`${code}.${String(index).padStart(width, "0")}`);
  names.push(encode(index), encode(name.length), name);
}
const functionNames = Buffer.concat(names);
const FUNCTION_NAMES = 1;
const body = Buffer.concat([
  encode(4),
  Buffer.from("name"),
  Buffer.from([FUNCTION_NAMES]),
  encode(functionNames.length),
  functionNames,
]);
writeFileSync(output, Buffer.concat([...kept, Buffer.from([CUSTOM]), encode(body.length), body]));
