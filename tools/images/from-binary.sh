#!/usr/bin/env bash
# Wraps one static binary into an image: /BINARY's name as the entrypoint, plus the few files a
# program expects (/etc/passwd and group with the user, nsswitch.conf, a writable /tmp).
#
#   from-binary.sh NAME:TAG BINARY OUT.tar [ARG...]
#
# ARG... are the entrypoint's fixed arguments (Cmd stays empty, so a pod's args add to them).
# IMAGE_USER (default 65532:65532) is the user the image runs as; CoreDNS on port 53 as non-root
# needs NET_BIND_SERVICE, or IMAGE_USER=0:0.
# Example: tools/images/from-binary.sh coredns:1.12.0 ~/go/bin/coredns coredns.tar
set -euo pipefail
name=$1 binary=$2 out=$3
shift 3
user=${IMAGE_USER:-65532:65532}
here=$(cd "$(dirname "$0")" && pwd)
file "$binary" 2>/dev/null | grep -q 'dynamically linked' &&
  echo "from-binary.sh: warning: $binary is dynamically linked; the image has no libc" >&2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root/etc" "$work/root/tmp"
chmod 1777 "$work/root/tmp"
install -m 0755 "$binary" "$work/root/$(basename "$binary")"
uid=${user%%:*} gid=${user##*:}
printf 'root:x:0:0:root:/:/nonexistent\nuser:x:%s:%s:user:/tmp:/nonexistent\n' "$uid" "$gid" |
  sort -u -t: -k3,3n >"$work/root/etc/passwd"
printf 'root:x:0:\nuser:x:%s:\n' "$gid" | sort -u -t: -k3,3n >"$work/root/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$work/root/etc/nsswitch.conf"
"$here/layer.sh" "$work/root" "$work/layer.tar"

jq -n --arg user "$user" --arg bin "/$(basename "$binary")" --args '{
    User: $user, Entrypoint: ([$bin] + $ARGS.positional), WorkingDir: "/",
    Env: ["PATH=/"],
    Labels: {"org.opencontainers.image.source": "tools/images/from-binary.sh"}
  }' "$@" >"$work/config.json"
"$here/oci-image.sh" "$out" "$name" "$work/config.json" "$work/layer.tar"
