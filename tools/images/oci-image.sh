#!/usr/bin/env bash
# Writes an OCI image archive (an oci-layout directory in a tar) from layer tars and an image
# config, with no daemon and no registry. `ctr -n k8s.io images import`, `skopeo copy
# oci-archive:OUT.tar docker://...` and podman load all read it.
#
#   oci-image.sh OUT.tar NAME:TAG CONFIG.json LAYER.tar...
#
# CONFIG.json is the image config's "config" object (User, Entrypoint, Cmd, Env, Labels, ...).
# Layers are gzipped without names or timestamps and every date is SOURCE_DATE_EPOCH, so the
# same inputs give the same digests. NAME is stored fully qualified (wayout:0.1.0 becomes
# docker.io/library/wayout:0.1.0), as the kubelet asks containerd for it.
set -euo pipefail
out=$1 name=$2 config=$3
shift 3
command -v jq >/dev/null || apt-get install -y --no-install-recommends jq >&2

# docker.io/library/ for short names, as containerd and the kubelet normalise them
first=${name%%/*}
if [[ $name != */* ]]; then
  ref=docker.io/library/$name
elif [[ $first != *.* && $first != *:* && $first != localhost ]]; then
  ref=docker.io/$name
else
  ref=$name
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
blobs=$work/blobs/sha256
mkdir -p "$blobs"
created=$(date -u -d "@${SOURCE_DATE_EPOCH:-0}" +%Y-%m-%dT%H:%M:%SZ)

# blob FILE: moves FILE into blobs/ under its digest, prints "digest size"
blob() {
  local d s
  d=$(sha256sum "$1" | cut -d' ' -f1)
  s=$(stat -c %s "$1")
  mv "$1" "$blobs/$d"
  echo "sha256:$d $s"
}

diff_ids=() layers=()
for l in "$@"; do
  diff_ids+=("sha256:$(sha256sum "$l" | cut -d' ' -f1)")
  gzip -n -6 <"$l" >"$work/layer"
  read -r d s < <(blob "$work/layer")
  layers+=("$(jq -nc --arg d "$d" --argjson s "$s" \
    '{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $d, size: $s}')")
done

jq -nc --arg created "$created" --slurpfile config "$config" '{
    created: $created, architecture: "amd64", os: "linux", config: $config[0],
    rootfs: {type: "layers", diff_ids: $ARGS.positional},
    history: [$ARGS.positional[] | {created: $created, created_by: "tools/images"}]
  }' --args "${diff_ids[@]}" >"$work/config"
[[ -s $work/config ]] || { echo "oci-image.sh: no image config from $config" >&2; exit 1; }
read -r cd cs < <(blob "$work/config")

printf '%s\n' "${layers[@]}" | jq -sc --arg cd "$cd" --argjson cs "$cs" --arg ref "$ref" '{
    schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs},
    layers: ., annotations: {"org.opencontainers.image.ref.name": $ref}
  }' >"$work/manifest"
read -r md ms < <(blob "$work/manifest")

# io.containerd.image.name is the name ctr import gives the image; ref.name is the OCI spelling
# (skopeo: oci-archive:OUT.tar:NAME picks it)
jq -nc --arg md "$md" --argjson ms "$ms" --arg ref "$ref" '{
    schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $md, size: $ms,
      annotations: {"io.containerd.image.name": $ref, "org.opencontainers.image.ref.name": $ref}}]
  }' >"$work/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' >"$work/oci-layout"

# names without ./ at the top, as `docker save` and skopeo write them
tar --create --file="$out.tmp" --directory="$work" --sort=name --format=posix \
  --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
  --mtime="@${SOURCE_DATE_EPOCH:-0}" --numeric-owner --owner=0 --group=0 --mode='go-w' \
  oci-layout index.json blobs
mv "$out.tmp" "$out"
echo "$out: $ref ($md)" >&2
