#!/usr/bin/env bash
# Stops the test node that tools/node/up.sh started and removes what it created: its processes
# (by the PIDs it recorded), the pods' containers, its interfaces, the outside namespace and its
# iptables rules, and the cluster's data (etcd, the kubelet's folder). The loaded images and the
# certificates stay for the next start; WAYOUT_NODE_PURGE=1 removes the whole state folder.
set -uo pipefail
STATE="${WAYOUT_NODE_STATE:-/var/lib/wayout-node}"
RUN=/run/wayout-node
PIDS="$RUN/pids"

stop() { # name: SIGTERM, then SIGKILL after 10 s
  local f="$PIDS/$1" pid
  [[ -f $f ]] || return 0
  pid="$(cat "$f")"
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
  rm -f "$f"
}
# The kubelet first, so nothing restarts the containers; then every container, then the rest.
stop kubelet
if [[ -S $RUN/containerd.sock ]]; then
  ctr_() { ctr --address "$RUN/containerd.sock" -n k8s.io "$@"; }
  for t in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks kill -s SIGKILL "$t" >/dev/null 2>&1; done
  sleep 1
  for t in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks delete -f "$t" >/dev/null 2>&1; done
  for c in $(ctr_ containers ls -q 2>/dev/null); do ctr_ containers delete "$c" >/dev/null 2>&1; done
fi
for name in kube-router kube-proxy kube-scheduler kube-controller-manager kube-apiserver etcd containerd; do
  stop "$name"
done
# containerd-shim processes outlive containerd by design: end the ones of this instance.
pkill -KILL -f "containerd-shim.*-address $RUN/containerd.sock" 2>/dev/null || true

# Pod network namespaces (the CNI plugin's veths go with them), the bridge, the outside host.
for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^cni-'); do ip netns delete "$ns"; done
grep -o "$STATE/kubelet/[^ ]*" /proc/mounts 2>/dev/null | sort -r | xargs -r -n1 umount -l 2>/dev/null
grep -o "$RUN/[^ ]*" /proc/mounts 2>/dev/null | sort -r | xargs -r -n1 umount -l 2>/dev/null
grep -o "$STATE/containerd/[^ ]*" /proc/mounts 2>/dev/null | sort -r | xargs -r -n1 umount -l 2>/dev/null
ip link delete wo-cni0 2>/dev/null
ip link delete wo-ext0 2>/dev/null
ip netns delete wo-ext 2>/dev/null

# iptables: the chains kube-proxy and kube-router made, and this script's own rule.
iptables -t nat -D POSTROUTING -s 10.244.0.0/24 -d 203.0.113.10/32 -m comment --comment wayout-node -j MASQUERADE 2>/dev/null
iptables -D FORWARD -s 10.244.0.0/24 -j WAYOUT-NODE-GUARD 2>/dev/null
iptables -F WAYOUT-NODE-GUARD 2>/dev/null; iptables -X WAYOUT-NODE-GUARD 2>/dev/null
ip6tables -D FORWARD -i wo-cni0 -j DROP 2>/dev/null
for table in filter nat mangle raw; do
  # eval: the rules carry quoted comments with spaces
  iptables-save -t "$table" 2>/dev/null | grep -E '^-A [A-Z]+ .*-j KUBE-' | grep -v '^-A KUBE' |
    while read -r rule; do eval "iptables -t $table ${rule/-A/-D}" 2>/dev/null; done
  for chain in $(iptables-save -t "$table" 2>/dev/null | awk '/^:KUBE-/ {print substr($1, 2)}'); do
    iptables -t "$table" -F "$chain" 2>/dev/null
  done
  for chain in $(iptables-save -t "$table" 2>/dev/null | awk '/^:KUBE-/ {print substr($1, 2)}'); do
    iptables -t "$table" -X "$chain" 2>/dev/null
  done
done
for set in $(ipset list -n 2>/dev/null | grep -E '^(KUBE-|kube-router)'); do ipset destroy "$set" 2>/dev/null; done
rm -rf "$RUN"
if [[ -n ${WAYOUT_NODE_PURGE:-} ]]; then rm -rf "$STATE"; else rm -rf "$STATE/etcd" "$STATE/kubelet" "$STATE/cni/ipam"; fi
exit 0
