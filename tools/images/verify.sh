#!/usr/bin/env bash
# Runs every image that tools/build-images.sh wrote in a containerd of its own, as a user would
# see them: config (non-root user, entrypoint, labels), `wayout --help`/--version, `wayout init` as
# root with NET_ADMIN on a read-only root filesystem, iptables nft and legacy, the runtime's TLS,
# DNS and native transports (ImageCheck.java), a waypoint answering on its health port, curl in
# the seed's client, pause staying up until SIGTERM. Root; needs containerd, runc, ctr, curl.
#
# The containerd is private (root, state and socket under /tmp/wayout-image-ctr, no CRI plugin),
# so a node's containerd on /run/containerd is never touched. Everything started is stopped.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
images=${WAYOUT_IMAGES_DIR:-$HOME/.cache/wayout/images}
dir=/tmp/wayout-image-ctr
wayout=docker.io/library/wayout:0.1.0
curl_image=registry-cn-hangzhou.ack.aliyuncs.com/ack-demo/curl:asm-sleep
pause_image=registry.k8s.io/pause:3.10

fail() { echo "FAILED: $*" >&2; exit 1; }
ok() { echo "ok $*"; }

# --- the image configs, read from the archive as a registry would serve them ---
config() { # config ARCHIVE: the image config JSON
  local m c
  m=$(tar -xOf "$1" index.json | jq -r '.manifests[0].digest | sub("sha256:"; "blobs/sha256/")')
  c=$(tar -xOf "$1" "$m" | jq -r '.config.digest | sub("sha256:"; "blobs/sha256/")')
  tar -xOf "$1" "$c"
}
cfg=$(config "$images/wayout.tar")
[[ $(jq -r .config.User <<<"$cfg") == 65532:65532 ]] || fail "wayout runs as $(jq .config.User <<<"$cfg")"
[[ $(jq -c .config.Entrypoint <<<"$cfg") == '["/opt/java/bin/java","-jar","/opt/wayout/wayout.jar"]' ]] ||
  fail "wayout entrypoint $(jq -c .config.Entrypoint <<<"$cfg")"
[[ $(jq -r '.config.Labels["org.opencontainers.image.title"]' <<<"$cfg") == wayout ]] || fail "no title label"
[[ $(tar -xOf "$images/wayout.tar" index.json | jq -r '.manifests[0].annotations["io.containerd.image.name"]') == "$wayout" ]] ||
  fail "wayout.tar does not name $wayout"
ok "wayout config: user 65532:65532, entrypoint java -jar, labels, name $wayout"
[[ $(config "$images/pause.tar" | jq -c .config.Entrypoint) == '["/pause"]' ]] || fail "pause entrypoint"

# --- a private containerd ---
mkdir -p "$dir"
cat >"$dir/config.toml" <<EOF
version = 2
root = "$dir/root"
state = "$dir/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$dir/containerd.sock"
[ttrpc]
  address = "$dir/containerd.sock.ttrpc"
[debug]
  address = "$dir/debug.sock"
EOF
containerd --config "$dir/config.toml" >"$dir/containerd.log" 2>&1 &
containerd_pid=$!
ctr() { command ctr --address "$dir/containerd.sock" --namespace wayout-check "$@"; }
cleanup() {
  for t in $(ctr tasks ls -q 2>/dev/null); do ctr tasks kill -s SIGKILL "$t" 2>/dev/null || true; done
  sleep 1
  for c in $(ctr containers ls -q 2>/dev/null); do
    ctr tasks rm -f "$c" >/dev/null 2>&1 || true
    ctr containers rm "$c" >/dev/null 2>&1 || true
  done
  kill "$containerd_pid" 2>/dev/null && wait "$containerd_pid" 2>/dev/null || true
  grep -q " $dir/" /proc/mounts && awk -v d="$dir/" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r | xargs -r umount -l
  rm -rf "$dir"
}
trap cleanup EXIT
for _ in $(seq 50); do [[ -S $dir/containerd.sock ]] && break; sleep 0.2; done

for i in wayout curl-sleep pause; do
  ctr images import "$images/$i.tar" >/dev/null
done
names=$(ctr images ls -q)
for n in "$wayout" "$curl_image" "$pause_image"; do
  grep -qx "$n" <<<"$names" || fail "ctr import did not name $n: $names"
