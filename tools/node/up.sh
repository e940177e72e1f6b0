#!/usr/bin/env bash
# Starts a real single-node Kubernetes cluster on this machine, for tests and for trying Wayout:
# containerd + runc (Debian), etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
# kubelet, kube-proxy (iptables), kube-router as the NetworkPolicy agent, the CNI bridge plugin,
# and CoreDNS as a pod. Built by tools/node/build.sh and tools/build-images.sh (both cached).
#
#   tools/node/up.sh            # prints the kubeconfig path last; KUBECONFIG=$(tools/node/up.sh | tail -1)
#   tools/node/down.sh          # stops every process it started and removes what it created
#
# Addresses: everything lives on interfaces this script creates. The node is 10.244.0.1 on the
# bridge wo-cni0 (pods 10.244.0.0/24, services 10.96.0.0/16: inside the manifests' default
# WAYOUT_CLUSTER_CIDRS). The "outside world" is one network namespace, wo-ext, at 203.0.113.10
# (a documentation address), where the seed's aliyun.com stand-in runs (tools/node/site.sh);
# CoreDNS resolves aliyun.com there and resolves nothing else outside the cluster.
# Needs root. Idempotent: a node that is already up is left as it is.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

STATE="${WAYOUT_NODE_STATE:-/var/lib/wayout-node}"
RUN=/run/wayout-node
NODE_NAME=wayout-node
NODE_IP=10.244.0.1
POD_CIDR=10.244.0.0/24
CLUSTER_POD_CIDR=10.244.0.0/16
SERVICE_CIDR=10.96.0.0/16
KUBERNETES_SVC_IP=10.96.0.1
DNS_IP=10.96.0.10
EXT_IP=203.0.113.10
EXT_GW=203.0.113.1
API_PORT=6443
ETCD_PORT=12379
LOGS="$STATE/logs"
PIDS="$RUN/pids"

[[ $(id -u) -eq 0 ]] || { echo "tools/node/up.sh needs root" >&2; exit 1; }
k8s="$("$repo/tools/test-apiserver.sh")"
node="$("$here/build.sh")"
images="${WAYOUT_NODE_IMAGES:-$(dirname "$("$repo/tools/build-images.sh" | tail -1)")}"
# CoreDNS binds port 53: its image runs as root (the pod adds nothing else).
[[ -f $images/coredns.tar && $images/coredns.tar -nt $node/coredns ]] ||
  IMAGE_USER=0:0 "$repo/tools/images/from-binary.sh" wayout.local/coredns:node "$node/coredns" "$images/coredns.tar" >&2
mkdir -p "$STATE" "$RUN" "$LOGS" "$PIDS"
export KUBECONFIG="$STATE/admin.kubeconfig"

