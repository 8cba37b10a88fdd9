#!/usr/bin/env bash
# Builds dist/, what the server serves, from the console's wasm that cargo
# built: `scripts/build-dist.sh release` (what `make dist` runs, after the
# nightly cargo build) or `scripts/build-dist.sh debug` (after a plain
# `cargo build --target wasm32-unknown-unknown --bin leads-console`: a
# stable build that logs panic messages, for debugging).
#
# The functions marked `#[wasm_split(extras, …)]` in src/ are split points
# (through Leptos; `grep -rn wasm_split src` lists them). wasm-split-cli
# cuts everything only they reach into a second module, `extras`, which the
# page fetches after its first view; the rest, the list, is what a first
# load downloads. wasm-bindgen writes the glue for the page's module,
# wasm-opt optimises both, and every file the page loads is named by its
# content (the server lets browsers keep hashed files for good).
# index.html's marker comment becomes the start-up script, the stylesheet
# and the preloads; the example portal's files are copied beside.
#
# Needs wasm-split-cli, wasm-bindgen, wasm-opt and terser (`make setup`), node,
# and a wasm linked with relocations (.cargo/config.toml, Makefile).
set -euo pipefail

profile=${1:?"usage: scripts/build-dist.sh release|debug"}
cd "$(dirname "$0")/.."
# binaryen 132 from `make setup`: Debian's wasm-opt 108 emits code that fails
# at start-up in Chromium.
export PATH=$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH
input=${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/$profile/leads-console.wasm
[ -f "$input" ] || { echo "build-dist: no $input; build the console's wasm first" >&2; exit 1; }
name=leads-console

work=$(mktemp -d)
# dist/ is replaced only by a whole build.
stage=$(mktemp -d "$PWD/.dist.XXXXXX")
trap 'rm -rf "$work" "$stage"' EXIT

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
# Short ASCII strings read from the wasm without a TextDecoder call each
# (scripts/ascii-strings.mjs).
node scripts/ascii-strings.mjs "$work/bindgen/$name.js"

features="--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals"
# wasm-opt -Oz, then functions whose code begins alike side by side, which
# brotli compresses better (scripts/order-functions.mjs). Further passes,
# if any, are the arguments after in and out. Last, each function's control
# flow is rebuilt from its graph (flatten, rereloop) and shrunk twice more:
# LLVM's nested blocks come out simpler, 1.1 KB less of the page's module
# brotli'd (the function order stays).
shrink() { # in out [pass...]
  local in=$1 out=$2
  shift 2
  wasm-opt -Oz $features --strip-debug "$in" -o "$work/shrunk.wasm"
  node scripts/order-functions.mjs "$work/shrunk.wasm" "$work/ordered.wasm"
  wasm-opt $features --reorder-functions-by-name --strip-debug "$@" \
    --flatten --rereloop -Oz -Oz "$work/ordered.wasm" -o "$out"
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
    || { echo "build-dist: expected the minified imports in one module, got: $modules" >&2; exit 1; }
  node scripts/trim-boundary.mjs "$work/names.json" "$work/bindgen/$name.js" "$loader" "$modules"
  # The script the page loads minified too (terser): the glue, the loader
  # and wasm-bindgen's snippets are a quarter smaller, brotli'd. Before the
  # names below, which come from the minified content.
  for js in "$work/bindgen/$name.js" "$loader" "$work"/bindgen/snippets/*/*.js; do
    terser "$js" --module --compress --mangle --output "$work/min.js"
    mv "$work/min.js" "$js"
  done
else
  cp "$work/bindgen/${name}_bg.wasm" "$work/main.wasm"
fi

# The extras module, renamed by its content in the loader that fetches it.
chunks=$(find "$work/split" -maxdepth 1 -name '*.wasm' ! -name "$name.wasm" -printf '%f\n')
[ -n "$chunks" ] || { echo "build-dist: nothing was split off; are the #[wasm_split] functions in src/ built?" >&2; exit 1; }
for chunk in $chunks; do
  optimise "$work/split/$chunk" "$work/$chunk"
  hashed="${chunk%.wasm}-$(hash16 "$work/$chunk").wasm"
  hashed=${hashed//_/-}
  mv "$work/$chunk" "$stage/$hashed"
  sed -i "s#\"./$chunk\"#\"./$hashed\"#" "$loader"
done
# The page's module, its glue and the loader take one name from what
# makes them (the glue imports the loader and the loader the glue): their
# content before the names go in, and this script's own steps.
build=$(cat "$work/main.wasm" "$work/bindgen/$name.js" "$loader" scripts/build-dist.sh \
  scripts/drop-exports.mjs scripts/order-functions.mjs scripts/wasm-bytes.mjs scripts/trim-boundary.mjs \
  scripts/ascii-strings.mjs \
  | sha256sum | cut -c1-16)
new=$name-$build
loader_name=split-$build.js
sed "s#\"./$name.js\"#\"./$new.js\"#" "$loader" >"$stage/$loader_name"
grep -qF "\"./$new.js\"" "$stage/$loader_name" \
  || { echo "build-dist: the loader does not import the glue" >&2; exit 1; }
# Only the loader's import: the imports object keeps the names the wasm
# itself asks for.
sed "s#from *\"./__wasm_split.js\"#from \"./$loader_name\"#" "$work/bindgen/$name.js" >"$stage/$new.js"
grep -qF "from \"./$loader_name\"" "$stage/$new.js" \
  || { echo "build-dist: the glue does not import the loader" >&2; exit 1; }
cp "$work/main.wasm" "$stage/${new}_bg.wasm"
# wasm-bindgen's snippets keep their own names (a hash of the crate).
snippets=()
if [ -d "$work/bindgen/snippets" ]; then
  cp -r "$work/bindgen/snippets" "$stage/snippets"
  mapfile -t snippets < <(cd "$stage" && find snippets -name '*.js' | sort)
fi
style=page-$(hash16 style/page.css).css
cp style/page.css "$stage/$style"
cp public/* "$stage/"
# Each language's messages, for consoles that speak it (src/i18n/);
# English is compiled in, and served too for portals and translators.
mkdir "$stage/i18n"
cp i18n/*.json "$stage/i18n/"

# The page: index.html with its marker replaced. The start-up script
# sends the module's download and the first list request (whose URL the
# server writes into the page, in the element named by leads-core's
# FIRST_LIST_ID, at the start of the head) before it imports the glue, and
# answers the console's own request for that list with it, once. Preload
# links would do in Chromium and Firefox, but WebKit never hands a
# preloaded answer to fetch() and downloads both twice. It is a classic
# script, first in what this writes, so it runs as soon as the parser
# reaches it: a module script waits for the whole document and for the
# stylesheet, and the module's download began 30 ms later on a first
# visit (docs/performance.md). While both download it makes the page's
# first Intl formatters, which load the browser's locale data (12-27 ms
# on a first visit): they fill the wait instead of delaying the first
# rows' dates and counts (a failure there must not stop the console).
# It then announces the instantiated
# module (`leads-console:started`), which the memory test and the bench
# read the wasm memory from.
first_list_id=$(sed -n 's/^pub const FIRST_LIST_ID: &str = "\(.*\)";$/\1/p' core/src/config.rs)
[ -n "$first_list_id" ] || { echo "build-dist: no FIRST_LIST_ID in core/src/config.rs" >&2; exit 1; }
cat >"$work/start.js" <<SCRIPT
(async () => {
const send = fetch, list = document.getElementById("$first_list_id");
if (list) {
  const url = new URL(JSON.parse(list.text), location).href, stop = new AbortController();
  const answer = send(url, { signal: stop.signal });
  answer.catch(() => {});
  window.fetch = (request, init) => request.url == url && request.method == "GET"
    ? ((window.fetch = send), (request.signal.onabort = () => stop.abort()), answer)
    : send(request, init);
}
const module_or_path = send("/${new}_bg.wasm"), glue = import("/$new.js");
try {
  new Intl.NumberFormat().format(0);
  new Intl.DateTimeFormat(undefined, { dateStyle: "medium" }).format(0);
} catch {}
const { default: init } = await glue;
const wasm = await init({ module_or_path });
dispatchEvent(new CustomEvent("leads-console:started", { detail: { wasm } }));
})();
SCRIPT
if [ "$profile" = release ]; then
  terser "$work/start.js" --compress --mangle --output "$work/start.min.js"
  mv "$work/start.min.js" "$work/start.js"
fi
{
  echo '<script>'
  cat "$work/start.js"
  echo '</script>'
  echo "<link rel=\"stylesheet\" href=\"/$style\"/>"
  preloads="<link rel=\"modulepreload\" href=\"/$new.js\" crossorigin=\"anonymous\">"
  for snippet in "${snippets[@]}"; do
    preloads+="<link rel=\"modulepreload\" href=\"/$snippet\" crossorigin=\"anonymous\">"
  done
  preloads+="<link rel=\"modulepreload\" href=\"/$loader_name\" crossorigin=\"anonymous\">"
  echo "$preloads"
} >"$work/head.html"
marker='<!-- console: '
[ "$(grep -c "$marker" index.html)" -eq 1 ] \
  || { echo "build-dist: index.html needs one line with $marker" >&2; exit 1; }
sed -e "/$marker/{r $work/head.html" -e 'd}' index.html >"$stage/index.html"
# In release the page goes without indentation, blank lines and comments:
# every cold load downloads it, and the server sends it as it is.
if [ "$profile" = release ]; then
  sed -i -e 's/^[[:space:]]*//' -e '/^$/d' -e '/^<!--.*-->$/d' "$stage/index.html"
fi

chmod 755 "$stage"
rm -rf dist
mv "$stage" dist
echo "build-dist: dist/ with ${new}_bg.wasm and $(wc -w <<<"$chunks") split module(s) ready"
