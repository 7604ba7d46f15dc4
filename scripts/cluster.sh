# cluster.sh - sourced by scripts/demo-cluster and bench/fleet: starts, on this machine, what a storyreel
# fleet runs on — a throwaway PostgreSQL cluster (initdb + pg_ctl, as an unprivileged user when run as root,
# since PostgreSQL refuses root), an S3-protocol server (s3rver from npm, installed by scripts/install-npm),
# API nodes (`storyreel serve --workers 0`) and render nodes (`storyreel worker`) — and stops them all.
#
#   cluster_init DIR          a work folder (removed by cluster_stop)
#   cluster_pg                -> PG_URI   (postgresql://storyreel@127.0.0.1:PORT/storyreel)
#   cluster_s3                -> S3_URI   (s3://storyreel/PREFIX?endpoint=...&region=us-east-1), AWS_* exported
#   cluster_api NAME [ARGS]   -> an API node; API_URL_<NAME> set, pid noted
#   cluster_worker NAME [ARGS] -> a render node
#   cluster_stop              stops every process it started, newest first
# Environment: STORYREEL (the binary, default build/storyreel).
CL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CL_BIN="${STORYREEL:-$CL_ROOT/build/storyreel}"
CL_PIDS=()

cl_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cl_wait() { # URL SECONDS WHAT LOG: until URL answers (any HTTP status)
  for _ in $(seq 1 $(($2 * 10))); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$1" 2>/dev/null)" != 000 ] && return 0
    sleep 0.1
  done
  echo "cluster: $3 did not start; its log: $4" >&2
  tail -20 "$4" >&2 || true
  return 1
}

cluster_init() {
  CL_DIR="$1"
  rm -rf "$CL_DIR"
  mkdir -p "$CL_DIR"
  [ -x "$CL_BIN" ] || { echo "cluster: $CL_BIN is not built (run make)" >&2; return 1; }
}

cluster_pg() {
  local bindir user="" port
  bindir="$(dirname "$(readlink -f "$(command -v initdb 2>/dev/null || echo /nonexistent)")")"
  [ -x "$bindir/initdb" ] || bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  [ -x "$bindir/initdb" ] || { echo "cluster: PostgreSQL is not installed (scripts/install-deps)" >&2; return 1; }
  mkdir -p "$CL_DIR/pg"
  if [ "$(id -u)" -eq 0 ]; then # PostgreSQL refuses to run as root
    user=postgres
    id "$user" >/dev/null 2>&1 || user=nobody
    chown -R "$user" "$CL_DIR/pg"
    chmod 755 "$CL_DIR"
  fi
  cl_as() { if [ -n "$user" ]; then runuser -u "$user" -- "$@"; else "$@"; fi; }
  port="$(cl_port)"
  cl_as "$bindir/initdb" -D "$CL_DIR/pg/data" -U storyreel --auth=trust -E UTF8 >"$CL_DIR/pg/initdb.log" 2>&1 ||
    { cat "$CL_DIR/pg/initdb.log" >&2; return 1; }
  cl_as "$bindir/pg_ctl" -D "$CL_DIR/pg/data" -l "$CL_DIR/pg/server.log" -w -t 30 \
    -o "-p $port -k $CL_DIR/pg -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=32MB" start \
    >/dev/null || { cat "$CL_DIR/pg/server.log" >&2; return 1; }
  CL_PG_STOP=("$bindir/pg_ctl" -D "$CL_DIR/pg/data" -m fast stop)
  CL_PG_USER="$user"
  cl_as "$bindir/createdb" -h 127.0.0.1 -p "$port" -U storyreel storyreel || return 1
  PG_URI="postgresql://storyreel@127.0.0.1:$port/storyreel"
}

cluster_s3() {
  local port s3rver="$CL_ROOT/node_modules/.bin/s3rver"
  [ -x "$s3rver" ] || { echo "cluster: s3rver is not installed (scripts/install-npm)" >&2; return 1; }
  port="$(cl_port)"
  mkdir -p "$CL_DIR/s3"
  "$s3rver" --directory "$CL_DIR/s3" --address 127.0.0.1 --port "$port" --configure-bucket storyreel \
    --silent >"$CL_DIR/s3.log" 2>&1 &
  CL_PIDS+=($!)
  cl_wait "http://127.0.0.1:$port/" 30 "s3rver" "$CL_DIR/s3.log" || return 1
  export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
  S3_URI="s3://storyreel/fleet?endpoint=http://127.0.0.1:$port&region=us-east-1"
}

cluster_api() { # NAME [serve options...]
  local name="$1" port
  shift
  port="$(cl_port)"
  "$CL_BIN" serve --store "$PG_URI" --storage "$S3_URI" --data "$CL_DIR/$name" --workers 0 \
    --listen "127.0.0.1:$port" --public-url "http://127.0.0.1:$port" "$@" 2>"$CL_DIR/$name.log" &
  CL_PIDS+=($!)
  printf -v "API_URL_$name" '%s' "http://127.0.0.1:$port"
  printf -v "API_PID_$name" '%s' "$!"
  cl_wait "http://127.0.0.1:$port/healthz" 30 "API node $name" "$CL_DIR/$name.log"
}

cluster_worker() { # NAME [worker options...]
  local name="$1"
  shift
  "$CL_BIN" worker --store "$PG_URI" --storage "$S3_URI" --data "$CL_DIR/$name" --name "$name" "$@" \
    2>"$CL_DIR/$name.log" &
  CL_PIDS+=($!)
  printf -v "WORKER_PID_$name" '%s' "$!"
}

cluster_stop() {
  local i
  for ((i = ${#CL_PIDS[@]} - 1; i >= 0; i--)); do kill "${CL_PIDS[$i]}" 2>/dev/null || true; done
  for ((i = ${#CL_PIDS[@]} - 1; i >= 0; i--)); do wait "${CL_PIDS[$i]}" 2>/dev/null || true; done
  CL_PIDS=()
  if [ -n "${CL_PG_STOP:-}" ]; then
    if [ -n "$CL_PG_USER" ]; then runuser -u "$CL_PG_USER" -- "${CL_PG_STOP[@]}" >/dev/null 2>&1 || true
    else "${CL_PG_STOP[@]}" >/dev/null 2>&1 || true; fi
    CL_PG_STOP=
  fi
}
