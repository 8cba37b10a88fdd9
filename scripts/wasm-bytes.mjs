// Reading and writing a wasm module's binary form, for the build's scripts
// that edit a section or two (drop-exports.mjs, order-functions.mjs).

/** The unsigned LEB128 number at `at` in `bytes`, and where it ends. */
export function leb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    if (byte === undefined) throw new Error("the module ends inside a number");
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, at];
  }
}

/** `value` as unsigned LEB128. */
export function encode(value) {
  const out = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return Buffer.from(out);
}

/** Each section of `wasm`: its id, where it starts (its id byte), where
 * its contents start, and where it ends. */
export function* sections(wasm) {
  let at = 8;
  while (at < wasm.length) {
    const [size, start] = leb(wasm, at + 1);
    yield { id: wasm[at], at, start, end: start + size };
    at = start + size;
  }
}

/** A section with `id` and `contents`. */
export function section(id, contents) {
  return Buffer.concat([Buffer.from([id]), encode(contents.length), contents]);
}
