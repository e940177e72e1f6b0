#!/usr/bin/env bash
# Side-by-side benchmark of the waypoint on loopback: one upstream (nginx serving the seed's
# 239-byte 301 body), one load generator (wrk), four paths: direct, nginx reverse proxy (JSON
# access log, upstream keep-alive), HAProxy (HTTP log), and the waypoint (JSON access log).
# Prints requests/s, p50/p99 latency and requests per CPU-second of the proxy process, the same
# with TLS origination, and the waypoint's resident memory holding 10,000 idle keep-alive
# connections. Where a JDK 21 or later is found, a second waypoint runs beside the first with the
# generational ZGC (no stop-the-world collection), for its CPU, tail and memory against the
# default collector's. It prints figures; nothing here asserts a timing.
#
#   bench/waypoint/run.sh              # needs wrk, nginx, haproxy (apt-get install wrk nginx haproxy)
#   DURATION=20 CONNECTIONS=64 bench/waypoint/run.sh
#   ZGC_JAVA=none bench/waypoint/run.sh    # without the ZGC waypoint; ZGC_JAVA=/path/to/bin/java to choose
#   TRAFFIC_POLICY=1 bench/waypoint/run.sh # the DestinationRule also sets connectionPool and outlierDetection
#   TRACING=1 bench/waypoint/run.sh        # the waypoints trace TRACING_SAMPLING percent (1) of requests, exported over OTLP to a local sink
#   TRAFFIC=1 bench/waypoint/run.sh        # with a VirtualService (weighted routes, a header) and a DestinationRule policy
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DURATION=${DURATION:-10}          # seconds per measurement
WARMUP=${WARMUP:-10}              # seconds of load before measuring the waypoint (JIT)
CONNECTIONS=${CONNECTIONS:-50}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-10000}
JAR=${JAR:-$ROOT/app/target/wayout.jar}
JAVA_OPTS=${JAVA_OPTS:--Xmx192m -Xmn64m -XX:+UseParallelGC -XX:ParallelGCThreads=2 -XX:+UseTransparentHugePages}   # as manifests/waypoint runs it
TRAFFIC_POLICY=${TRAFFIC_POLICY:-}   # 1: the DestinationRule adds a connection pool and outlier detection (issue 16's scenario)
TRACING=${TRACING:-}              # 1: tracing on, spans exported to otlp-sink.py on loopback
TRACING_SAMPLING=${TRACING_SAMPLING:-1}   # percent of requests that start a trace (Istio's default, 1)
TRAFFIC=${TRAFFIC:-0}            # 1: the waypoint also applies a VirtualService (two weighted routes, a header set) and a DestinationRule connection pool and outlier detection
ZGC_JAVA=${ZGC_JAVA:-auto}        # a JDK 21+ java for the ZGC waypoint; auto: the first found; none: skip
BASE=${BASE_PORT:-$((20000 + RANDOM % 20000))}
OTLP=$((BASE+14)); UP=$BASE; UP_TLS=$((BASE+1)); NGX=$((BASE+2)); HAP=$((BASE+3)); WAY=$((BASE+4)); NGX_TLS=$((BASE+9)); ZWAY=$((BASE+10))
WORK=$(mktemp -d /tmp/wayout-bench.XXXXXX); chmod 755 "$WORK"
PIDS=()
# The access logs of a run take gigabytes (a line per request): removed at the end unless KEEP_LOGS=1.
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${KEEP_LOGS:-}" ] || rm -f "$WORK"/*access.log "$WORK/ngx/access.log" "$WORK/haproxy.log"
}
trap cleanup EXIT

for tool in wrk nginx haproxy python3 openssl java; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y wrk nginx haproxy" >&2; exit 2; }
done
[ -f "$JAR" ] || (cd "$ROOT" && ./mvnw -B -q -pl app -am package -DskipTests)
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
HZ=$(getconf CLK_TCK)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
wait_port() { for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 did not open" >&2; return 1; }
ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) printf "%.3f", v/1000; else if (v ~ /ms$/) printf "%.3f", v+0; else if (v ~ /s$/) printf "%.3f", v*1000; else print v }'; }

