#!/usr/bin/env bash
# Trunk's post_build hook (Trunk.toml): splits the console's wasm in two.
#
# The functions marked `#[wasm_split(extras, …)]` in src/ are split points
# (through Leptos; `grep -rn wasm_split src` lists them). wasm-split-cli cuts everything only they reach into a second
# module, `extras`, which the page fetches after its first view; the rest,
# the list, is what a first load downloads. This replaces trunk's own
# wasm-bindgen output with the split one under the same hashed names, gives
# the extras module and its loader content-hashed names (the server lets
# browsers keep hashed files for good), optimises both with wasm-opt, and
# tells the page to fetch the loader alongside the glue.
#
# Needs wasm-split-cli, wasm-bindgen, wasm-opt and terser (`make setup`), node,
# and a wasm linked with relocations (.cargo/config.toml, Makefile).
set -euo pipefail

stage=${TRUNK_STAGING_DIR:?"run by trunk as a post_build hook"}
profile=${TRUNK_PROFILE:-debug}
public=${TRUNK_PUBLIC_URL:-/}
cd "$(dirname "$0")/.."
# binaryen 132 from `make setup`: Debian's wasm-opt 108 emits code that fails
# at start-up in Chromium.
export PATH=$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH
input=${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/$profile/leads-console.wasm

glue=$(find "$stage" -maxdepth 1 -name 'leads-console-*.js' -printf '%f\n')
[ "$(wc -l <<<"$glue")" -eq 1 ] && [ -n "$glue" ] \
  || { echo "split-wasm: expected one leads-console-*.js in $stage" >&2; exit 1; }
name=${glue%.js}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# In release, wasm-streams' unused JS classes go before the split, so it
# never reaches their code (scripts/drop-exports.mjs).
if [ "$profile" = release ]; then
  node scripts/drop-exports.mjs "$input" "$work/linked.wasm" '^(__wbg_|__wbindgen_describe_)?intounderlying'
  input=$work/linked.wasm
fi
wasm-split-cli "$input" "$work/split" --out-name "$name" --target web >"$work/split.log" 2>&1 \
  || { cat "$work/split.log" >&2; exit 1; }
wasm-bindgen --target web --keep-lld-exports --no-typescript \
  --out-dir "$work/bindgen" --out-name "$name" "$work/split/$name.wasm"

features="--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals"
# wasm-opt -Oz, then functions whose code begins alike side by side, which
# brotli compresses better (scripts/order-functions.mjs). Further passes,
# if any, are the arguments after in and out.
shrink() { # in out [pass...]
  local in=$1 out=$2
  shift 2
  wasm-opt -Oz $features --strip-debug "$in" -o "$work/shrunk.wasm"
  node scripts/order-functions.mjs "$work/shrunk.wasm" "$work/ordered.wasm"
  wasm-opt $features --reorder-functions-by-name --strip-debug "$@" "$work/ordered.wasm" -o "$out"
}
optimise() { # in out
  if [ "$profile" = release ]; then
    shrink "$1" "$2"
  else
    cp "$1" "$2"
  fi
}
hash16() { sha256sum "$1" | cut -c1-16; }
loader=$work/split/__wasm_split.js

# The main module, and in release its names at the JS boundary minified
# (scripts/trim-boundary.mjs rewrites the glue and the loader to match, and
# drops the classes of the exports dropped above).
if [ "$profile" = release ]; then
  # Its producers section is for tools, not browsers (the target features
  # stay: the next steps read the module's features from them).
  shrink "$work/bindgen/${name}_bg.wasm" "$work/main.wasm" \
    --strip-producers --minify-imports-and-exports-and-modules >"$work/names.json"
  modules=$(wasm-opt $features --print "$work/main.wasm" | sed -n 's/^ (import "\([^"]*\)".*/\1/p' | sort -u)
  [ "$(wc -l <<<"$modules")" -eq 1 ] \
    || { echo "split-wasm: expected the minified imports in one module, got: $modules" >&2; exit 1; }
  node scripts/trim-boundary.mjs "$work/names.json" "$work/bindgen/$name.js" "$loader" "$modules"
  # The script the page loads minified too (terser): the glue, the loader
  # and wasm-bindgen's snippets are a quarter smaller, brotli'd. Before the
  # names below, which come from the minified content.
  for js in "$work/bindgen/$name.js" "$loader" "$stage"/snippets/*/*.js; do
    terser "$js" --module --compress --mangle --output "$work/min.js"
    mv "$work/min.js" "$js"
  done
else
  cp "$work/bindgen/${name}_bg.wasm" "$work/main.wasm"
fi

# The extras module, renamed by its content in the loader that fetches it.
chunks=$(find "$work/split" -maxdepth 1 -name '*.wasm' ! -name "$name.wasm" -printf '%f\n')
[ -n "$chunks" ] || { echo "split-wasm: nothing was split off; are the #[wasm_split] functions in src/ built?" >&2; exit 1; }
for chunk in $chunks; do
  optimise "$work/split/$chunk" "$work/$chunk"
  hashed="${chunk%.wasm}-$(hash16 "$work/$chunk").wasm"
  hashed=${hashed//_/-}
  mv "$work/$chunk" "$stage/$hashed"
  sed -i "s#\"./$chunk\"#\"./$hashed\"#" "$loader"
done
# The page's module, its glue and the loader are renamed too: trunk named
# the first two from its own build, before this script changed them, and a
# name must change whenever the content does (hashed files are cached for
# good). The glue imports the loader and the loader the glue, so all three
# take one name from what makes them: their content before the names go
# in, and this script's own steps.
build=$(cat "$work/main.wasm" "$work/bindgen/$name.js" "$loader" scripts/split-wasm.sh \
  scripts/drop-exports.mjs scripts/order-functions.mjs scripts/wasm-bytes.mjs scripts/trim-boundary.mjs \
  | sha256sum | cut -c1-16)
new=${name%-*}-$build
loader_name=split-$build.js
sed "s#\"./$name.js\"#\"./$new.js\"#" "$loader" >"$stage/$loader_name"
grep -qF "\"./$new.js\"" "$stage/$loader_name" \
  || { echo "split-wasm: the loader does not import the glue" >&2; exit 1; }
# Only the loader's import: the imports object keeps the names the wasm
# itself asks for.
sed "s#from *\"./__wasm_split.js\"#from \"./$loader_name\"#" "$work/bindgen/$name.js" >"$stage/$new.js"
grep -qF "from \"./$loader_name\"" "$stage/$new.js" \
  || { echo "split-wasm: the glue does not import the loader" >&2; exit 1; }
cp "$work/main.wasm" "$stage/${new}_bg.wasm"
rm "$stage/$glue" "$stage/${name}_bg.wasm"
sed -i -e "s#$name#$new#g" \
  -e "s#</head>#<link rel=\"modulepreload\" href=\"$public$loader_name\" crossorigin=\"anonymous\"></head>#" \
  "$stage/index.html"
grep -qF "$new.js" "$stage/index.html" \
  || { echo "split-wasm: index.html does not load $new.js" >&2; exit 1; }
# In release the page goes without indentation, blank lines, comments,
# trunk's `window.wasmBindings` (which nothing reads) and the attribute
# left from index.html's `data-integrity="none"` on the stylesheet (named
# by its content, like every file here): every cold load downloads the
# page, and the server sends it as it is.
if [ "$profile" = release ]; then
  sed -i -e 's/^[[:space:]]*//' -e '/^$/d' -e '/^<!--.*-->$/d' \
    -e '/^window\.wasmBindings = bindings;$/d' -e 's/ data-integrity="none"//' "$stage/index.html"
fi
echo "split-wasm: ${new}_bg.wasm and $(wc -w <<<"$chunks") split module(s) ready"
