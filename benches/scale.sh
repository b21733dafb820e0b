#!/usr/bin/env bash
# smreport beside DuckDB, in one run on one machine. For each size N (leads):
#
# - the data: benches/duckdb_anchor.py generates leads, deals, costs and
#   traffic as CSV and Parquet into target/bench-data/anchor-N/ (made once,
#   then reused; its shape is in that script's docs);
# - DuckDB (PyPI `duckdb`, in target/bench-venv, made here) computes the
#   core figures of 2024-03 from the CSVs: leads, MQLs, SQLs,
#   opportunities, won, lost, won revenue, marketing and total cost, cost
#   per lead/MQL/SQL/opportunity and CAC;
# - smreport builds the JSON of 2024-03 (every KPI, not a subset) from the
#   CSVs and from the Parquet files, and, when SMREPORT_DATABASE_URL is set,
#   from PostgreSQL (the CSVs loaded once into schema anchor_N, ids as
#   primary keys), with the statements run and rows fetched; and, when
#   SMREPORT_SPARK_URL is set, from Spark (the Parquet files read by path,
#   `[source] leads = "parquet:…"`, computed by the cluster's executors),
#   with the Spark Connect server's peak memory (the driver's, from
#   SMREPORT_SPARK_PID's /proc status when given: .ci/spark's connect.pid).
#
# The runs alternate (smreport CSV, smreport Parquet, DuckDB, PostgreSQL,
# then again), RUNS times (default 3); each figure is the median. Wall time
# and peak RSS from GNU time for the whole process (Python's start-up
# included for DuckDB), stage times from `smreport -v`. It checks that
# smreport's JSON has the same core figures as DuckDB's, then prints one
# Markdown table with the ratios (smreport ÷ DuckDB; below 1 is faster).
#
#   benches/scale.sh                      # 100k, 1M and 10M leads
#   RUNS=5 benches/scale.sh 1000000       # one size, median of 5
#
# Needs GNU time (Debian package `time`) and python3 with venv; psql
# (postgresql-client) for the PostgreSQL column.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(100000 1000000 10000000)
runs=${RUNS:-3}
month=2024-03
bin=target/release/smreport
venv=target/bench-venv
py=$venv/bin/python
duckdb_version=2.0.1

if [ ! -x /usr/bin/time ]; then
  echo "benches/scale.sh needs GNU time: apt-get install time" >&2
  exit 2
