#!/usr/bin/env bash
# How the build scales with the number of leads: generates datasets with
# `smreport sample-data --leads N` (CSV and Parquet) and times
# `smreport build --month 2024-03` on each, as JSON only and as the full
# pack (PDF, HTML, JSON): wall time per stage (from -v), total wall time and
# peak resident memory (GNU time). Prints a Markdown table for
# docs/performance.md.
#
#   benches/scale.sh                      # 100k, 1M and 10M leads
#   benches/scale.sh 100000 1000000       # chosen sizes
#   RUNS=5 benches/scale.sh 1000000       # median of 5 runs (default 3)
#
# Needs GNU time (/usr/bin/time, Debian package `time`). Datasets are kept
# in target/bench-data/ and reused; delete it to regenerate.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(100000 1000000 10000000)
runs=${RUNS:-3}
bin=target/release/smreport
data=target/bench-data

if [ ! -x /usr/bin/time ]; then
  echo "benches/scale.sh needs GNU time: apt-get install time" >&2
  exit 2
fi
cargo build --release --quiet

echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "smreport $(git rev-parse --short HEAD 2>/dev/null || echo '?'), median of $runs runs"
echo
echo "| leads | input | output | load | metrics | charts | pdf | total (-v) | wall | peak RSS |"
echo "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|"

# One run: prints "load metrics charts pdf total wall rss_mb".
run_once() {
  local dir=$1 formats=$2 log
  log=$(mktemp)
  /usr/bin/time -f "TIME %e %M" "$bin" build --month 2024-03 --config smreport.toml \
    --data "$dir" --out "$dir/out" --format "$formats" -v >/dev/null 2>"$log"
  awk '
    $1 == "load" || $1 == "metrics" || $1 == "charts" || $1 == "pdf" || $1 == "total" { t[$1] = $2 }
    $1 == "TIME" { wall = $2; rss = $3 / 1024 }
    END { printf "%d %d %.1f %d %d %.2f %.0f\n", t["load"], t["metrics"], t["charts"], t["pdf"], t["total"], wall, rss }
  ' "$log"
  rm -f "$log"
}

# The median of each column over $runs runs.
median() {
  local dir=$1 formats=$2
  for _ in $(seq "$runs"); do run_once "$dir" "$formats"; done |
    awk -v n="$runs" '
      { for (i = 1; i <= NF; i++) v[i, NR] = $i }
      END {
        for (i = 1; i <= 7; i++) {
          for (a = 1; a <= n; a++) col[a] = v[i, a]
          # insertion sort
          for (a = 2; a <= n; a++) { x = col[a]; b = a - 1; while (b >= 1 && col[b] > x) { col[b+1] = col[b]; b-- } col[b+1] = x }
          m[i] = col[int((n + 1) / 2)]
        }
        printf "%d ms | %d ms | %.1f ms | %d ms | %d ms | %.2f s | %d MB", m[1], m[2], m[3], m[4], m[5], m[6], m[7]
      }'
}

for n in "${sizes[@]}"; do
  for fmt in csv parquet; do
    dir="$data/$n-$fmt"
    if [ ! -f "$dir/leads.$fmt" ]; then
      "$bin" sample-data --out "$dir" --leads "$n" --format "$fmt" >/dev/null
    fi
    for out in json pdf,html,json; do
      label=$([ "$out" = json ] && echo "JSON" || echo "full pack")
      echo "| $n | $fmt | $label | $(median "$dir" "$out") |"
    done
  done
done
