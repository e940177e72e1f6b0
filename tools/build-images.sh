#!/usr/bin/env bash
# Builds Wayout's container images as OCI archives, with no Docker daemon and no registry:
#
#   wayout.tar      wayout:0.1.0 (every part a subcommand of app/target/wayout.jar)
#   curl-sleep.tar  registry-cn-hangzhou.ack.aliyuncs.com/ack-demo/curl:asm-sleep (the seed's client)
#   pause.tar       registry.k8s.io/pause:3.10 (the pod sandbox)
#
# into ${WAYOUT_IMAGES_DIR:-~/.cache/wayout/images}. Load one with
#   ctr -n k8s.io images import "$WAYOUT_IMAGES_DIR/wayout.tar"
# or push it: skopeo copy oci-archive:wayout.tar docker://REGISTRY/wayout:0.1.0 (README).
#
# Idempotent and cached: the Debian root filesystems and the Java runtime are built once (under
# ~/.cache/wayout/image-parts; delete it to pick up Debian updates), an archive is rewritten only
# when one of its inputs changed (wayout.tar when the jar did). Root is needed (mmdebstrap
# --mode=root). Packages come only from the Debian mirror; the jar from ./mvnw.
set -euo pipefail
shopt -s inherit_errexit
top=$(cd "$(dirname "$0")/.." && pwd)
images=$top/tools/images
out=${WAYOUT_IMAGES_DIR:-$HOME/.cache/wayout/images}
parts=${WAYOUT_CACHE:-$HOME/.cache/wayout}/image-parts
mkdir -p "$out" "$parts"
# every date in every image: the same inputs give the same bytes
export SOURCE_DATE_EPOCH=0

# The names the manifests and the seed use.
WAYOUT_IMAGE=${WAYOUT_IMAGE:-wayout:0.1.0}
CURL_IMAGE=registry-cn-hangzhou.ack.aliyuncs.com/ack-demo/curl:asm-sleep
PAUSE_IMAGE=${PAUSE_IMAGE:-registry.k8s.io/pause:3.10}
# The non-root user of every Wayout container (the manifests' runAsUser). `wayout init` runs as
# root only because the webhook's injected init container asks for it (runAsUser: 0, NET_ADMIN).
USER_ID=65532

# Debian packages, beyond what they pull in. wayout: what the jlinked JVM links against
# (libc6, libstdc++6, libgcc-s1, zlib1g) and iptables (nft and legacy) for `wayout init`.
WAYOUT_PACKAGES=(base-files netbase libc6 libstdc++6 libgcc-s1 zlib1g iptables)
CURL_PACKAGES=(curl ca-certificates)

for tool in jq mmdebstrap gcc; do
  command -v $tool >/dev/null || missing+=" $tool"
done
if [[ -n ${missing:-} ]]; then
  apt-get install -y -q --no-install-recommends jq mmdebstrap gcc libc6-dev >&2
fi

# key WORDS...: a digest of the words and of every file among them (what an output is made from)
key() {
  for w in "$@"; do
    if [[ -f $w ]]; then sha256sum "$w" | cut -d' ' -f1; else echo "$w"; fi
  done | sha256sum | cut -d' ' -f1
}
# fresh FILE KEY: FILE was made from KEY (FILE.key says so)
fresh() { [[ -f $1 && -f $1.key && $(<"$1.key") == "$2" ]]; }
made() { echo "$2" >"$1.key"; }

# --- the Debian root filesystems (one layer each) ---
rootfs() { # rootfs NAME VARIANT PACKAGE...
  local name=$1 variant=$2 k
  shift 2
  k=$(key "$images/debian-rootfs.sh" "$images/rootfs-fixups.sh" "$variant" "$@")
  if ! fresh "$parts/rootfs-$name.tar" "$k"; then
    echo ">> Debian rootfs for $name ($variant: $*)" >&2
    "$images/debian-rootfs.sh" "$parts/rootfs-$name.tar" "$variant" "$@" >&2
    made "$parts/rootfs-$name.tar" "$k"
  fi
  echo "$k"
}
wayout_rootfs=$(rootfs wayout extract "${WAYOUT_PACKAGES[@]}")
curl_rootfs=$(rootfs curl essential "${CURL_PACKAGES[@]}")

# --- the Java runtime, /opt/java (keyed on the JDK's exact version) ---
jre_key=$(key "$images/jre.sh" "$images/layer.sh" "$("$images/jre.sh" --jdk)")
if ! fresh "$parts/jre.tar" "$jre_key"; then
  echo ">> Java runtime (jlink)" >&2
  rm -rf "$parts/jre" && mkdir -p "$parts/jre/opt"
  "$images/jre.sh" "$parts/jre/opt/java"
  "$images/layer.sh" "$parts/jre" "$parts/jre.tar"
  rm -rf "$parts/jre"
  made "$parts/jre.tar" "$jre_key"
