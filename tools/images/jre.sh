#!/usr/bin/env bash
# Assembles the Java runtime for the wayout image with jlink from the machine's JDK 17: only the
# modules the jar needs, no debug symbols, headers or man pages (about 75 MiB instead of 300).
#
#   jre.sh OUTDIR           writes the runtime to OUTDIR (replacing it)
#   jre.sh --check JAR      fails when jdeps finds a module the jar needs that MODULES lacks
#   jre.sh --jdk            prints the JDK used and a digest of it
#
# MODULES is fixed rather than computed on every build: jdeps takes minutes on the 50 MiB jar, and
# a fixed list keeps the runtime, hence the layer, the same from one jar to the next.
set -euo pipefail

# jdeps --print-module-deps --ignore-missing-deps --multi-release 17 app/target/wayout.jar, plus
# what jdeps cannot see because it is looked up at run time:
#   jdk.crypto.ec        SunEC: ECDHE key exchange and ECDSA certificates (ours are P-256)
#   jdk.crypto.cryptoki  SunPKCS11, listed in java.security
#   jdk.naming.dns       the JNDI DNS provider Netty's resolver falls back on for name servers
#   jdk.zipfs            zip file systems (reading resources out of the jar)
MODULES=java.base,java.desktop,java.instrument,java.naming,java.net.http,java.rmi,java.security.jgss,java.sql,jdk.httpserver,jdk.jfr,jdk.management,jdk.unsupported,jdk.crypto.ec,jdk.crypto.cryptoki,jdk.naming.dns,jdk.zipfs

# The JDK: $WAYOUT_JDK, else the java on PATH if it is 17, else Debian's openjdk-17.
jdk=${WAYOUT_JDK:-$(dirname "$(dirname "$(readlink -f "$(command -v javac || echo /usr/bin/javac)")")")}
if ! grep -q '^JAVA_VERSION="17' "$jdk/release" 2>/dev/null; then
  jdk=/usr/lib/jvm/java-17-openjdk-amd64
fi
[[ -d $jdk/jmods ]] || { echo "jre.sh: $jdk has no jmods; install openjdk-17-jdk-headless or set WAYOUT_JDK" >&2; exit 1; }

# --jdk: the JDK used, and a digest of its java.base (the cache key of the runtime)
if [[ ${1:-} == --jdk ]]; then
  echo "$jdk $(sha256sum "$jdk/jmods/java.base.jmod" | cut -d' ' -f1)"
  exit 0
fi
if [[ ${1:-} == --check ]]; then
  needed=$("$jdk/bin/jdeps" --ignore-missing-deps --print-module-deps --multi-release 17 "$2")
  missing=$(comm -23 <(tr , '\n' <<<"$needed" | sort) <(tr , '\n' <<<"$MODULES" | sort))
  [[ -z $missing ]] || { echo "jre.sh: the jar needs modules MODULES lacks: $missing" >&2; exit 1; }
  echo "jre.sh: MODULES covers what the jar needs ($needed)"
  exit 0
fi

out=$1
rm -rf "$out"
# No --generate-cds-archive: the archive differs on every run (the image would not be
# reproducible) and saves nothing measurable here next to loading the application's classes.
"$jdk/bin/jlink" --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages \
  --output "$out"
# the version the runtime was made from, for `wayout version` questions
"$out/bin/java" -version 2>&1 | head -1 >&2
