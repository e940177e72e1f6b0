#!/usr/bin/env bash
# The seed scenario on a real node (needs root): starts the single-node cluster of tools/node,
# installs Wayout with `kubectl apply -k manifests/` from its own image, runs the seed's steps with
# real pods and the seed's own commands, then the bypass and failure drills (SeedOnNodeIT), and
# prints each step with what it ran and what came back. The node is stopped at the end.
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$top"
status=0
./mvnw -B -q -pl app -am verify -Dit.test=SeedOnNodeIT -Dtest=NONE \
  -Dsurefire.failIfNoSpecifiedTests=false >/tmp/wayout-seed-node.log 2>&1 || status=$?
cat app/target/seed-node.txt
if ((status)); then
  echo "FAILED (exit $status); Maven's output: /tmp/wayout-seed-node.log" >&2
else
  echo; echo "PASSED: every step as the seed expects, on a real node"
fi
exit $status