# --- upstream: nginx serving the seed's answer, plain and TLS ---------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=bench.example \
  -addext subjectAltName=DNS:bench.example -keyout "$WORK/up.key" -out "$WORK/up.crt" 2>/dev/null
mkdir -p "$WORK/up" "$WORK/ngx" "$WORK/www"
python3 - "$WORK/www/body.html" <<'PY'
import sys
head = "<html>\r\n<head><title>301 Moved Permanently</title></head>\r\n<body>\r\n<center><h1>301 Moved Permanently</h1></center>\r\n"
tail = "<hr><center>Tengine</center>\r\n</body>\r\n</html>\r\n"
open(sys.argv[1], "w", newline="").write(head.ljust(239 - len(tail)) + tail)
PY
chmod -R a+rX "$WORK"
cat > "$WORK/up/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $WORK/up/nginx.pid; error_log $WORK/up/error.log;
events { worker_connections 20000; }
http {
  access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:$UP; listen 127.0.0.1:$UP_TLS ssl;
    ssl_certificate $WORK/up.crt; ssl_certificate_key $WORK/up.key;
    location / { default_type text/html; add_header Location https://aliyun.com/ always;
      root $WORK/www; try_files /body.html =404; } }
}
CONF
nginx -c "$WORK/up/nginx.conf" -p "$WORK/up" & PIDS+=($!)
wait_port $UP; UP_PID=$(cat "$WORK/up/nginx.pid"); UP_WORKER=$(pgrep -P "$UP_PID" | head -1)

