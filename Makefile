# Leads Console: every command a newcomer needs, on a fresh machine.
#   make run    set up, build, and serve the console with demo data on :8080
#   make test   set up (test tools too) and run every test
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Tools installed here land on PATH for every recipe, and so do those
# `cargo install` puts in CARGO_HOME (rustup's own commands stay in ~/.cargo).
TOOLS := $(CURDIR)/.tools
CARGO_BIN := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
export PATH := $(TOOLS)/node_modules/.bin:$(CARGO_BIN):$(HOME)/.cargo/bin:$(PATH)

# Splits the console's wasm into the list and the extras fetched after it
# (scripts/build-dist.sh).
WASM_SPLIT_VERSION := 0.2.4
BINARYEN_VERSION := 132
# axe-core: the accessibility checker the browser tests run on each view.
AXE_VERSION := 4.14.1
# terser: minifies the script the page loads (scripts/build-dist.sh).
TERSER_VERSION := 5.51.4
# One npm install for all three: a second `npm install --no-save` would prune the first.
NPM_TOOLS := binaryen@$(BINARYEN_VERSION) axe-core@$(AXE_VERSION) terser@$(TERSER_VERSION)
# schemathesis: generates requests from /v1/openapi.json in the contract test.
SCHEMATHESIS_VERSION := 4.32.5
VENV := $(TOOLS)/venv
# wasm-bindgen-cli must match the wasm-bindgen in Cargo.lock exactly: the
# glue it writes must fit the crate's side of the boundary.
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

# The shipped wasm is built by a pinned nightly that rebuilds the standard
# library with `panic = immediate-abort`: no panic messages, file paths or
# formatting machinery in the download (a panic is a trap, which the page
# reports with the same notice). `fmt-debug=none` and `location-detail=none`
# drop Debug formatting and source locations too: `{:?}` prints nothing in
# the shipped build, so text a person reads never uses it. Leptos's
# `erase_components` shares view code between components. Everything else,
# tests and lint included, builds with rust-toolchain.toml's stable;
# `cargo build --target wasm32-unknown-unknown --bin leads-console` and then
# `scripts/build-dist.sh debug` give a debuggable stable build with panic
# messages.
WASM_TOOLCHAIN := nightly-2026-05-20
WASM_ENV := RUSTUP_TOOLCHAIN=$(WASM_TOOLCHAIN) CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
  RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zfmt-debug=none -Zlocation-detail=none \
  --cfg erase_components -Clink-args=--emit-relocs"

ADDR ?= 127.0.0.1:8080
DB ?= leads.db
SERVER := target/release/leads-server

.PHONY: help setup setup-test dist build build-test-server run demo test lint screenshot bench clean

help:
	@echo "make run   - set up, build and start the console with demo data at http://$(ADDR)"
	@echo "make demo  - the same, with a new lead arriving live every $(CALLS) seconds"
	@echo "make test  - set up and run every test (unit, API contract, browser)"
	@echo "make build - build dist/ (the console) and $(SERVER)"
	@echo "make lint  - rustfmt and clippy, as CI runs them"
	@echo "make screenshot - retake docs/screenshot.png for the README"
	@echo "make bench - measure sizes and the server; writes bench/report.md and .json"

## Build tools: a C compiler for the bundled SQLite and ring, the pinned Rust
## (rust-toolchain.toml, with the wasm target), the pinned nightly for the
## shipped wasm (WASM_TOOLCHAIN), wasm-split-cli, wasm-bindgen-cli,
## binaryen's wasm-opt and terser (and axe-core, from npm with it), brotli.
## `setup-test` adds the browsers the browser tests drive with their
## WebDrivers (Debian's Chromium, Firefox ESR and WebKitGTK's MiniBrowser
## with Xvfb; geckodriver from crates.io), schemathesis (PyPI, in its own
## virtualenv) for the OpenAPI contract test, and Debian's PostgreSQL, of
## which the server tests start a cluster of their own.
##
## On a fresh machine most of this is waiting on the network while cargo
## builds the tools, so the parts run side by side (`-j`): the compiler and
## the pinned Rust first, then the nightly, the cargo tools, npm, apt (one
## apt-get for every missing package) and the virtualenv at once.
BUILD_PKGS := brotli
TEST_PKGS := chromium chromium-driver firefox-esr webkit2gtk-driver xvfb postgresql
setup:
	@$(MAKE) --no-print-directory setup-rust
	@$(MAKE) --no-print-directory -j4 setup-nightly setup-cargo-tools setup-npm setup-apt PKGS_WANTED="$(BUILD_PKGS)"
	@echo "setup: build tools ready"

