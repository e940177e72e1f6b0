#!/usr/bin/env bash
# mmdebstrap customize hook for the extract variant (debian-rootfs.sh): does by hand what the
# maintainer scripts that extract never runs would have done, and adds the non-root user.
#   rootfs-fixups.sh ROOT
set -euo pipefail
root=$1

# Users: root for `wayout init` (the injected init container sets runAsUser: 0), nonroot 65532
# (as in distroless) for every other part; the manifests' runAsUser is the same number.
cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/usr/sbin/nologin
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
nonroot:x:65532:
EOF
install -d -m 0700 "$root/root"
install -d -m 0700 -o 65532 -g 65532 "$root/home/nonroot"
chmod 1777 "$root/tmp"
# glibc's lookups: files first, then DNS (the pod's /etc/resolv.conf, mounted by the kubelet)
printf 'passwd: files\ngroup: files\nhosts: files dns\nnetworks: files\n' >"$root/etc/nsswitch.conf"

# update-alternatives would point iptables at the nft backend (Debian's default, and what
# kube-proxy and kubelet use on current nodes); the legacy tools stay as iptables-legacy*.
for t in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do
  [[ -e $root/usr/sbin/xtables-nft-multi ]] && ln -sf xtables-nft-multi "$root/usr/sbin/$t"
done

# What dpkg would have recorded, so that image scanners see the package versions.
status="$root/var/lib/dpkg/status"
: >"$status"
for deb in $(find "$root/var/cache/apt/archives" -name '*.deb' | sort); do
  dpkg-deb --field "$deb" | sed '/^Package:/a Status: install ok installed' >>"$status"
  echo >>"$status"
done
