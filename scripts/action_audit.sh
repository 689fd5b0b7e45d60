#!/usr/bin/env bash
# The audit step of action.yml, a script of its own so that it is tested (tests/test_action.py):
# each model of INPUT_MODELS is audited once for the pull request's annotations (--format github) and
# once into INPUT_SARIF_DIR/<n>.sarif for code scanning. The worst exit status goes to GITHUB_OUTPUT
# (exit-code) and is this script's own; the upload step runs whatever it is. With INPUT_SIGN_KEY, when every
# model passed, each is signed (`inspector sign`: audited again, its record added, MODEL.sig beside it).
set -uo pipefail

inspector="${INSPECTOR:-inspector}"
sarif_dir="${INPUT_SARIF_DIR:-inspector-sarif}"
# Split on all whitespace, newlines included: `models:` written as a YAML block holds one model a line, and
# `read` alone would take only the first (the others never audited, exit 0).
read -r -d '' -a models <<< "${INPUT_MODELS:-}" || true
read -r -a extra <<< "${INPUT_ARGS:-}"
if [ "${#models[@]}" -eq 0 ]; then
  echo "::error title=inspector::no model given (the action's 'models' input)"
  echo "exit-code=2" >> "${GITHUB_OUTPUT:-/dev/null}"
  exit 2
fi
mkdir -p "$sarif_dir"

worst=0
index=0
for model in "${models[@]}"; do
  index=$((index + 1))
  "$inspector" audit "${extra[@]}" --format github --source-root . -- "$model"
  status=$?
  "$inspector" audit "${extra[@]}" --format sarif --source-root . --output "$sarif_dir/$index.sarif" -- "$model"
  if [ "$status" -gt "$worst" ]; then
    worst=$status
  fi
done
# Signing: only when every model passed its audit, each is audited again and signed with its record.
if [ "$worst" -eq 0 ] && [ -n "${INPUT_SIGN_KEY:-}" ]; then
  for model in "${models[@]}"; do
    "$inspector" sign "${extra[@]}" --private-key "$INPUT_SIGN_KEY" -- "$model"
    status=$?
    if [ "$status" -gt "$worst" ]; then
      worst=$status
    fi
  done
fi
echo "exit-code=$worst" >> "${GITHUB_OUTPUT:-/dev/null}"
exit "$worst"
