#!/usr/bin/env bash
# Idle cost: `serve` with nothing due (the program starts next month), at several roster
# sizes. CPU share of one core over a measured minute, after a warm-up in which it plans.
# Usage (from the repository root): bench/idle.sh [15 1000 10000]
# On PostgreSQL instead of a SQLite file: DATABASE=postgres://postgres@127.0.0.1:5432 bench/idle.sh
# (a database sko_bench_idle is made anew for each size; the server's own CPU is shown beside).
# With a dense trigger besides the program's: MINUTELY=1 bench/idle.sh 10000 (one every minute).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --bin sko-reinforce
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
kickoff=$(date -u -d "+35 days" +%Y-%m-%d)
ticks=$(getconf CLK_TCK)
for n in "${@:-15 1000 10000}"; do
  if [ "$n" = 15 ]; then
    sed "s/^kickoff = .*/kickoff = $kickoff/" config.example.toml >"$work/c.toml"
    cp people.example.csv "$work/"
  else
    bench/roster.py "$n" --kickoff "$kickoff" >"$work/c.toml"
  fi
  if [ -n "${MINUTELY:-}" ]; then
    printf '\n[[triggers]]\nname = "minutely"\ncron = "0 * * * * *"\naudience = "reps"\ntext = "A minute on."\n' >>"$work/c.toml"
  fi
  rm -f "$work"/sko.db*
  url="sqlite://$work/sko.db"
  if [ -n "${DATABASE:-}" ]; then
    psql -q "$DATABASE/postgres" -c "DROP DATABASE IF EXISTS sko_bench_idle" -c "CREATE DATABASE sko_bench_idle"
    url="$DATABASE/sko_bench_idle"
  fi
  SKO__SERVER__LISTEN=127.0.0.1:0 SKO__DATABASE__URL="$url" SKO__LOG__LEVEL=warn \
    SKO__SLACK__API_BASE_URL=http://127.0.0.1:9/api SLACK_SIGNING_SECRET=bench SLACK_BOT_TOKEN=xoxb-bench \
    target/release/sko-reinforce serve --config "$work/c.toml" 2>"$work/log" &
  pid=$!
  sleep "${WARMUP:-20}"
  cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
  # PostgreSQL's processes (its backends serve this one client only here).
  server_cpu() { for p in $(pgrep -x postgres); do cat "/proc/$p/stat" 2>/dev/null; done | awk '{s += $14 + $15} END {print s + 0}'; }
  before=$(cpu)
  server_before=$(server_cpu)
  sleep "${MEASURE:-60}"
  after=$(cpu)
  server_after=$(server_cpu)
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  kill -TERM "$pid"; wait "$pid" || true
  awk -v n="$n" -v d=$((after - before)) -v t="$ticks" -v s="${MEASURE:-60}" -v r="$rss" \
    -v db=$((server_after - server_before)) -v pg="${DATABASE:+yes}" \
    'BEGIN { printf "%6d people: %.2f %% of a core idle, RSS %.1f MB", n, 100 * d / t / s, r / 1024
             if (pg) printf "; PostgreSQL itself %.2f %%", 100 * db / t / s
             printf "\n" }'
done
