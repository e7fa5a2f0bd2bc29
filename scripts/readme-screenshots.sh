#!/bin/bash
# The README's screenshots, from the end-to-end run: every `wb.screenshot(step)` of a test is also
# saved as test-results/e2e/steps/<test>/<step>.png (test/e2e/harness.ts); this copies the chosen
# ones to docs/images/<test>-<step>.png, which README.md shows. With --run it first packages the
# extension and runs the e2e files they come from (needs `bash test/e2e/install.sh` once).
#   bash scripts/readme-screenshots.sh [--run]
set -euo pipefail
cd "$(dirname "$0")/.."
# <test>/<step>: the e2e test's name (withWorkbench's `name`) and the step.
shots=(
  problems/problems
  review/conducted
  review/review-changes
  review/failing-test
  review/send-to-agent
  review/review-phase-changes
  plan/preview
  plan/tree-done
  plan/show-discoveries
  plan/rollback-confirm
)
if [ "${1:-}" = --run ]; then
  npm run package
  for t in $(printf '%s\n' "${shots[@]}" | cut -d/ -f1 | sort -u); do
    node --import tsx --test --test-reporter=spec "test/e2e/$t.e2e.ts"
  done
fi
mkdir -p docs/images
missing=0
for s in "${shots[@]}"; do
  from="test-results/e2e/steps/$s.png"
  to="docs/images/${s%%/*}-${s#*/}.png"
  if [ ! -f "$from" ]; then
    echo "missing: $from (run test/e2e/${s%%/*}.e2e.ts, or this script with --run)" >&2
    missing=1
    continue
  fi
  cp "$from" "$to"
  echo "$to"
done
exit "$missing"