# --- nginx reverse proxy: JSON access log, upstream keep-alive -----------------------------
cat > "$WORK/ngx/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $WORK/ngx/nginx.pid; error_log $WORK/ngx/error.log;
events { worker_connections 20000; }
http {
  log_format json escape=json '{"authority":"\$host","bytes_received":\$request_length,"bytes_sent":\$body_bytes_sent,'
    '"downstream_remote_address":"\$remote_addr:\$remote_port","duration":\$request_time,"method":"\$request_method",'
    '"path":"\$request_uri","protocol":"\$server_protocol","request_id":"\$request_id","response_code":\$status,'
    '"start_time":"\$time_iso8601","upstream_host":"\$upstream_addr","upstream_service_time":"\$upstream_response_time",'
    '"user_agent":"\$http_user_agent","x_forwarded_for":"\$http_x_forwarded_for"}';
  access_log $WORK/ngx/access.log json; keepalive_requests 1000000;
  upstream plain { server 127.0.0.1:$UP; keepalive 64; }
  upstream tls { server 127.0.0.1:$UP_TLS; keepalive 64; }
  server { listen 127.0.0.1:$NGX;
    location / { proxy_pass http://plain; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host \$host; } }
  server { listen 127.0.0.1:$NGX_TLS;
    location / { proxy_pass https://tls; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host \$host;
      proxy_ssl_server_name on; proxy_ssl_name bench.example; proxy_ssl_verify on;
      proxy_ssl_trusted_certificate $WORK/up.crt; proxy_ssl_session_reuse on; } }
}
CONF
nginx -c "$WORK/ngx/nginx.conf" -p "$WORK/ngx" & PIDS+=($!)
wait_port $NGX; NGX_WORKER=$(pgrep -P "$(cat "$WORK/ngx/nginx.pid")" | head -1)

# --- HAProxy: one thread, HTTP log ----------------------------------------------------------
cat > "$WORK/haproxy.cfg" <<CONF
global
  nbthread 1
  maxconn 9000
  log stdout format raw local0
defaults
  mode http
  log global
  option httplog
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  http-reuse always
frontend fe
  bind 127.0.0.1:$HAP
  default_backend be
backend be
  server up 127.0.0.1:$UP
CONF
haproxy -f "$WORK/haproxy.cfg" > "$WORK/haproxy.log" 2>&1 & HAP_PID=$!; PIDS+=($HAP_PID)
wait_port $HAP

# --- the waypoint ---------------------------------------------------------------------------
mkdir -p "$WORK/config"
DR_POLICY=""
if [ "$TRAFFIC" = 1 ]; then TRAFFIC_POLICY=1; fi   # the VirtualService scenario comes with the DestinationRule policy
if [ -n "$TRAFFIC_POLICY" ]; then # limits high enough never to bind, so that only their cost shows
  DR_POLICY="    connectionPool: {tcp: {maxConnections: 10000, connectTimeout: 2s}, http: {http1MaxPendingRequests: 10000, maxRequestsPerConnection: 0, idleTimeout: 60s}}
    outlierDetection: {consecutive5xxErrors: 5, interval: 10s, baseEjectionTime: 30s, maxEjectionPercent: 100}"
fi
cat > "$WORK/config/bench.yaml" <<CONF
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: bench, namespace: istio-egress}
spec:
  hosts: [bench.example]
  location: MESH_EXTERNAL
  ports:
  - {number: 80, name: http, protocol: HTTP, targetPort: $UP}
  - {number: 8443, name: http-tls, protocol: HTTP, targetPort: $UP_TLS}
  resolution: STATIC
  endpoints: [{address: 127.0.0.1}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: bench, namespace: istio-egress}
spec:
  host: bench.example
  trafficPolicy:
$DR_POLICY
    portLevelSettings:
    - port: {number: 8443}
      tls: {mode: SIMPLE, caCertificates: $WORK/up.crt}
CONF
if [ -n "$TRACING" ]; then
  python3 "$ROOT/bench/waypoint/otlp-sink.py" "$OTLP" > "$WORK/otlp-sink.log" 2>&1 & PIDS+=($!)
  wait_port $OTLP
  export WAYOUT_WAYPOINT_TRACING_ENDPOINT=http://127.0.0.1:$OTLP WAYOUT_WAYPOINT_TRACING_PROTOCOL=http/protobuf
  export WAYOUT_WAYPOINT_TRACING_SAMPLING=$TRACING_SAMPLING
  echo "tracing: $TRACING_SAMPLING% of requests sampled, exported to the OTLP sink on 127.0.0.1:$OTLP"
fi
if [ "$TRAFFIC" = 1 ]; then
  # Traffic management configured: a second host on the same upstream, a VirtualService with two
  # weighted routes and a header set, and the DestinationRule above with a connection pool and
  # outlier detection.
  cat > "$WORK/config/traffic.yaml" <<CONF
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: bench-canary, namespace: istio-egress}
spec:
  hosts: [bench-canary.example]
  location: MESH_EXTERNAL
  ports:
  - {number: 80, name: http, protocol: HTTP, targetPort: $UP}
  resolution: STATIC
  endpoints: [{address: 127.0.0.1}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: bench, namespace: istio-egress}
spec:
  hosts: [bench.example]
  http:
  - name: weighted
    headers: {request: {set: {x-egress-route: weighted}}}
    route:
    - {destination: {host: bench.example, port: {number: 80}}, weight: 90}
    - {destination: {host: bench-canary.example, port: {number: 80}}, weight: 10}
CONF
fi
start_waypoint() { # http-port name java options... (TLS, metrics and health on the next three ports)
  local port=$1 name=$2 java=$3; shift 3
  WAYOUT_WAYPOINT_HTTP_PORT=$port WAYOUT_WAYPOINT_TLS_PORT=$((port+1)) WAYOUT_WAYPOINT_METRICS_PORT=$((port+2)) \
  WAYOUT_WAYPOINT_HEALTH_PORT=$((port+3)) WAYOUT_WAYPOINT_BIND_ADDRESS=127.0.0.1 \
  WAYOUT_WAYPOINT_ALLOW_LOOPBACK_UPSTREAMS=true WAYOUT_WAYPOINT_EVENT_LOOP_THREADS=${WAYPOINT_THREADS:-1} \
    "$java" "$@" -Xlog:gc:file="$WORK/$name-gc.log" -jar "$JAR" waypoint --config "$WORK/config" > "$WORK/$name-access.log" 2> "$WORK/$name.log" &
}
# shellcheck disable=SC2086
start_waypoint "$WAY" waypoint java $JAVA_OPTS
WAY_PID=$!; PIDS+=($WAY_PID)
wait_port $WAY

