#!/usr/bin/env bash
# Enforcer benchmark: creates 100 and 1,000 enforced namespaces on the test API server (real
# kube-apiserver + etcd on loopback), runs `wayout enforcer` as a process, and prints the time from
# each change to all NetworkPolicies in sync, and the enforcer's resident memory. No assertions.
#   bench/enforcer/run.sh            # 100 and 1000
#   bench/enforcer/run.sh 100 5000   # other sizes
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -B -q -pl app -am package -DskipTests
cp=$(./mvnw -B -q -pl testing dependency:build-classpath -Dmdep.outputFile=/dev/stdout -Dmdep.includeScope=runtime)
cp="testing/target/classes:certs/target/classes:${cp}"
exec java -cp "$cp" bench/enforcer/EnforcerBench.java "$@"
