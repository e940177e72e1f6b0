#!/usr/bin/env bash
# Builds kube-apiserver, kubectl and etcd for the integration tests from the Go module proxy
# and caches them outside the repository, in the layout envtest and kube-api-test use:
#   ${WAYOUT_TEST_ASSETS:-$HOME/.cache/wayout/k8s/<version>-linux-amd64}/{kube-apiserver,kubectl,etcd}
# Idempotent: when the binaries are present it only prints their directory.
# If KUBEBUILDER_ASSETS names a directory that already holds the three binaries, that is used.
# The last line printed is the directory holding the binaries.
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-1.34.4}"   # k8s.io/kubernetes release, without the leading v
ETCD_VERSION="${ETCD_VERSION:-}"       # default: the etcd client version that release pins

GATEWAY_API_VERSION="${GATEWAY_API_VERSION:-v1.4.1}"
ISTIO_API_VERSION="${ISTIO_API_VERSION:-v1.32.0}"

has_all() { [[ -x $1/kube-apiserver && -x $1/kubectl && -x $1/etcd ]]; }

# Upstream CRDs for the tests (Gateway API for the seed's waypoint Gateway; Istio's own
# ServiceEntry/DestinationRule schemas, to test against a cluster that has Istio), taken from
# their Go modules and cached beside the binaries; never committed.
ensure_crds() {
  local crds="${WAYOUT_TEST_ASSETS_ROOT:-$HOME/.cache/wayout}/crds"
  [[ -f $crds/gateway-api/gateways.yaml && -f $crds/istio/crds.yaml ]] && return 0
  command -v go >/dev/null || { echo "go is required to fetch the test CRDs" >&2; return 1; }
  local tmp gw istio
  tmp="$(mktemp -d)"
  gw="$(cd "$tmp" && go mod download -json "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')"
  istio="$(cd "$tmp" && go mod download -json "istio.io/api@$ISTIO_API_VERSION" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')"
  rm -rf "$tmp"
  mkdir -p "$crds/gateway-api" "$crds/istio"
  for f in "$gw"/config/crd/standard/gateway.networking.k8s.io_*.yaml; do
    install -m 0644 "$f" "$crds/gateway-api/$(basename "$f" | sed 's/^gateway.networking.k8s.io_//')"
  done
  install -m 0644 "$istio/kubernetes/customresourcedefinitions.gen.yaml" "$crds/istio/crds.yaml"
}
ensure_crds >&2

if [[ -n ${KUBEBUILDER_ASSETS:-} ]] && has_all "$KUBEBUILDER_ASSETS"; then
  echo "$KUBEBUILDER_ASSETS"
  exit 0
fi

ROOT="${WAYOUT_TEST_ASSETS_ROOT:-$HOME/.cache/wayout}"
DEST="$ROOT/k8s/${K8S_VERSION}-linux-amd64"
if has_all "$DEST"; then
  echo "$DEST"
  exit 0
fi

command -v go >/dev/null || { echo "go is required to build the test API server" >&2; exit 1; }
MINOR="$(cut -d. -f2 <<<"$K8S_VERSION")"
STAGING="v0.${K8S_VERSION#1.}"         # 1.34.4 -> v0.34.4
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK" "$DEST.tmp"' EXIT
export CGO_ENABLED=0
mkdir -p "$WORK/k8s" "$WORK/etcd" "$DEST.tmp"

echo ">> building kube-apiserver and kubectl v$K8S_VERSION (first time only; several minutes)" >&2
cd "$WORK/k8s"
go mod init local.test/kube-bins >&2
go mod download "k8s.io/kubernetes@v$K8S_VERSION"
KMOD="$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/v$K8S_VERSION.mod"
# k/k requires its staging modules at v0.0.0 and replaces them locally; those replaces do not
# apply to a dependency, so point each one at its published tag.
for m in $(awk '$1 ~ /^k8s\.io\// && $2 == "v0.0.0" {print $1}' "$KMOD"); do
  go mod edit "-replace=$m=$m@$STAGING"
done
if g="$(grep -m1 -E '^godebug [a-z]' "$KMOD")"; then go mod edit "-godebug=${g#godebug }"; fi
go get -tool "k8s.io/kubernetes/cmd/kube-apiserver@v$K8S_VERSION" "k8s.io/kubernetes/cmd/kubectl@v$K8S_VERSION" >&2
go mod tidy >&2
LDF="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  LDF+=" -X $p.gitVersion=v$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$MINOR"
  LDF+=" -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
done
go build -trimpath -ldflags "$LDF" -o "$DEST.tmp/" k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl
[[ -n $ETCD_VERSION ]] || ETCD_VERSION="$(awk '$1 == "go.etcd.io/etcd/client/v3" {print $2; exit}' "$KMOD")"

echo ">> building etcd $ETCD_VERSION" >&2
# A module of its own keeps etcd's gRPC and OpenTelemetry versions out of kube-apiserver's build.
cd "$WORK/etcd"
go mod init local.test/etcd-bin >&2
go get -tool "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >&2
go build -trimpath -ldflags "-s -w" -o "$DEST.tmp/etcd" go.etcd.io/etcd/server/v3

"$DEST.tmp/kube-apiserver" --version >&2
"$DEST.tmp/etcd" --version >&2
"$DEST.tmp/kubectl" version --client >&2
rm -rf "$DEST"
mv "$DEST.tmp" "$DEST"
echo "$DEST"