done
ok "ctr images import: $wayout, $curl_image, $pause_image"

run() { ctr run --rm "$@" 2>&1; } # run [FLAGS] IMAGE ID [ARGS]: its output
java=(/opt/java/bin/java -jar /opt/wayout/wayout.jar)

out=$(run "$wayout" help)
grep -q '^Usage: wayout' <<<"$out" || fail "wayout (default --help): $out"
version=$(run "$wayout" version "${java[@]}" --version)
[[ $version == "wayout "* ]] || fail "wayout --version: $version"
out=$(run "$wayout" init-help "${java[@]}" init --help)
grep -q 'Usage: wayout init' <<<"$out" || fail "wayout init --help: $out"
ok "wayout --help, $version, wayout init --help"
for t in iptables iptables-legacy ip6tables; do
  v=$(run "$wayout" "ipt-$t" /usr/sbin/$t --version)
  [[ $v == *v1.8* ]] || fail "$t --version: $v"
done
ok "iptables: $(run "$wayout" ipt /usr/sbin/iptables --version); iptables-legacy too"

# ImageCheck: the jlinked runtime's TLS, trust store, DNS, epoll/io_uring, OpenSSL
work=$(mktemp -d)
trap 'rm -rf "$work"; cleanup' EXIT
javac -nowarn -d "$work/classes" -cp "${WAYOUT_JAR:-$top/app/target/wayout.jar}" "$top/tools/images/ImageCheck.java"
chmod 0755 "$work" && mkdir -m 0777 "$work/certs"
out=$(run --mount "type=bind,src=$work,dst=/work,options=rbind:rw" "$wayout" certs \
  "${java[@]}" certs -o /work/certs --ip 127.0.0.1) || fail "wayout certs: $out"
out=$(run --mount "type=bind,src=$work,dst=/work,options=rbind:ro" "$wayout" check \
  /opt/java/bin/java -cp /opt/wayout/wayout.jar:/work/classes ImageCheck /work/certs) ||
  fail "ImageCheck: $out"
sed 's/^/   /' <<<"$out"
ok "ImageCheck in the image (user 65532)"

# `wayout init` as the webhook injects it: uid 0, NET_ADMIN + NET_RAW only, read-only root, no
# /tmp mount; in the container's own network namespace (ctr makes a new one), twice (idempotent).
# (ctr run --config takes no image: the spec's root is the image's snapshot, mounted read-only)
mkdir "$work/rootfs" && ctr images mount --rw=false "$wayout" "$work/rootfs" >/dev/null
ctr oci spec >"$work/spec.json" || fail "ctr oci spec"
jq --arg cidrs 10.244.0.0/16,10.96.0.0/12 '
    .process.user = {uid: 0, gid: 0}
  | .process.args = ["/opt/java/bin/java", "-jar", "/opt/wayout/wayout.jar", "init",
      "--cluster-cidrs", $cidrs, "--waypoint", "10.96.0.50"]
  | .process.env = ["PATH=/opt/java/bin:/usr/sbin:/usr/bin"]
  | .process.capabilities = {bounding: ["CAP_NET_ADMIN", "CAP_NET_RAW"], effective: ["CAP_NET_ADMIN", "CAP_NET_RAW"],
      permitted: ["CAP_NET_ADMIN", "CAP_NET_RAW"]}
  | .process.noNewPrivileges = true | .process.terminal = false
  | .root = {path: $root, readonly: true}' --arg root "$work/rootfs" "$work/spec.json" >"$work/init.json"
out=$(run --config "$work/init.json" init) || fail "wayout init: $out"
grep -q '^iptables: applied' <<<"$out" || fail "wayout init: $out"
ok "wayout init as root with NET_ADMIN/NET_RAW on a read-only root: $(tr '\n' ' ' <<<"$out")"
jq '.process.args = ["/usr/sbin/iptables-legacy", "-w", "-t", "nat", "-A", "OUTPUT", "-p", "tcp", "--dport", "80", "-j", "REDIRECT", "--to-ports", "15001"]' \
  "$work/init.json" >"$work/legacy.json"