fi
if ! "$py" -c "import duckdb; assert duckdb.__version__ == '$duckdb_version'" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "duckdb==$duckdb_version"
fi
cargo build --release --quiet
psql=""
if [ -n "${SMREPORT_DATABASE_URL:-}" ]; then
  psql=$(command -v psql || ls /usr/lib/postgresql/*/bin/psql | tail -n 1)
fi

# shellcheck source=benches/pg_load.sh
source benches/pg_load.sh

# One timed command; prints "wall_s rss_mb load_ms metrics_ms statements
# rows_fetched" (the last two from the database source's `-v` total, else
# 0) and leaves its stdout in $1.
timed() {
  local out=$1 log
  shift
  log=$(mktemp)
  /usr/bin/time -f "TIME %e %M" "$@" >"$out" 2>"$log" || { cat "$log" >&2; exit 1; }
  awk '
    $1 == "load" || $1 == "metrics" { t[$1] = $2 }
    ($1 == "PostgreSQL:" || $1 == "Spark:") && $3 == "statements," { st = $2; rows = $4 }
    $1 == "TIME" { wall = $2; rss = $3 / 1024 }
    END { printf "%.2f %.0f %d %d %d %d\n", wall, rss, t["load"], t["metrics"], st, rows }
  ' "$log"
  rm -f "$log"
}

# The median of each column of the lines on stdin.
median() {
  awk -v n="$runs" '
    { for (i = 1; i <= NF; i++) v[i, NR] = $i; w = NF }
    END {
      for (i = 1; i <= w; i++) {
        for (a = 1; a <= n; a++) col[a] = v[i, a]
        for (a = 2; a <= n; a++) { x = col[a]; b = a - 1; while (b >= 1 && col[b] > x) { col[b+1] = col[b]; b-- } col[b+1] = x }
        printf "%s%s", col[int((n + 1) / 2)], (i < w ? " " : "\n")
      }
    }'
}

# The core figures of smreport's JSON, as DuckDB's script prints them.
core_figures() {
  "$py" - "$1" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
f, c, r = j["funnel"], j["costs"], j["revenue"]
r2 = lambda x: None if x is None else round(x, 2)
print(json.dumps({
    "leads": f["leads"], "mqls": f["mqls"], "sqls": f["sqls"],
    "opportunities": f["opportunities"], "won": f["won"], "lost": f["lost"],
    "won_revenue": r2(r["won"]), "marketing_cost": r2(c["marketing"]),
    "total_cost": r2(c["total"]), "cost_per_lead": r2(c["cost_per_lead"]),
    "cost_per_mql": r2(c["cost_per_mql"]), "cost_per_sql": r2(c["cost_per_sql"]),
    "cost_per_opportunity": r2(c["cost_per_opportunity"]), "cac": r2(c["cac"]),
}))
PY
}

echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "smreport $(git rev-parse --short HEAD 2>/dev/null || echo '?'), DuckDB $duckdb_version, $month, JSON only, median of $runs alternating runs"
[ -n "$psql" ] && echo "PostgreSQL $("$psql" "$SMREPORT_DATABASE_URL" -Atc 'SHOW server_version') on the same machine"
echo
echo "| leads | input | wall | peak RSS | load | metrics | wall ÷ DuckDB | RSS ÷ DuckDB |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|"

for n in "${sizes[@]}"; do
  data=target/bench-data/anchor-$n
  if [ ! -f "$data/parquet/traffic.parquet" ]; then
    echo "generating $n leads into $data …" >&2
    "$py" benches/duckdb_anchor.py gen "$n" "$data"
  fi
  inputs=(csv parquet)
  if [ -n "$psql" ]; then
    pg_load "target/bench-data/anchor-$n/csv" "anchor_$n" keys
    # The sample config (targets, qualification, plan) reading the database.
    cfg_pg=$(mktemp --suffix .toml)
    cp smreport.toml "$cfg_pg"
    printf '\n[source]\nkind = "postgres"\nschema = "anchor_%s"\n' "$n" >>"$cfg_pg"
    inputs+=(postgres)
  fi
  if [ -n "${SMREPORT_SPARK_URL:-}" ]; then
    cfg_spark=$(mktemp --suffix .toml)
    cp smreport.toml "$cfg_spark"
    abs=$(cd "$data/parquet" && pwd)
    printf '\n[source]\nkind = "spark"\nleads = "parquet:%s/leads.parquet"\ndeals = "parquet:%s/deals.parquet"\ncosts = "parquet:%s/costs.parquet"\ntraffic = "parquet:%s/traffic.parquet"\n' \
      "$abs" "$abs" "$abs" "$abs" >>"$cfg_spark"
    inputs+=(spark)
  fi
  work=$(mktemp -d)
  for r in $(seq "$runs"); do
    for input in "${inputs[@]}"; do
      case $input in
        postgres) args=(--config "$cfg_pg") ;;
        spark) args=(--config "$cfg_spark") ;;
        *) args=(--config smreport.toml --data "$data/$input") ;;
      esac
      timed "$work/stdout" "$bin" build --month "$month" "${args[@]}" --out "$work/$input" --format json -v >>"$work/$input.times"
    done
    timed "$work/duckdb.json" "$py" benches/duckdb_anchor.py kpis "$data/csv" "$month" >>"$work/duckdb.times"
  done
  expected=$(cat "$work/duckdb.json")
  for input in "${inputs[@]}"; do
    got=$(core_figures "$work/$input/sm-report-$month.json")
    if [ "$got" != "$expected" ]; then
      echo "smreport ($input, $n leads) and DuckDB disagree:" >&2
      echo "  smreport: $got" >&2
      echo "  DuckDB:   $expected" >&2
      exit 1
    fi
  done
  for engine in postgres spark; do
    [ -f "$work/$engine/sm-report-$month.json" ] || continue
    # The whole JSON from the engine is the files' (numbers to 1e-9).
    "$py" - "$work/csv/sm-report-$month.json" "$work/$engine/sm-report-$month.json" "$engine" <<'PY'
import json, sys
def walk(a, b, p, out):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in set(a) | set(b):
            if "/example" in p + "/" + k and k in ("file", "row"):
                continue
            if k not in a or k not in b:
                out.append(p + "/" + k)
            else:
                walk(a[k], b[k], p + "/" + k, out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            walk(x, y, f"{p}/{i}", out)
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        if abs(a - b) > 1e-9 * max(abs(b), 1):
            out.append(f"{p}: {a} against {b}")
    elif a != b:
        out.append(f"{p}: {a!r} against {b!r}")
out = []
walk(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), "", out)
if out:
    sys.exit(f"the {sys.argv[3]} JSON differs from the CSV JSON: " + "; ".join(out[:5]))
PY
  done
  read -r dwall drss _ _ < <(median <"$work/duckdb.times")
  echo "| $n | DuckDB (CSV, core figures) | $dwall s | $drss MB | – | – | 1 | 1 |"
  for input in "${inputs[@]}"; do
    read -r wall rss load metrics st rows < <(median <"$work/$input.times")
    label=$input
    case $input in
      postgres | spark) label="$input ($st statements, $rows rows fetched)" ;;
    esac
    awk -v n="$n" -v i="$label" -v w="$wall" -v r="$rss" -v l="$load" -v m="$metrics" -v dw="$dwall" -v dr="$drss" \
      'BEGIN { printf "| %s | smreport %s | %.2f s | %d MB | %d ms | %d ms | **%.2f×** | %.2f× |\n", "", i, w, r, l, m, w / dw, r / dr }'
  done
  if [ -n "${SMREPORT_SPARK_URL:-}" ] && [ -n "${SMREPORT_SPARK_PID:-}" ]; then
    echo "| | (Spark Connect server, the driver: peak RSS $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' "/proc/$SMREPORT_SPARK_PID/status") since it started) | | | | | | |"
  fi
  rm -rf "$work" "${cfg_pg:-}" "${cfg_spark:-}"
done
echo
echo "Every smreport build above gave DuckDB's core figures (leads, MQLs, SQLs, opportunities, won, lost, won revenue, costs, cost per stage, CAC)$([ -n "$psql" ] && echo "; the PostgreSQL build's whole JSON was the CSV build's")$([ -n "${SMREPORT_SPARK_URL:-}" ] && echo "; the Spark build's whole JSON was the CSV build's")."
