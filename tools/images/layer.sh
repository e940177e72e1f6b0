#!/usr/bin/env bash
# Packs DIR as an image layer tar with nothing of the machine in it: names sorted, every mtime
# SOURCE_DATE_EPOCH, owner root unless the file belongs to 65532 (the image's non-root user),
# no group/other write bits. The same files give the same bytes.
#   layer.sh DIR OUT.tar
set -euo pipefail
dir=$1 out=$2
tar --create --file="$out" --directory="$dir" --sort=name --format=posix \
  --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
  --mtime="@${SOURCE_DATE_EPOCH:-0}" --clamp-mtime --numeric-owner \
  --owner=0 --group=0 --mode='go-w' .
