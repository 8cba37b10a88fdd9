// Gives wasm-bindgen's glue a fast path for reading short ASCII strings out
// of the wasm memory. Called by scripts/build-dist.sh on the glue it writes.
//
// The console hands the DOM thousands of such strings on every view: tag
// and attribute names, classes, labels, cell text. The glue reads each with
// a `TextDecoder` call, whose fixed cost per call outweighs the work on a
// string of a few bytes. A loop over the bytes reads the same text for
// ASCII, and the decoder still reads everything else (wasm-bindgen's own
// encoder has the same fast path the other way). Measured with same-run
// A/B first visits and view changes (docs/performance.md): a Status change
// at 20 rows 3-5 ms faster (about a tenth), at 100 rows 2-11 ms.
//
// Usage: node ascii-strings.mjs GLUE.js (rewritten in place). A glue
// without the decoder call it expects stops the build, so a new
// wasm-bindgen cannot quietly drop the fast path.

import { readFileSync, writeFileSync } from "node:fs";

/** Longer strings go to the decoder: its cost per byte is lower. */
const LONGEST = 31;

const [gluePath] = process.argv.slice(2);
const glue = readFileSync(gluePath, "utf8");

const read = /^function getStringFromWasm0\(ptr, len\) \{\n {4}ptr = ptr >>> 0;\n/m;
if ((glue.match(new RegExp(read, "gm")) || []).length !== 1
    || !glue.includes("return decodeText(getUint8ArrayMemory0().subarray(ptr, ptr + len));")) {
  console.error("ascii-strings: the glue's getStringFromWasm0 is not the one this script knows");
  process.exit(1);
}
const fast = `$&    if (len <= ${LONGEST}) {
        const bytes = getUint8ArrayMemory0();
        let text = "";
        for (let at = ptr, end = ptr + len; at < end; at++) {
            const byte = bytes[at];
            if (byte > 127) {
                text = null;
                break;
            }
            text += String.fromCharCode(byte);
        }
        if (text !== null) return text;
    }
`;
writeFileSync(gluePath, glue.replace(read, fast));