# The generational ZGC needs JDK 21 (with -XX:+ZGenerational) or later (where it is the only ZGC).
java_feature() { "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}'; }
if [ "$ZGC_JAVA" = auto ]; then
  ZGC_JAVA=none
  for candidate in "$(command -v java)" /usr/lib/jvm/*/bin/java; do
    [ -x "$candidate" ] && [ "$(java_feature "$candidate")" -ge 21 ] 2>/dev/null && { ZGC_JAVA=$candidate; break; }
  done
fi
ZGC_OPTS=()
if [ "$ZGC_JAVA" != none ]; then
  ZGC_OPTS=(-Xmx192m -XX:+UseZGC -XX:+UseTransparentHugePages)
  [ "$(java_feature "$ZGC_JAVA")" -lt 23 ] && ZGC_OPTS+=(-XX:+ZGenerational)
  start_waypoint "$ZWAY" waypoint-zgc "$ZGC_JAVA" "${ZGC_OPTS[@]}"
  ZWAY_PID=$!; PIDS+=($ZWAY_PID)
  wait_port $ZWAY
fi

# --- measuring ------------------------------------------------------------------------------
printf '\n%-26s %10s %9s %9s %12s %12s\n' "path" "req/s" "p50 ms" "p99 ms" "req/CPU-s" "heap B/req"
# Eden capacity (KiB), eden used (KiB) and young collections so far, from jstat; not for ZGC, whose
# young generation changes size all the time.
heap_counters() {
  [ "$1" != "${ZWAY_PID:-}" ] || return 0
  { jstat -gc "$1" 2>/dev/null || true; } | awk 'NR == 2 { print $5, $6, $13 }'
}
measure() { # name url pid [host header]
  local name=$1 url=$2 pid=$3 host=${4:-bench.example} before after out rps p50 p99 total cpu heap0 heap1
  before=$(cpu_ticks "$pid"); heap0=$(heap_counters "$pid")
  out=$(wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Host: $host" "$url")
  after=$(cpu_ticks "$pid"); heap1=$(heap_counters "$pid")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out"); LAST_RPS=$rps
  total=$(awk '/requests in/ {print $1}' <<<"$out")
  p50=$(ms "$(awk '$1=="50%" {print $2}' <<<"$out")"); p99=$(ms "$(awk '$1=="99%" {print $2}' <<<"$out")")
  cpu=$(awk -v a="$before" -v b="$after" -v hz="$HZ" 'BEGIN {printf "%.2f", (b-a)/hz}')
  printf '%-26s %10.0f %9s %9s %12s %s\n' "$name" "$rps" "$p50" "$p99" \
    "$(awk -v n="$total" -v c="$cpu" 'BEGIN { if (c > 0) printf "%.0f", n/c; else print "-" }')" \
    "$(allocated "$heap0" "$heap1" "$total")"
}
# Heap allocated per request (a JVM's garbage, which sets how often it collects): young
# collections times eden's size, plus eden's change; blank for processes that are not a JVM.
allocated() {
  [ -n "$1" ] && [ -n "$2" ] || return 0
  awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { split(a, x, " "); split(b, y, " ");
    if (n > 0) printf "%12.0f", ((y[3] - x[3]) * y[1] + y[2] - x[2]) * 1024 / n }'
}
wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" -H "Host: bench.example" "http://127.0.0.1:$WAY/" > /dev/null
wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" -H "Host: bench.example:8443" "http://127.0.0.1:$WAY/" > /dev/null
[ -n "${ZWAY_PID:-}" ] && wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" -H "Host: bench.example" "http://127.0.0.1:$ZWAY/" > /dev/null

measure "direct (nginx upstream)" "http://127.0.0.1:$UP/" "$UP_WORKER"
measure "nginx proxy, JSON log" "http://127.0.0.1:$NGX/" "$NGX_WORKER"
measure "haproxy, HTTP log" "http://127.0.0.1:$HAP/" "$HAP_PID"
measure "waypoint, JSON log" "http://127.0.0.1:$WAY/" "$WAY_PID"
WAYPOINT_PEAK=$LAST_RPS
[ -n "${ZWAY_PID:-}" ] && measure "waypoint, generational ZGC" "http://127.0.0.1:$ZWAY/" "$ZWAY_PID"
measure "nginx proxy -> TLS" "http://127.0.0.1:$NGX_TLS/" "$NGX_WORKER"
measure "waypoint -> TLS (SIMPLE)" "http://127.0.0.1:$WAY/" "$WAY_PID" "bench.example:8443"
CONNECTIONS=4 measure "waypoint, 4 connections" "http://127.0.0.1:$WAY/" "$WAY_PID"
CONNECTIONS=4 measure "nginx proxy, 4 connections" "http://127.0.0.1:$NGX/" "$NGX_WORKER"
CONNECTIONS=4 measure "direct, 4 connections" "http://127.0.0.1:$UP/" "$UP_WORKER"

# --- added latency at half of the waypoint's peak rate -------------------------------------------
# Each connection pauses PACE_MS on average before each request (paced.lua); the same paced load
# goes to the upstream directly and through the waypoint, and the difference of the percentiles is
# what the waypoint adds.
paced() { # name url -> "rate p50 p99"
  local out
  out=$(PACE_MS=$PACE_MS wrk -t1 -c"$PACED_CONNECTIONS" -d"${DURATION}s" --latency -s "$(dirname "$0")/paced.lua" \
    -H "Host: bench.example" "$2")
  echo "$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out") $(ms "$(awk '$1=="50%" {print $2}' <<<"$out")") $(ms "$(awk '$1=="99%" {print $2}' <<<"$out")")"
}
PACE_MS=${PACE_MS:-2}
# Calibrate: a short paced run through the waypoint, then scale the connections to reach half of
# its peak (the pause and the latency both set the rate a connection offers).
PACED_CONNECTIONS=$(awk -v peak="$WAYPOINT_PEAK" -v p="$PACE_MS" 'BEGIN { c = int(peak / 2 * p / 1000); print (c < 1 ? 1 : c) }')
read -r c_rate _ <<<"$(DURATION=3 paced waypoint "http://127.0.0.1:$WAY/")"
PACED_CONNECTIONS=$(awk -v c="$PACED_CONNECTIONS" -v r="$c_rate" -v peak="$WAYPOINT_PEAK" \
  'BEGIN { n = int(c * peak / 2 / (r > 0 ? r : 1) + 0.5); print (n < 1 ? 1 : n) }')
# The paced load exercises other branches than the closed loop did, and the JIT recompiles for them
# in its first seconds (a burst of deoptimizations): warm up with the paced load itself first.
DURATION=$WARMUP paced waypoint "http://127.0.0.1:$WAY/" > /dev/null
[ -n "${ZWAY_PID:-}" ] && DURATION=$WARMUP paced zgc "http://127.0.0.1:$ZWAY/" > /dev/null
PATHS="direct nginx waypoint${ZWAY_PID:+ zgc}"
declare -A URL=([direct]="http://127.0.0.1:$UP/" [nginx]="http://127.0.0.1:$NGX/"
  [waypoint]="http://127.0.0.1:$WAY/" [zgc]="http://127.0.0.1:$ZWAY/")
declare -A LABEL=([direct]="direct (nginx upstream)" [nginx]="nginx proxy, JSON log"
  [waypoint]="waypoint, JSON log" [zgc]="waypoint, generational ZGC")
# Three interleaved rounds (direct, nginx, waypoint, then again): the machine's own noise moves
# one run's p99 by a millisecond or more, so the median of the three is reported.
median3() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
declare -A RATE P50 P99 m_rate m_p50 m_p99
for round in 1 2 3; do
  for path in $PATHS; do
    read -r r p50 p99 <<<"$(paced "$path" "${URL[$path]}")"
    RATE[$path]+="$r "; P50[$path]+="$p50 "; P99[$path]+="$p99 "
  done
done
echo
echo "half of the waypoint's peak ($WAYPOINT_PEAK req/s): $PACED_CONNECTIONS connections, each pausing ${PACE_MS} ms on average between requests"
echo "median of 3 interleaved rounds (the p99 of each round in brackets)"
printf '%-26s %10s %9s %9s\n' "path" "req/s" "p50 ms" "p99 ms"
for path in $PATHS; do
  # shellcheck disable=SC2086
  m_rate[$path]=$(median3 ${RATE[$path]}); m_p50[$path]=$(median3 ${P50[$path]}); m_p99[$path]=$(median3 ${P99[$path]})
done
for path in $PATHS; do
  printf '%-26s %10s %9s %9s   [%s]\n' "${LABEL[$path]}" "${m_rate[$path]}" "${m_p50[$path]}" "${m_p99[$path]}" "${P99[$path]% }"
done
added() { # path who [note]: the path's median percentiles less direct's
  awk -v who="$2" -v note="${3:-}" -v a="${m_p50[$1]}" -v b="${m_p50[direct]}" -v c="${m_p99[$1]}" -v d="${m_p99[direct]}" \
    'BEGIN { printf "added by %s p50 %.3f ms, p99 %.3f ms%s\n", who, a-b, c-d, note }'
}
added nginx "nginx:       "
added waypoint "the waypoint:" " (goal: p99 under 1 ms)"
[ -n "${ZWAY_PID:-}" ] && added zgc "the waypoint on the generational ZGC:"
if [ -s "$WORK/waypoint-gc.log" ]; then
  grep -oE 'Pause Young.* ([0-9.]+)ms' "$WORK/waypoint-gc.log" | grep -oE '[0-9.]+ms$' | tr -d ms | sort -g |
    awk '{ v[NR] = $1; s += $1 } END { if (NR) printf "waypoint young-generation pauses over the whole run: %d, median %.1f ms, max %.1f ms, %.1f s in all\n", NR, v[int((NR + 1) / 2)], v[NR], s / 1000 }'
fi
echo
echo "waypoint upstream connections opened (pooled, reused across requests):"
curl -s "http://127.0.0.1:$((BASE+6))/metrics" | grep -E '^wayout_waypoint_(upstream_connections_opened_total|requests_total)' || true
echo "waypoint access-log lines: $(wc -l < "$WORK/waypoint-access.log"); last one:"
tail -1 "$WORK/waypoint-access.log"
[ -n "$TRACING" ] && echo "waypoint requests in a sampled trace (trace_id set): $(grep -c '"trace_id":"' "$WORK/waypoint-access.log" || true)"

# --- resident memory with idle keep-alive connections -----------------------------------------
rss() { awk '/VmRSS/ {printf "%.0f MiB", $2/1024}' "/proc/$1/status"; }
idle_rss() { # name http-port pid (metrics on http-port + 2)
  echo
  echo "$1 RSS before idle connections: $(rss "$3")"
  python3 "$(dirname "$0")/idle-clients.py" 127.0.0.1 "$2" "$IDLE_CONNECTIONS" bench.example 15 > "$WORK/idle.txt" &
  local idle=$!
  for _ in $(seq 1 240); do grep -q "connections open" "$WORK/idle.txt" 2>/dev/null && break; sleep 0.5; done
  cat "$WORK/idle.txt"
  echo "$1 RSS holding them: $(rss "$3") (open client connections by its metrics: $(curl -s "http://127.0.0.1:$(($2 + 2))/metrics" | awk '/^wayout_waypoint_downstream_connections / {print $2}'))"
  wait $idle || true
}
idle_rss waypoint "$WAY" "$WAY_PID"
[ -n "${ZWAY_PID:-}" ] && { sleep 2; idle_rss "waypoint, generational ZGC" "$ZWAY" "$ZWAY_PID"; }
echo "work dir (configs, GC logs; the access logs too with KEEP_LOGS=1): $WORK"
