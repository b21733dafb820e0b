#!/usr/bin/env bash
# The warehouse source at scale: loads the generated datasets of
# benches/scale.sh (target/bench-data/N-csv) into PostgreSQL, one schema
# per size (bench_N, loaded once and reused), and times
# `smreport build --month 2024-03 --source postgres --format json -v`:
# stage times, statements run, rows fetched, smreport's peak RSS (GNU time)
# and wall time. Prints a Markdown table for docs/performance.md.
#
#   SMREPORT_DATABASE_URL=postgresql://… benches/warehouse.sh 1000000 10000000
#
# Needs psql (Debian package postgresql-client) and GNU time; run
# benches/scale.sh for a size first to generate its CSVs.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${SMREPORT_DATABASE_URL:?set SMREPORT_DATABASE_URL to the database to load into}"
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(100000 1000000 10000000)
runs=${RUNS:-3}
bin=target/release/smreport
psql=$(command -v psql || ls /usr/lib/postgresql/*/bin/psql | tail -n 1)
cargo build --release --quiet

# shellcheck source=benches/pg_load.sh
source benches/pg_load.sh

echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); PostgreSQL $("$psql" "$SMREPORT_DATABASE_URL" -Atc 'SHOW server_version') on the same machine"
echo "smreport $(git rev-parse --short HEAD 2>/dev/null || echo '?'), median of $runs runs"
echo
echo "| leads | load (staging, checks, quality) | metrics | total (-v) | statements | rows fetched | wall | smreport peak RSS |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
  pg_load "target/bench-data/$n-csv" "bench_$n"
  cfg=$(mktemp --suffix .toml)
  printf '[source]\nkind = "postgres"\nschema = "bench_%s"\n' "$n" >"$cfg"
  out=$(mktemp -d)
  for _ in $(seq "$runs"); do
    log=$(mktemp)
    /usr/bin/time -f "TIME %e %M" "$bin" build --month 2024-03 --config "$cfg" --out "$out" --format json -v >/dev/null 2>"$log"
    awk '
      $1 == "load" || $1 == "metrics" || $1 == "total" { t[$1] = $2 }
      $1 == "database:" { st = $2; rows = $4 }
      $1 == "TIME" { wall = $2; rss = $3 / 1024 }
      END { printf "%d %d %d %d %d %.2f %.0f\n", t["load"], t["metrics"], t["total"], st, rows, wall, rss }
    ' "$log"
    rm -f "$log"
  done | sort -n -k6 | awk -v n="$runs" -v leads="$n" 'NR == int((n + 1) / 2) {
      printf "| %\047d | %.1f s | %.1f s | %.1f s | %d | %d | %.1f s | %d MB |\n", leads, $1/1000, $2/1000, $3/1000, $4, $5, $6, $7 }'
  rm -rf "$cfg" "$out"
done
