#!/usr/bin/env bash
# Side by side, in one run: sko-reinforce, a bare hyper server (the ceiling) and the Bolt
# peers, each with a fresh SQLite file and a fresh process, under the same load generator.
# Usage (from the repository root, after the set-up in BENCHMARKS.md):
#   PEERS=/path/to/a/writable/copy/of/shared/bench/peers bench/run.sh
# Knobs: REPS (3), LEVELS (1,16,64), DURATION (15), WARMUP (5), CONFIGS, GEN (loadgen|wrk),
# STARTUP_RUNS (10), OUT (bench/results/<UTC stamp>).
set -euo pipefail
cd "$(dirname "$0")/.."

PEERS=${PEERS:?set PEERS to a writable copy of ../shared/bench/peers with its dependencies installed}
REPS=${REPS:-3}
LEVELS=${LEVELS:-1,16,64}
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-5}
GEN=${GEN:-loadgen}
STARTUP_RUNS=${STARTUP_RUNS:-10}
CONFIGS=${CONFIGS:-"sko-reinforce hello js-http py-aiohttp-pbr py-flask"}
OUT=${OUT:-bench/results/$(date -u +%Y%m%dT%H%M%SZ)}
export SLACK_SIGNING_SECRET=${SLACK_SIGNING_SECRET:-8f742231b10e8888abcd99yyyzzz85a5}
mkdir -p "$OUT" "$OUT/data"
OUT=$(cd "$OUT" && pwd)

cargo build --release --locked --bin sko-reinforce --example hello
cargo build --release --locked -p loadgen
LOADGEN=$PWD/target/release/loadgen

# What starts each config: directory, port, health URL, and the command (with env).
configure() {
  local db=$OUT/data/$1-$2.db
  case "$1" in
    sko-reinforce) DIR=$PWD; PORT=3010; HEALTH=/healthz
      CMD=(env SKO__SERVER__LISTEN=127.0.0.1:$PORT SKO__DATABASE__URL=sqlite://$db SKO__LOG__LEVEL=warn
           "$PWD/target/release/sko-reinforce" serve --config config.example.toml) ;;
    hello) DIR=$PWD; PORT=3009; HEALTH=/; CMD=("$PWD/target/release/examples/hello" 127.0.0.1:$PORT) ;;
    js-http) DIR=$PEERS/js; PORT=3002; HEALTH=/
      CMD=(env PORT=$PORT RECEIVER=http DB_PATH=$db node app.js) ;;
    py-aiohttp-pbr) DIR=$PEERS/python; PORT=3003; HEALTH=/
      CMD=(env PROCESS_BEFORE_RESPONSE=1 DB_PATH=$db .venv/bin/gunicorn -w 2 -k aiohttp.GunicornWebWorker
           -b 127.0.0.1:$PORT app_aiohttp:web_app) ;;
    py-flask) DIR=$PEERS/python; PORT=3001; HEALTH=/
      CMD=(env DB_PATH=$db .venv/bin/gunicorn -w 5 -b 127.0.0.1:$PORT app_flask:flask_app) ;;
    *) echo "unknown config $1" >&2; return 1 ;;
  esac
}

PID=""
stop() {
  [ -n "$PID" ] || return 0
  local kids; kids=$(pgrep -P "$PID" || true)
  kill -TERM "$PID" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$PID" $kids 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
  PID=""
}
trap stop EXIT
trap 'stop; exit 130' INT TERM

wait_up() {
  for _ in $(seq 1 300); do
    curl -s -o /dev/null "http://127.0.0.1:$PORT$HEALTH" && return 0
    sleep 0.1
  done
  echo "$1 did not come up on port $PORT" >&2; return 1
}

{ date -u; uname -a; nproc; free -m; rustc --version; node --version || true
  "$PEERS/python/.venv/bin/python" --version || true
  command -v wrk >/dev/null && wrk --version 2>&1 | head -1 || true; git rev-parse HEAD; } > "$OUT/env.txt" 2>&1

read -ra configs <<< "$CONFIGS"
for rep in $(seq 1 "$REPS"); do
  # Rotate the order in each repetition, as run_peers.sh does.
  n=${#configs[@]}; shift_by=$(( (rep - 1) % n ))
  order=("${configs[@]:shift_by}" "${configs[@]:0:shift_by}")
  for config in "${order[@]}"; do
    configure "$config" "$rep"
    echo "== rep $rep: $config"
    (cd "$DIR" && exec "${CMD[@]}") > "$OUT/$config-$rep.log" 2>&1 &
    PID=$!
    wait_up "$config"
    url=http://127.0.0.1:$PORT/slack/commands
    [ "$config" = hello ] && expect=() || expect=(--expect "Recorded: ")
    if [ "$GEN" = wrk ]; then
      python3 "$PEERS/loadgen/slackload.py" "$url" --secret "$SLACK_SIGNING_SECRET" -c "$LEVELS" \
        -d "$DURATION" --warmup "$WARMUP" --server-pid "$PID" --label "$config" \
        --json "$OUT/$config-$rep.wrk.json"
    else
      "$LOADGEN" run "$url" -c "$LEVELS" -d "$DURATION" --warmup "$WARMUP" --server-pid "$PID" \
        --label "$config" "${expect[@]}" --json "$OUT/levels.jsonl"
    fi
    stop
  done
done

# Start-up: spawn to the first healthy answer (for the peers, the first answer of any kind).
for config in "${configs[@]}"; do
  configure "$config" startup
  rm -f "$OUT/data/$config-startup.db"*
  any=(); [ "$HEALTH" = /healthz ] || any=(--any-status)
  (cd "$DIR" && "$LOADGEN" startup --health "http://127.0.0.1:$PORT$HEALTH" "${any[@]}" \
     --runs "$STARTUP_RUNS" --label "$config" --json "$OUT/startup.jsonl" -- "${CMD[@]}")
done

[ "$GEN" = wrk ] || "$LOADGEN" summarize "$OUT/levels.jsonl" "$OUT/startup.jsonl" | tee "$OUT/summary.md"
echo "results in $OUT"
