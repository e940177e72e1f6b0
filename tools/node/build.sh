#!/usr/bin/env bash
# Builds what a real single-node test cluster needs beyond the test API server and caches it
# outside the repository:
#   ${WAYOUT_NODE_ASSETS:-$HOME/.cache/wayout/node/<k8s version>}/
#     kubelet kube-controller-manager kube-scheduler kube-proxy   (k8s.io/kubernetes)
#     coredns                                                     (github.com/coredns/coredns)
#     kube-router                                                 (NetworkPolicy agent)
# kube-apiserver, kubectl and etcd come from tools/test-apiserver.sh. Debian packages: containerd,
# runc, the CNI plugins, iptables, ipset, conntrack. Idempotent; the last line printed is the
# directory. The Go build cache makes the second build of shared k8s packages cheap.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

K8S_VERSION="${K8S_VERSION:-1.34.4}"
COREDNS_VERSION="${COREDNS_VERSION:-v1.15.0}"
# kube-network-policies (SIG Network's agent) needs nftables' queue statement (CONFIG_NFT_QUEUE),
# which the kernels we test on lack; kube-router enforces NetworkPolicy with iptables and ipset.
KUBE_ROUTER_VERSION="${KUBE_ROUTER_VERSION:-v2.1.0}"
ROOT="${WAYOUT_TEST_ASSETS_ROOT:-$HOME/.cache/wayout}"
DEST="${WAYOUT_NODE_ASSETS:-$ROOT/node/$K8S_VERSION}"
BINS=(kubelet kube-controller-manager kube-scheduler kube-proxy coredns kube-router)

debian_packages() {
  local missing=()
  command -v containerd >/dev/null || missing+=(containerd)
  command -v runc >/dev/null || missing+=(runc)
  [[ -x /usr/lib/cni/bridge ]] || missing+=(containernetworking-plugins)
  command -v ipset >/dev/null || missing+=(ipset)
  command -v conntrack >/dev/null || missing+=(conntrack)
  command -v iptables-restore >/dev/null || missing+=(iptables)
  command -v ip >/dev/null || missing+=(iproute2)
  command -v nsenter >/dev/null || missing+=(util-linux)
  command -v jq >/dev/null || missing+=(jq)
  command -v curl >/dev/null || missing+=(curl)
  command -v ping >/dev/null || missing+=(iputils-ping)
  ((${#missing[@]})) || return 0
  echo ">> installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "${missing[@]}" >&2 || { apt-get update -q >&2 && apt-get install -y -q "${missing[@]}" >&2; }
}
debian_packages

have_all() { for b in "${BINS[@]}"; do [[ -x $DEST/$b ]] || return 1; done; }
if have_all; then echo "$DEST"; exit 0; fi

command -v go >/dev/null || { echo "go is required to build the node" >&2; exit 1; }
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK" "$DEST.tmp"' EXIT
export CGO_ENABLED=0
mkdir -p "$DEST.tmp"

echo ">> building kubelet, kube-controller-manager, kube-scheduler, kube-proxy v$K8S_VERSION (first time only)" >&2
mkdir "$WORK/k8s" && cd "$WORK/k8s"
go mod init local.test/node-bins >&2
go mod download "k8s.io/kubernetes@v$K8S_VERSION"
KMOD="$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/v$K8S_VERSION.mod"
STAGING="v0.${K8S_VERSION#1.}"
# As in test-apiserver.sh: k/k's staging modules are required at v0.0.0; point each at its tag.
for m in $(awk '$1 ~ /^k8s\.io\// && $2 == "v0.0.0" {print $1}' "$KMOD"); do
  go mod edit "-replace=$m=$m@$STAGING"
done
if g="$(grep -m1 -E '^godebug [a-z]' "$KMOD")"; then go mod edit "-godebug=${g#godebug }"; fi
CMDS=(kubelet kube-controller-manager kube-scheduler kube-proxy)
go get -tool $(printf "k8s.io/kubernetes/cmd/%s@v$K8S_VERSION " "${CMDS[@]}") >&2
go mod tidy >&2
MINOR="$(cut -d. -f2 <<<"$K8S_VERSION")"
LDF="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  LDF+=" -X $p.gitVersion=v$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$MINOR"
  LDF+=" -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
done
go build -trimpath -ldflags "$LDF" -o "$DEST.tmp/" $(printf "k8s.io/kubernetes/cmd/%s " "${CMDS[@]}")

echo ">> building coredns $COREDNS_VERSION" >&2
mkdir "$WORK/coredns" && cd "$WORK/coredns"
go mod init local.test/coredns-bin >&2
go get -tool "github.com/coredns/coredns@$COREDNS_VERSION" >&2
go build -trimpath -ldflags "-s -w" -o "$DEST.tmp/coredns" github.com/coredns/coredns

echo ">> building kube-router $KUBE_ROUTER_VERSION" >&2
mkdir "$WORK/kube-router" && cd "$WORK/kube-router"
go mod init local.test/kube-router-bin >&2
go get -tool "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router@$KUBE_ROUTER_VERSION" >&2
go build -trimpath -ldflags "-s -w" -o "$DEST.tmp/kube-router" github.com/cloudnativelabs/kube-router/v2/cmd/kube-router

for b in "${BINS[@]}"; do "$DEST.tmp/$b" --version >&2 2>&1 || "$DEST.tmp/$b" -version >&2 2>&1 || true; done
rm -rf "$DEST"
mv "$DEST.tmp" "$DEST"
echo "$DEST"
