#!/usr/bin/env bash
# Writes a Debian bookworm root filesystem as a tar (one image layer), made by mmdebstrap from the
# Debian mirror with no container runtime and no registry. Reproducible: every timestamp is
# SOURCE_DATE_EPOCH, so the same package versions give the same bytes.
#
#   debian-rootfs.sh OUT.tar extract|essential PACKAGE...
#
# extract   unpacks only PACKAGE... and their dependencies, runs no maintainer scripts (no shell,
#           no dpkg, no apt: the runtime image's base). We then do by hand the little the scripts
#           would have done: users, merged /usr, iptables alternatives, the dpkg status scanners read.
# essential the Essential:yes set (shell, coreutils, dpkg) plus PACKAGE..., installed with their
#           maintainer scripts (ca-certificates builds its bundle): an ordinary small Debian.
#
# DEBIAN_MIRROR and DEBIAN_SECURITY_MIRROR default to deb.debian.org, as the machine's apt uses.
set -euo pipefail
out=$1 variant=$2
shift 2
packages=$(IFS=,; echo "$*")
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-0}

command -v mmdebstrap >/dev/null || apt-get install -y --no-install-recommends mmdebstrap >&2

# The last hook runs after the packages are in place: the extract variant runs no customize
# hooks, only extract hooks.
if [[ $variant == extract ]]; then
  last=--extract-hook
  hooks=(
    # bookworm's layout: /bin, /sbin, /lib, /lib64 are links into /usr (usrmerge does this
    # when scripts run; extract runs none)
    --setup-hook='for d in bin sbin lib lib64; do mkdir -p "$1/usr/$d"; ln -s "usr/$d" "$1/$d"; done'
    --extract-hook="$(cd "$(dirname "$0")" && pwd)/rootfs-fixups.sh"
  )
else
  last=--customize-hook
  hooks=(--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr)
fi

# Date checks off: the mirror may be a dated snapshot (the machine's apt config says the same).
# Documentation, man pages and translations are dropped; copyright files stay.
mmdebstrap --quiet --mode=root --format=tar --variant="$variant" --include="$packages" \
  --aptopt='Acquire::Check-Valid-Until "false"' --aptopt='Acquire::Check-Date "false"' \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  "${hooks[@]}" \
  "$last"='rm -rf "$1"/usr/share/man/* "$1"/usr/share/locale/* "$1"/usr/share/info/*' \
  "$last"='find "$1"/usr/share/doc -type f ! -name copyright -delete' \
  "$last"='rm -f "$1"/etc/resolv.conf "$1"/etc/hostname' \
  bookworm "$out.tmp" \
  "deb $mirror bookworm main" "deb $mirror bookworm-updates main" \
  "deb $security bookworm-security main"

if [[ $variant == extract ]]; then
  # iptables-legacy locks /run/xtables.lock; the init container's root filesystem is read-only,
  # where opening an existing file works and creating one fails. mmdebstrap empties /run, so the
  # file is appended after it.
  tmp=$(mktemp -d)
  mkdir "$tmp/run" && : >"$tmp/run/xtables.lock" && chmod 0600 "$tmp/run/xtables.lock"
  tar --append --file="$out.tmp" --directory="$tmp" --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 \
    --numeric-owner --format=posix --pax-option=delete=atime,delete=ctime ./run/xtables.lock
  rm -rf "$tmp"
fi
mv "$out.tmp" "$out"
