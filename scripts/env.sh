# Sourced by the scripts: cargo on PATH and one target dir kept outside the
# clone, so that CI and repeated runs reuse the build.
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/plateau-target}"