running() { [[ -f $PIDS/$1 ]] && kill -0 "$(cat "$PIDS/$1")" 2>/dev/null; }
start() { # name command...: runs in the background, logs to $LOGS/name.log, pid in $PIDS/name
  local name=$1; shift
  running "$name" && return 0
  setsid "$@" >>"$LOGS/$name.log" 2>&1 < /dev/null &
  echo $! > "$PIDS/$name"
}
wait_for() { # what seconds command...
  local what=$1 seconds=$2; shift 2
  for _ in $(seq 1 $((seconds * 2))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "!! $what did not come up within ${seconds}s; see $LOGS" >&2
  return 1
}

# --- certificates: one CA for everything (a test cluster), each component its own pair -------
pki="$STATE/pki"
if [[ ! -f $pki/ca.crt ]]; then
  mkdir -p "$pki"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=wayout-node-ca" \
    -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null
  issue() { # name subject [san]
    local name=$1 subject=$2 san=${3:-}
    openssl req -newkey rsa:2048 -nodes -subj "$subject" -keyout "$pki/$name.key" -out "$pki/$name.csr" 2>/dev/null
    local ext="$pki/$name.ext"
    { echo "basicConstraints=CA:FALSE"; echo "keyUsage=digitalSignature,keyEncipherment"
      echo "extendedKeyUsage=serverAuth,clientAuth"; [[ -n $san ]] && echo "subjectAltName=$san"; } > "$ext"
    openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
      -days 3650 -extfile "$ext" -out "$pki/$name.crt" 2>/dev/null
    rm -f "$pki/$name.csr" "$ext"
  }
  issue apiserver "/CN=kube-apiserver" \
    "IP:$NODE_IP,IP:$KUBERNETES_SVC_IP,IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  issue admin "/O=system:masters/CN=admin"
  issue apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
  issue controller-manager "/CN=system:kube-controller-manager"
  issue scheduler "/CN=system:kube-scheduler"
  issue kubelet "/O=system:nodes/CN=system:node:$NODE_NAME" "IP:$NODE_IP,DNS:$NODE_NAME"
  issue kube-proxy "/CN=system:kube-proxy"
  issue kube-router "/O=system:masters/CN=kube-router"
  openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
  openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
fi
kubeconfig() { # name -> $STATE/name.kubeconfig
  local f="$STATE/$1.kubeconfig"
  [[ -f $f ]] && return 0
  cat > "$f" <<KC
apiVersion: v1
kind: Config
clusters:
- name: wayout-node
  cluster: {server: "https://$NODE_IP:$API_PORT", certificate-authority: "$pki/ca.crt"}
users:
- name: $1
  user: {client-certificate: "$pki/$1.crt", client-key: "$pki/$1.key"}
contexts:
- name: wayout-node
  context: {cluster: wayout-node, user: $1}
current-context: wayout-node
KC
}
for c in admin controller-manager scheduler kubelet kube-proxy kube-router; do kubeconfig "$c"; done

# --- the node's network: a bridge for pods (the node's address) and one outside host ---------
sysctl -qw net.ipv4.ip_forward=1
sysctl -qw net.bridge.bridge-nf-call-iptables=1 net.bridge.bridge-nf-call-ip6tables=1 2>/dev/null || true
if ! ip link show wo-cni0 >/dev/null 2>&1; then
  ip link add wo-cni0 type bridge
  ip addr add "$NODE_IP/24" dev wo-cni0
  ip link set wo-cni0 up
fi
# The outside host: /32 addresses on the host side only. This machine's own network may itself
# use documentation ranges (its package mirror can be at 203.0.113.80), so a /24 route here
# would take that traffic away from it.
if ! ip netns list | grep -qw wo-ext; then
  ip netns add wo-ext
  ip link add wo-ext0 type veth peer name eth0 netns wo-ext
  ip addr add "$EXT_GW/32" dev wo-ext0
  ip link set wo-ext0 up
  ip route add "$EXT_IP/32" dev wo-ext0
  ip -n wo-ext addr add "$EXT_IP/24" dev eth0
  ip -n wo-ext link set eth0 up
  ip -n wo-ext link set lo up
  ip -n wo-ext route add default via "$EXT_GW"
fi
# Pods that are let out at all leave masqueraded as the node, as on a cloud node, and only to the
# outside host: a guard in FORWARD drops everything else, whatever Wayout does, so no pod ever
# reaches this machine's real network. Wayout's tests aim at the outside host, so the guard never
# decides their outcome.
iptables -N WAYOUT-NODE-GUARD 2>/dev/null || iptables -F WAYOUT-NODE-GUARD
iptables -A WAYOUT-NODE-GUARD -d "$CLUSTER_POD_CIDR" -j RETURN
iptables -A WAYOUT-NODE-GUARD -d "$SERVICE_CIDR" -j RETURN
iptables -A WAYOUT-NODE-GUARD -d "$EXT_IP/32" -j RETURN
iptables -A WAYOUT-NODE-GUARD -j DROP
iptables -C FORWARD -s "$POD_CIDR" -j WAYOUT-NODE-GUARD 2>/dev/null || iptables -I FORWARD -s "$POD_CIDR" -j WAYOUT-NODE-GUARD
ip6tables -C FORWARD -i wo-cni0 -j DROP 2>/dev/null || ip6tables -I FORWARD -i wo-cni0 -j DROP
iptables -t nat -C POSTROUTING -s "$POD_CIDR" -d "$EXT_IP/32" -m comment --comment wayout-node -j MASQUERADE 2>/dev/null ||
  iptables -t nat -A POSTROUTING -s "$POD_CIDR" -d "$EXT_IP/32" -m comment --comment wayout-node -j MASQUERADE

mkdir -p "$STATE/cni/net.d"
cat > "$STATE/cni/net.d/10-wayout-node.conflist" <<CNI
{
  "cniVersion": "1.0.0",
  "name": "wayout-node",
  "plugins": [
    {"type": "bridge", "bridge": "wo-cni0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
     "ipam": {"type": "host-local", "ranges": [[{"subnet": "$POD_CIDR", "gateway": "$NODE_IP"}]],
              "routes": [{"dst": "0.0.0.0/0"}], "dataDir": "$STATE/cni/ipam"}},
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
CNI

# --- containerd (a private instance: its own socket, root and state) ---------------------------
cat > "$STATE/containerd.toml" <<TOML
version = 2
root = "$STATE/containerd"
state = "$RUN/containerd"
[grpc]
  address = "$RUN/containerd.sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.10"
  # Machines such as this one's sandbox lack CAP_SYS_RESOURCE, so runc cannot give a pod the
  # kubelet's negative oom_score_adj (-998 for sandboxes); keep it no lower than containerd's own.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$STATE/cni/net.d"
TOML
start containerd containerd --config "$STATE/containerd.toml"
ctr_() { ctr --address "$RUN/containerd.sock" -n k8s.io "$@"; }
wait_for containerd 30 ctr_ version
# Images are built locally and loaded: nothing is ever pulled (no registry is reachable).
for archive in "$images"/*.tar; do
  stamp="$STATE/imported-$(basename "$archive").sha"
  sum="$(sha256sum "$archive" | cut -d' ' -f1)"
  [[ -f $stamp && $(cat "$stamp") == "$sum" ]] && continue
  ctr_ images import --all-platforms "$archive" >/dev/null
  echo "$sum" > "$stamp"
done

# --- control plane -----------------------------------------------------------------------------
start etcd "$k8s/etcd" --data-dir "$STATE/etcd" --unsafe-no-fsync=true \
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls http://127.0.0.1:12380 --initial-advertise-peer-urls http://127.0.0.1:12380 \
  --initial-cluster default=http://127.0.0.1:12380 --listen-metrics-urls http://127.0.0.1:12381
wait_for etcd 30 curl -sf "http://127.0.0.1:$ETCD_PORT/health"

start kube-apiserver "$k8s/kube-apiserver" --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
  --bind-address "$NODE_IP" --advertise-address "$NODE_IP" --secure-port "$API_PORT" \
  --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
  --client-ca-file "$pki/ca.crt" --kubelet-client-certificate "$pki/apiserver-kubelet-client.crt" \
  --kubelet-client-key "$pki/apiserver-kubelet-client.key" --kubelet-certificate-authority "$pki/ca.crt" \
  --kubelet-preferred-address-types InternalIP \
  --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
  --service-cluster-ip-range "$SERVICE_CIDR" --allow-privileged=true \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
  --profiling=false
kc() { "$k8s/kubectl" "$@"; }
wait_for kube-apiserver 60 kc get --raw /readyz

start kube-controller-manager "$node/kube-controller-manager" --kubeconfig "$STATE/controller-manager.kubeconfig" \
  --authentication-kubeconfig "$STATE/controller-manager.kubeconfig" \
  --authorization-kubeconfig "$STATE/controller-manager.kubeconfig" \
  --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
  --use-service-account-credentials=true --leader-elect=false --bind-address 127.0.0.1 \
  --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
  --service-cluster-ip-range "$SERVICE_CIDR" --cluster-cidr "$CLUSTER_POD_CIDR" --allocate-node-cidrs=false
start kube-scheduler "$node/kube-scheduler" --kubeconfig "$STATE/scheduler.kubeconfig" \
  --authentication-kubeconfig "$STATE/scheduler.kubeconfig" --authorization-kubeconfig "$STATE/scheduler.kubeconfig" \
  --leader-elect=false --bind-address 127.0.0.1

# --- the node ----------------------------------------------------------------------------------
cat > "$STATE/kubelet.yaml" <<KUBELET
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://$RUN/containerd.sock
failSwapOn: false
failCgroupV1: false
clusterDNS: [$DNS_IP]
clusterDomain: cluster.local
resolvConf: $STATE/resolv.conf
tlsCertFile: $pki/kubelet.crt
tlsPrivateKeyFile: $pki/kubelet.key
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $pki/ca.crt}
authorization: {mode: Webhook}
serializeImagePulls: false
imageGCHighThresholdPercent: 100
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%"}
podPidsLimit: -1
KUBELET
# Pods with dnsPolicy Default see no outside resolver: nothing leaves this machine.
echo "nameserver 127.0.0.1" > "$STATE/resolv.conf"
start kubelet "$node/kubelet" --config "$STATE/kubelet.yaml" --kubeconfig "$STATE/kubelet.kubeconfig" \
  --root-dir "$STATE/kubelet" --hostname-override "$NODE_NAME" --node-ip "$NODE_IP" -v=1
wait_for "the node" 90 kc wait --for=condition=Ready "node/$NODE_NAME" --timeout=1s

cat > "$STATE/kube-proxy.yaml" <<PROXY
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clusterCIDR: $CLUSTER_POD_CIDR
hostnameOverride: $NODE_NAME
bindAddress: $NODE_IP
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
clientConnection: {kubeconfig: $STATE/kube-proxy.kubeconfig}
conntrack: {maxPerCore: 0}
PROXY
start kube-proxy "$node/kube-proxy" --config "$STATE/kube-proxy.yaml"
start kube-router "$node/kube-router" --kubeconfig "$STATE/kube-router.kubeconfig" \
  --hostname-override "$NODE_NAME" --run-firewall=true --run-router=false --run-service-proxy=false \
  --enable-cni=false --enable-ipv6=false --metrics-port 0 --health-port 20244

# --- cluster DNS: CoreDNS as a pod, aliyun.com at the outside host -----------------------------
kc apply -f "$here/coredns.yaml" >/dev/null
kc -n kube-system rollout status deployment/coredns --timeout=120s >/dev/null
echo "$KUBECONFIG"
