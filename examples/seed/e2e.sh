#!/usr/bin/env bash
# The seed scenario end to end (needs root: it creates network namespaces). Runs SeedScenarioIT
# against a real API server and prints each step with what it ran and what came back.
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$top"
status=0
./mvnw -B -q -pl app -am verify -Dit.test=SeedScenarioIT -Dtest=NONE \
  -Dsurefire.failIfNoSpecifiedTests=false >/tmp/wayout-seed-e2e.log 2>&1 || status=$?
cat app/target/seed-e2e.txt
if ((status)); then
  echo "FAILED (exit $status); Maven's output: /tmp/wayout-seed-e2e.log" >&2
else
  echo; echo "PASSED: every step as the seed expects"
fi
exit $status