setup-test:
	@$(MAKE) --no-print-directory setup-rust
	@$(MAKE) --no-print-directory -j6 setup-nightly setup-cargo-tools setup-geckodriver setup-npm setup-apt setup-venv \
	  PKGS_WANTED="$(BUILD_PKGS) $(TEST_PKGS)"
	@echo "setup-test: browsers ready ($$(/usr/bin/chromium --version 2>/dev/null); $$(firefox-esr --version 2>/dev/null); WebKitGTK $$(dpkg-query -W -f='$${Version}' webkit2gtk-driver 2>/dev/null))"

.PHONY: setup-rust setup-nightly setup-cargo-tools setup-geckodriver setup-npm setup-apt setup-venv
# The compiler and rust-toolchain.toml's Rust (rustup installs it on first
# use, with its wasm target), before anything runs cargo concurrently.
setup-rust:
	@{ command -v cc >/dev/null && [ -f /usr/include/stdio.h ]; } \
	  || $(MAKE) --no-print-directory apt-packages PKGS="gcc libc6-dev"
	@rustc --version >/dev/null 2>&1 || rustup toolchain install
	@rustup target list --installed | grep -qx wasm32-unknown-unknown \
	  || rustup target add wasm32-unknown-unknown

setup-nightly:
	@rustup +$(WASM_TOOLCHAIN) component list --installed 2>/dev/null | grep -q '^rust-src' \
	  || rustup toolchain install $(WASM_TOOLCHAIN) --profile minimal \
	       --component rust-src --target wasm32-unknown-unknown

# The build tools run once per build on a module of a few hundred KB, so
# they are built for build time, not run time: without whole-program LTO,
# lightly optimised, without the TLS that only their downloads (which this
# build never asks for) need, and in one target directory so the crates they
# share are built once.
TOOL_BUILD := CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
  CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_TARGET_DIR="$(TOOLS)/cargo-target"
setup-cargo-tools:
	@wasm-bindgen --version 2>/dev/null | grep -qF "$(WASM_BINDGEN_VERSION)" \
	  || $(TOOL_BUILD) cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) \
	       --no-default-features --bin wasm-bindgen
	@cargo install --list | grep -qxF "wasm_split_cli_support v$(WASM_SPLIT_VERSION):" \
	  || $(TOOL_BUILD) cargo install --locked wasm_split_cli_support --version $(WASM_SPLIT_VERSION) --features build-binary

# Firefox's WebDriver, for the browser tests in Firefox: not packaged by
# Debian, so built from crates.io. Unoptimised and without debug info: it
# only relays commands, as fast for the tests, and its build takes a third
# less CPU (91 s against 136 s at opt-level 1) beside the other tools'.
GECKODRIVER_VERSION := 0.37.1
setup-geckodriver:
	@geckodriver --version 2>/dev/null | grep -qF "geckodriver $(GECKODRIVER_VERSION)" \
	  || CARGO_PROFILE_DEV_DEBUG=0 CARGO_TARGET_DIR="$(TOOLS)/cargo-target" \
	     cargo install --locked --debug geckodriver --version $(GECKODRIVER_VERSION)

setup-npm:
	@{ wasm-opt --version 2>/dev/null | grep -qF "version $(BINARYEN_VERSION)" \
	   && grep -qF '"version": "$(AXE_VERSION)"' "$(TOOLS)/node_modules/axe-core/package.json" 2>/dev/null \
	   && grep -qF '"version": "$(TERSER_VERSION)"' "$(TOOLS)/node_modules/terser/package.json" 2>/dev/null; } \
	  || npm install --prefix "$(TOOLS)" --no-save --no-audit --no-fund $(NPM_TOOLS)

# One apt-get for whatever of PKGS_WANTED (and python3's venv, which the
# virtualenv needs) is missing: two at once would fight over dpkg's lock.
setup-apt:
	@missing="$$(for p in $(PKGS_WANTED); do dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q 'ok installed' || echo "$$p"; done; \
	  { command -v python3 >/dev/null && python3 -c 'import ensurepip, venv' 2>/dev/null; } \
	    || echo "python3 python3-venv")"; \
	  [ -z "$$missing" ] || $(MAKE) --no-print-directory apt-packages PKGS="$$(echo $$missing)"

setup-venv: setup-apt
	@"$(VENV)/bin/st" --version 2>/dev/null | grep -qF "$(SCHEMATHESIS_VERSION)" || { \
	  python3 -m venv "$(VENV)" \
	    && "$(VENV)/bin/pip" install -q --disable-pip-version-check "schemathesis==$(SCHEMATHESIS_VERSION)"; }

.PHONY: apt-packages
apt-packages:
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(PKGS)

