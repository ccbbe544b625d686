#!/usr/bin/env bash
# The dependency budgets the README states, measured as a user meets them: an
# application crate outside the workspace that depends on `webhook-server` alone,
# once with the default features and once without. A crate counts once, whatever
# its versions' features; the application itself is not counted.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
status=0

check() {
    local name=$1 dependency=$2 budget=$3
    mkdir -p "$work/$name/src"
    echo 'fn main() {}' > "$work/$name/src/main.rs"
    cat > "$work/$name/Cargo.toml" <<EOF
[package]
name = "$name"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
webhook-server = $dependency

[patch.crates-io]
webhook-server = { path = "$repo/webhook-server" }
webhook-core = { path = "$repo/webhook-core" }
webhook-macros = { path = "$repo/webhook-macros" }

[workspace]
EOF
    cp "$repo/Cargo.lock" "$work/$name/Cargo.lock"
    local crates
    crates=$(cargo tree --quiet --manifest-path "$work/$name/Cargo.toml" -e normal --prefix none \
        | sed 's/ (\*)//; s/ (proc-macro)//' | sort -u | grep -v "^$name v" | wc -l)
    local c_compiler
    c_compiler=$(cargo tree --quiet --manifest-path "$work/$name/Cargo.toml" -e normal,build \
        --prefix none | grep -cE '^cc v' || true)
    echo "$name: $crates crates (budget $budget), C compiler needed: $([ "$c_compiler" -gt 0 ] && echo yes || echo no)"
    if [ "$crates" -gt "$budget" ]; then
        echo "  over budget: cargo tree --manifest-path $work/$name/Cargo.toml -e normal" >&2
        status=1
    fi
    if [ "$name" = "no-default-features" ] && [ "$c_compiler" -gt 0 ]; then
        echo "  needs a C compiler without default features:" >&2
        cargo tree --quiet --manifest-path "$work/$name/Cargo.toml" -e normal,build -i cc >&2
        status=1
    fi
}

check default-features '"0.1"' 100
check no-default-features '{ version = "0.1", default-features = false }' 70
exit $status
