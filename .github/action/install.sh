#!/usr/bin/env bash
# Step 1 of the gate action: provide a gate binary, and the kernel
# interfaces its eBPF engine uses. Output: `gate=<path>` in $GITHUB_OUTPUT.
# Inputs (environment): INPUT_GATE_BINARY (a prebuilt binary, optional).
set -euo pipefail
: "${GITHUB_OUTPUT:?run inside GitHub Actions (GITHUB_OUTPUT is not set)}"
action_dir="${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/../.." && pwd)}"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ -n "${INPUT_GATE_BINARY:-}" ]; then
  if [ ! -x "$INPUT_GATE_BINARY" ]; then
    echo "::error title=gate::gate-binary $INPUT_GATE_BINARY is not an executable file"
    exit 2
  fi
  gate="$(cd "$(dirname "$INPUT_GATE_BINARY")" && pwd)/$(basename "$INPUT_GATE_BINARY")"
else
  target_dir="${RUNNER_TEMP:-/tmp}/gate-target"
  gate="$target_dir/release/gate"
  if [ -x "$gate" ] && "$gate" --version >/dev/null 2>&1; then
    # Restored by the action's cache step, keyed on this gate version.
    echo "gate: using the cached binary of this version"
  else
    # Building compiles the BPF programs: clang-19 and the libbpf headers.
    missing=()
    command -v clang-19 >/dev/null || missing+=(clang-19)
    [ -e /usr/include/bpf/bpf_helpers.h ] || missing+=(libbpf-dev)
    if [ ${#missing[@]} -gt 0 ]; then
      as_root apt-get update -qq
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    command -v cargo >/dev/null || {
      echo "::error title=gate::cargo is not installed: add a Rust toolchain step (dtolnay/rust-toolchain@stable) before gate, or pass gate-binary"
      exit 3
    }
    cargo build --release --locked --quiet --manifest-path "$action_dir/Cargo.toml" --target-dir "$target_dir"
  fi
fi

# Uprobes attach through perf events; some kernels resolve them through tracefs.
if [ ! -e /sys/kernel/tracing/uprobe_events ] && [ -d /sys/kernel/tracing ]; then
  as_root mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
fi

"$gate" --version
echo "gate=$gate" >>"$GITHUB_OUTPUT"
