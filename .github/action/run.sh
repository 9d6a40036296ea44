#!/usr/bin/env bash
# Step 2 of the gate action: run gate with the action's inputs, as root (eBPF
# needs it; hosted runners have passwordless sudo), and set the outputs.
# gate itself writes the job summary ($GITHUB_STEP_SUMMARY) and at most 10
# annotations when GITHUB_ACTIONS=true.
#
# Inputs (environment): GATE_BIN, INPUT_TARGETS, INPUT_RULES, INPUT_BASELINE,
# INPUT_JSON, INPUT_JUNIT, INPUT_SARIF, INPUT_TEST_FLAGS, INPUT_REPEAT,
# INPUT_ARGS, INPUT_FAIL_ON_FINDINGS.
# Outputs: verdict (pass|fail|error), exit-code, json, junit, sarif.
set -uo pipefail
: "${GITHUB_OUTPUT:?run inside GitHub Actions (GITHUB_OUTPUT is not set)}"
: "${GATE_BIN:?GATE_BIN is not set: the install step provides it}"

args=(run)
for r in ${INPUT_RULES:-}; do args+=(--rules "$r"); done
[ -n "${INPUT_JSON:-}" ] && args+=(--json "$INPUT_JSON")
[ -n "${INPUT_JUNIT:-}" ] && args+=(--junit "$INPUT_JUNIT")
[ -n "${INPUT_SARIF:-}" ] && args+=(--sarif "$INPUT_SARIF")
args+=(--repeat "${INPUT_REPEAT:-1}")
if [ -n "${INPUT_BASELINE:-}" ]; then
  if [ -f "$INPUT_BASELINE" ]; then
    args+=(--baseline "$INPUT_BASELINE")
  else
    echo "::warning title=gate::no baseline at $INPUT_BASELINE (the first run on main saves one); running without comparisons"
  fi
fi
# Splits an input into words the way a shell reads quotes ('^TestX$' and
# "a b" stay one word each), without expanding anything: no globs, no
# variables, no command substitution. Unbalanced quotes are a usage error.
split_words() {
  local -n _words=$1
  local parsed
  parsed=$(mktemp)
  if ! printf '%s\n' "$2" | xargs -r printf '%s\0' >"$parsed" 2>/dev/null; then
    rm -f "$parsed"
    echo "::error title=gate::input $3 has unbalanced quotes: $2"
    echo "verdict=error" >>"$GITHUB_OUTPUT"
    echo "exit-code=2" >>"$GITHUB_OUTPUT"
    exit 2
  fi
  mapfile -t -d '' _words <"$parsed"
  rm -f "$parsed"
}
split_words extra "${INPUT_ARGS:-}" args
split_words targets "${INPUT_TARGETS:-./...}" targets
split_words test_flags "${INPUT_TEST_FLAGS:-}" test-flags
args+=("${extra[@]}" "${targets[@]}")
[ ${#test_flags[@]} -gt 0 ] && args+=(-- "${test_flags[@]}")

# The job's environment goes with gate, whole: GOPROXY, GOPRIVATE, GOFLAGS,
# HOME, the tests' own variables. As root (a container) gate runs directly;
# otherwise through sudo, keeping the environment, PATH (sudo's secure_path
# would drop the Go toolchain) and the runner's Go caches.
marker=$(mktemp)
if [ "$(id -u)" = 0 ]; then
  "$GATE_BIN" "${args[@]}"
elif command -v sudo >/dev/null; then
  go_env=()
  if command -v go >/dev/null; then
    for v in GOCACHE GOMODCACHE GOPATH; do go_env+=("$v=$(go env "$v")"); done
  fi
  sudo --preserve-env env "PATH=$PATH" "HOME=$HOME" "${go_env[@]}" "$GATE_BIN" "${args[@]}"
else
  echo "::error title=gate::gate needs root for eBPF: run the job as root (a container) or on a runner with sudo"
  echo "verdict=error" >>"$GITHUB_OUTPUT"
  echo "exit-code=3" >>"$GITHUB_OUTPUT"
  exit 3
fi
code=$?

# Reports, and what the build added to the runner's Go caches, were written
# as root: they must stay usable by the job's later steps.
if [ "$(id -u)" != 0 ]; then
  for f in "${INPUT_JSON:-}" "${INPUT_JUNIT:-}" "${INPUT_SARIF:-}"; do
    [ -n "$f" ] && [ -e "$f" ] && sudo chown "$(id -u):$(id -g)" "$f" "$(dirname "$f")" 2>/dev/null
  done
  for v in "${go_env[@]}"; do
    dir=${v#*=}
    [ -d "$dir" ] && sudo find "$dir" -newer "$marker" -user 0 -exec chown -h "$(id -u):$(id -g)" {} + 2>/dev/null
  done
fi
rm -f "$marker"

case $code in
  0) verdict=pass ;;
  1) verdict=fail ;;
  *) verdict=error ;;
esac
{
  echo "verdict=$verdict"
  echo "exit-code=$code"
  echo "json=${INPUT_JSON:-}"
  echo "junit=${INPUT_JUNIT:-}"
  echo "sarif=${INPUT_SARIF:-}"
} >>"$GITHUB_OUTPUT"

if [ "$code" = 1 ] && [ "${INPUT_FAIL_ON_FINDINGS:-true}" != "true" ]; then
  echo "gate failed, but fail-on-findings is false: the step passes"
  exit 0
fi
exit "$code"