out=$(run --config "$work/legacy.json" legacy) || fail "iptables-legacy: $out"
[[ -z $out ]] || fail "iptables-legacy on a read-only root: $out"
ok "iptables-legacy rule on a read-only root (the lock file is in the image)"
ctr images unmount "$work/rootfs" >/dev/null

# The waypoint, host network, loopback only, free ports, from the seed's step 5 files: it starts,
# answers on its health port, refuses an unregistered host with 403, stops on SIGTERM.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
for transport in auto epoll; do
  http=$(free_port) tlsp=$(free_port) metrics=$(free_port) health=$(free_port)
  ctr run -d --net-host --read-only --mount "type=bind,src=$top/examples/seed/step5,dst=/config,options=rbind:ro" \
    --mount "type=tmpfs,src=tmpfs,dst=/tmp,options=nosuid:nodev:size=16m" \
    --env WAYOUT_WAYPOINT_BIND_ADDRESS=127.0.0.1 --env WAYOUT_WAYPOINT_HTTP_PORT=$http \
    --env WAYOUT_WAYPOINT_TLS_PORT=$tlsp --env WAYOUT_WAYPOINT_METRICS_PORT=$metrics \
    --env WAYOUT_WAYPOINT_HEALTH_PORT=$health --env WAYOUT_WAYPOINT_TRANSPORT=$transport \
    --env WAYOUT_WAYPOINT_EVENT_LOOP_THREADS=1 --mount "type=bind,src=/etc/resolv.conf,dst=/etc/resolv.conf,options=rbind:ro" \
    "$wayout" "waypoint-$transport" "${java[@]}" waypoint --config /config -n istio-egress >"$work/waypoint.log" 2>&1
  ready=
  for _ in $(seq 120); do
    if [[ $(command curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$health/healthz/ready") == 200 ]]; then
      ready=1 && break
    fi
    sleep 0.5
  done
  [[ -n $ready ]] || { ctr tasks kill -s SIGKILL "waypoint-$transport" || true; fail "waypoint ($transport) never ready"; }
  code=$(command curl -s -o /dev/null -w '%{http_code}' -x "127.0.0.1:$http" http://example.org/)
  [[ $code == 403 ]] || fail "waypoint answered $code for an unregistered host"
  pid=$(ctr tasks ls | awk -v id="waypoint-$transport" '$1 == id {print $2}')
  uid=$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")
  [[ $uid == 65532 ]] || fail "the waypoint runs as uid $uid"
  ctr tasks kill -s SIGTERM "waypoint-$transport"
  for _ in $(seq 60); do grep -q "^waypoint-$transport .*RUNNING" <<<"$(ctr tasks ls)" || break; sleep 0.5; done
  grep -q "^waypoint-$transport .*RUNNING" <<<"$(ctr tasks ls)" && fail "waypoint ignored SIGTERM"
  ctr tasks rm "waypoint-$transport" >/dev/null && ctr containers rm "waypoint-$transport"
  ok "waypoint ($transport transport) ready on :$health/healthz/ready as uid 65532, 403 for example.org, stopped on SIGTERM"
done

# --- the seed's client ---
v=$(run "$curl_image" curl curl --version)
v=${v%%$'\n'*}
[[ $v == curl* ]] || fail "curl --version: $v"
out=$(run "$curl_image" sh /bin/sh -c 'test -s /etc/ssl/certs/ca-certificates.crt && /bin/sleep 0.1 && echo fine')
[[ $out == fine ]] || fail "curl image: sh, sleep or ca-certificates missing: $out"
ok "curl image: $v; /bin/sh, /bin/sleep, ca-certificates"

# --- pause: up until SIGTERM, then exit 0 at once ---
ctr run -d "$pause_image" pause >/dev/null
sleep 2
grep -q '^pause .*RUNNING' <<<"$(ctr tasks ls)" || fail "pause did not stay up"
ctr tasks kill -s SIGTERM pause
for _ in $(seq 20); do grep -q '^pause .*STOPPED' <<<"$(ctr tasks ls)" && break; sleep 0.2; done
grep -q '^pause .*STOPPED' <<<"$(ctr tasks ls)" || fail "pause ignored SIGTERM"
ctr tasks rm pause >/dev/null && ctr containers rm pause
ok "pause: stays up, exits on SIGTERM"
echo "all images verified"
