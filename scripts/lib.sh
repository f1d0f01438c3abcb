# Shared by podplay's scripts: where things are, and the environment for a wasm build.
# Source it; it defines functions and variables, and runs nothing.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS="$ROOT/tools"
# wasm-opt (binaryen 132) and playwright-core come from npm into tools/node_modules.
export PATH="$TOOLS/node_modules/.bin:$HOME/.cargo/bin:$PATH"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The wasm-bindgen version Cargo.lock pins: wasm-bindgen-cli must be exactly this version.
wasm_bindgen_version() {
    awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

have_rustup_wasm_target() {
    rustup target list --installed 2>/dev/null | grep -qx 'wasm32-unknown-unknown'
}

# Sets the variables a wasm build needs. With rustup's wasm32 target nothing is needed; without it,
# std is built from Debian's sources with Debian's matching compiler (scripts/setup links it as the
# rustup toolchain "debian"). These variables must never reach a native build: -Zbuild-std needs
# an explicit --target.
wasm_env() {
    if have_rustup_wasm_target; then
        return
    fi
    export RUSTUP_TOOLCHAIN=debian
    export RUSTC_BOOTSTRAP=1
    export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
}
