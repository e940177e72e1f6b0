#!/usr/bin/env bash
# Everything the tests need beyond Java and Maven, idempotent and quiet when already done:
#  - Debian packages for the network tests (iptables, iproute2) and kubectl's diff helper;
#  - kube-apiserver, etcd and kubectl for the integration tests (tools/test-apiserver.sh);
#  - the real node's binaries and Debian packages (tools/node/build.sh): kubelet, controller-manager,
#    scheduler, kube-proxy, CoreDNS, kube-router; containerd, runc, CNI plugins. The images are
#    built when the node starts (tools/build-images.sh needs the jar).
# Runs from the build (module testing, phase generate-resources) and from .ci/run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

missing=()
command -v iptables-restore >/dev/null || missing+=(iptables)
command -v ip >/dev/null || missing+=(iproute2)
command -v nsenter >/dev/null || missing+=(util-linux)
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo ">> installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q "${missing[@]}" >&2 || { apt-get update -q >&2 && apt-get install -y -q "${missing[@]}" >&2; }
  else
    echo "!! the network tests need: ${missing[*]} (install them as root)" >&2
  fi
fi

"$here/test-apiserver.sh" >/dev/null
"$here/node/build.sh" >/dev/null
