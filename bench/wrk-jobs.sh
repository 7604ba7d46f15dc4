#!/usr/bin/env bash
# GET /pictoryapis/v1/jobs/{id} under load while a render runs: wrk with 64
# connections for ~10 s, printing requests/s and the latency distribution (p99).
# Target on a 2-core machine: >= 15,000 requests/s, p99 < 10 ms.
# Environment: STORYREEL (binary, default build/storyreel), DURATION (default 10s),
# CONNECTIONS (64), THREADS (wrk threads, 2), HTTP_THREADS (server pool, default 2).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${STORYREEL:-$ROOT/build/storyreel}"
DIR="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
"$BIN" serve --data "$DIR/data" --listen "127.0.0.1:$PORT" --workers 1 --rate-limit 0 \
  --http-threads "${HTTP_THREADS:-2}" 2>"$DIR/server.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 1 100); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done
KEY="$("$BIN" keys create --data "$DIR/data" --name bench --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')"
# a render long enough to run through the whole measurement
TL='{"version":1,"output":{"name":"bench","width":640,"height":360,"fps":30,"duration":1800},
 "sceneMarkers":[{"sceneIndex":0,"startTime":0,"duration":1800,"transition":"none","transitionDuration":0}],
 "elements":[{"id":"bg","elementType":"backgroundElement","type":"color","color":"#336699","sceneIndex":0,
 "startTime":0,"duration":1800}],"subtitles":[],"transcript":""}'
JOB="$(curl -sf -H "Authorization: $KEY" -d "$TL" "$BASE/pictoryapis/v2/video/render" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["jobId"])')"
for _ in $(seq 1 100); do
  curl -sf -H "Authorization: $KEY" "$BASE/pictoryapis/v1/jobs/$JOB" | grep -q in-progress && break; sleep 0.1
done
echo "job $JOB: $(curl -sf -H "Authorization: $KEY" "$BASE/pictoryapis/v1/jobs/$JOB")"
echo "wrk -t${THREADS:-2} -c${CONNECTIONS:-64} -d${DURATION:-10s} --latency -H 'Authorization: <key>' $BASE/pictoryapis/v1/jobs/$JOB"
wrk -t"${THREADS:-2}" -c"${CONNECTIONS:-64}" -d"${DURATION:-10s}" --latency -H "Authorization: $KEY" \
  "$BASE/pictoryapis/v1/jobs/$JOB"
echo "job after: $(curl -sf -H "Authorization: $KEY" "$BASE/pictoryapis/v1/jobs/$JOB" | head -c 300)"