## dist/: the console, split, optimised and precompressed.
dist: setup
	$(WASM_ENV) cargo build --release --target wasm32-unknown-unknown --bin leads-console
	scripts/build-dist.sh release
	@for f in dist/*.wasm dist/*.js dist/*.css dist/snippets/*/*.js dist/i18n/*.json; do brotli -f -q 11 -k "$$f"; done

## dist/ and the release server.
build: dist
	cargo build --release -p leads-server
	@echo "build: dist/ and $(SERVER) ready"

## The server with the test fault injector built in, optimised, for
## `make screenshot` (its slow answers); `make test` starts the debug build
## that `cargo test --features test-faults` makes. No whole-program LTO:
## nothing ships it.
build-test-server: setup
	CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
	  cargo build --release -p leads-server --features test-faults --bin leads-test-server

run: build
	$(SERVER) --addr $(ADDR) --db $(DB) --dist dist

## `make run` with a made-up caller every CALLS seconds, delivered through
## the server's own signed webhook, on a database of its own: watch the
## console go live.
CALLS ?= 5
DEMO_DB ?= demo.db
demo: build
	$(SERVER) --addr $(ADDR) --db $(DEMO_DB) --dist dist --simulate-calls $(CALLS)

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p leads-server --all-targets --features test-faults -- -D warnings
	cargo clippy --target wasm32-unknown-unknown -p leads-console -- -D warnings

# Every test, and the lint: the compiles the tests need run clippy's lints
# as they go (clippy-driver compiles as rustc does, with `-D warnings`), so
# the workspace is built once rather than checked and then built. The
# server with its fault injector comes first: the browser tests start it.
# `cargo test` runs every browser test in Chromium; then the ones
# tests/browser/every-engine.txt names run in Firefox and WebKit. The
# server's in-process tests (contract, store and search, properties,
# OpenAPI, events, sign-in, proxy) run again on PostgreSQL, in a cluster
# the tests start and stop themselves.
POSTGRES_TESTS := contract store fuzz openapi limits live serving sign_in proxy instances mirror
CLIPPY_BUILD = RUSTC_WORKSPACE_WRAPPER="$$(rustup which clippy-driver)" CLIPPY_ARGS=-Dwarnings
test: setup-test dist
	cargo fmt --all -- --check
	cargo clippy --target wasm32-unknown-unknown -p leads-console -- -D warnings
	$(CLIPPY_BUILD) cargo test -p leads-server --features test-faults --no-run
	$(CLIPPY_BUILD) cargo test --workspace -- --test-threads=2
	$(CLIPPY_BUILD) cargo test -p leads-server --features test-faults \
	  --test proxy --test process --test sign_in -- --test-threads=2
	LEADS_TEST_DATABASE=postgres $(CLIPPY_BUILD) cargo test -p leads-server --features test-faults \
	  $(foreach t,$(POSTGRES_TESTS),--test $(t)) -- --test-threads=2
	$(CLIPPY_BUILD) scripts/browser-engines.sh firefox webkit

## The README's pictures, taken from the real build with demo data: the
## list, and a bulk change in progress (the test server answers slowly).
screenshot: setup-test build build-test-server websocket-client
	@command -v curl >/dev/null || $(MAKE) --no-print-directory apt-packages PKGS=curl
	scripts/screenshot.sh docs/screenshot.png
	"$(VENV)/bin/python" scripts/screenshot_bulk.py docs/bulk.png
	"$(VENV)/bin/python" scripts/screenshot_live.py docs/live

## Measurements, not tests: sizes and server latency (bench/bench.py says
## what each section does). oha drives the load, twiggy names the wasm's
## largest items; both from crates.io.
OHA_VERSION := 1.16.0
TWIGGY_VERSION := 0.8.0
# The bench speaks to Chromium over the DevTools protocol with it.
WEBSOCKET_CLIENT_VERSION := 1.8.0
bench: setup-test build build-test-server websocket-client
	@oha --version 2>/dev/null | grep -qF "$(OHA_VERSION)" \
	  || cargo install oha --version $(OHA_VERSION) --locked
	@twiggy --version 2>/dev/null | grep -qF "$(TWIGGY_VERSION)" \
	  || cargo install twiggy --version $(TWIGGY_VERSION) --locked
	@# The React 19 reference of the same list, built from bench/react/'s lock.
	cd bench/react && npm ci --no-audit --no-fund --ignore-scripts && npm run build
	"$(VENV)/bin/python" bench/bench.py

.PHONY: websocket-client
websocket-client: setup-test
	@"$(VENV)/bin/python" -c 'import websocket' 2>/dev/null \
	  || "$(VENV)/bin/pip" install -q --disable-pip-version-check "websocket-client==$(WEBSOCKET_CLIENT_VERSION)"

clean:
	cargo clean
	rm -rf dist
