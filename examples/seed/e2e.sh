#!/usr/bin/env bash
# The seed scenario end to end (needs root), printing each step with what it ran and what came
# back:
#   ./e2e.sh          SeedScenarioIT: a real API server and Linux network namespaces
#   ./e2e.sh --node   SeedOnNodeIT: a real node (tools/node), Wayout installed from its own image,
#                     real pods and the seed's own commands, then the bypass and failure drills
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$top"
test=SeedScenarioIT transcript=seed-e2e.txt where=""
if [[ ${1:-} == --node ]]; then test=SeedOnNodeIT transcript=seed-node.txt where=", on a real node"; fi
log="/tmp/wayout-$test.log"
status=0
./mvnw -B -q -pl app -am verify -Dit.test="$test" -Dtest=NONE \
  -Dsurefire.failIfNoSpecifiedTests=false >"$log" 2>&1 || status=$?
cat "app/target/$transcript"
if ((status)); then
  echo "FAILED (exit $status); Maven's output: $log" >&2
else
  echo; echo "PASSED: every step as the seed expects$where"
fi
exit $status