fi

# --- the jar: built as ./wayout does, when missing or older than the sources ---
jar=${WAYOUT_JAR:-$top/app/target/wayout.jar}
if [[ -z ${WAYOUT_JAR:-} ]] && { [[ ! -f $jar ]] ||
  [[ -n $(find "$top" -path "$top/*/src/*" -newer "$jar" -print -quit) ]]; }; then
  echo ">> building app/target/wayout.jar" >&2
  (cd "$top" && ./mvnw -B -q -DskipTests package >&2)
fi

# --- wayout.tar ---
version=$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$top/pom.xml" | head -1)
wayout_config=$(jq -n --arg user "$USER_ID:$USER_ID" --arg version "${version:-dev}" '{
    User: $user, WorkingDir: "/home/nonroot",
    Entrypoint: ["/opt/java/bin/java", "-jar", "/opt/wayout/wayout.jar"], Cmd: ["--help"],
    Env: ["PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "JAVA_HOME=/opt/java"],
    ExposedPorts: {"9443/tcp": {}, "15001/tcp": {}, "15443/tcp": {}, "15020/tcp": {}, "15021/tcp": {}},
    Labels: {
      "org.opencontainers.image.title": "wayout",
      "org.opencontainers.image.description": "Wayout egress control: webhook, enforcer, waypoint, init (one jar, one subcommand each)",
      "org.opencontainers.image.version": $version,
      "org.opencontainers.image.licenses": "Apache-2.0",
      "org.opencontainers.image.base.name": "debian:bookworm (mmdebstrap, tools/images/debian-rootfs.sh)"
    }}')
wayout_key=$(key "$wayout_rootfs" "$jre_key" "$jar" "$images/oci-image.sh" "$images/layer.sh" \
  "$WAYOUT_IMAGE" "$wayout_config")
if ! fresh "$out/wayout.tar" "$wayout_key"; then
  echo ">> $WAYOUT_IMAGE" >&2
  work=$(mktemp -d)
  mkdir -p "$work/app/opt/wayout"
  cp "$jar" "$work/app/opt/wayout/wayout.jar"
  "$images/layer.sh" "$work/app" "$work/app.tar"
  echo "$wayout_config" >"$work/config.json"
  # three layers, least often changed first: Debian, the Java runtime, the jar
  "$images/oci-image.sh" "$out/wayout.tar" "$WAYOUT_IMAGE" "$work/config.json" \
    "$parts/rootfs-wayout.tar" "$parts/jre.tar" "$work/app.tar"
  rm -rf "$work"
  made "$out/wayout.tar" "$wayout_key"
fi

# --- curl-sleep.tar: the seed's `command: ["/bin/sleep", "infinity"]` and `curl ... -s -I` ---
curl_config='{"Cmd": ["/bin/sh"], "WorkingDir": "/", "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], "Labels": {"org.opencontainers.image.title": "curl (the seed sleep client, built by tools/build-images.sh)"}}'
curl_key=$(key "$curl_rootfs" "$images/oci-image.sh" "$images/layer.sh" "$CURL_IMAGE" "$curl_config")
if ! fresh "$out/curl-sleep.tar" "$curl_key"; then
  echo ">> $CURL_IMAGE" >&2
  work=$(mktemp -d)
  echo "$curl_config" >"$work/config.json"
  "$images/oci-image.sh" "$out/curl-sleep.tar" "$CURL_IMAGE" "$work/config.json" "$parts/rootfs-curl.tar"
  rm -rf "$work"
  made "$out/curl-sleep.tar" "$curl_key"
fi

# --- pause.tar: our own static pause, user 65535 as upstream's ---
pause_key=$(key "$images/pause.c" "$images/from-binary.sh" "$images/oci-image.sh" "$images/layer.sh" "$PAUSE_IMAGE")
if ! fresh "$out/pause.tar" "$pause_key"; then
  echo ">> $PAUSE_IMAGE" >&2
  work=$(mktemp -d)
  gcc -static -O2 -s -o "$work/pause" "$images/pause.c"
  IMAGE_USER=65535:65535 "$images/from-binary.sh" "$PAUSE_IMAGE" "$work/pause" "$out/pause.tar"
  rm -rf "$work"
  made "$out/pause.tar" "$pause_key"
fi

for i in wayout curl-sleep pause; do
  echo "$out/$i.tar"
done
