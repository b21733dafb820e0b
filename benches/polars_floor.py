"""The floor under issue #26's file goals: how long polars itself takes
just to read the benchmark files, beside DuckDB computing the core
figures from the same CSVs, in one run (see docs/performance.md).

    python benches/polars_floor.py DIR MONTH   # DIR as made by duckdb_anchor.py gen

Needs PyPI's `polars` and `duckdb` in the same environment
(`target/bench-venv/bin/pip install polars==2.1.0`). Python polars runs
the same Rust engine as the crate smreport uses (a newer release of it),
on all cores. Each measurement is its own process (peak memory is per
process), three alternating runs, the median printed:

- polars `read_csv` of leads.csv and deals.csv (every column, types
  inferred, dates parsed): no KPI computed at all;
- polars `scan_csv` of both, every column parsed, only each column's
  null count computed, with the streaming engine (bounded memory);
- polars `read_parquet` of leads.parquet and deals.parquet;
- DuckDB computing the core figures from the CSVs (benches/duckdb_anchor.py
  kpis; its process start and `import duckdb` included, as in scale.sh).

If the first line is above DuckDB's, no build that reads CSV with polars
can be at or under 1.0× DuckDB's wall, whatever its metrics cost.
"""

import json
import os
import resource
import statistics
import subprocess
import sys
import time


def child(kind, d, month):
    if kind != "duckdb":
        import polars as pl  # imported before the clock starts: the read alone is timed
    t = time.perf_counter()
    if kind == "duckdb":
        subprocess.run(
            [sys.executable, os.path.join(os.path.dirname(__file__), "duckdb_anchor.py"), "kpis", os.path.join(d, "csv"), month],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    else:
        if kind == "stream":
            for table in ("leads", "deals"):
                lf = pl.scan_csv(os.path.join(d, "csv", f"{table}.csv"), try_parse_dates=True)
                lf.select(pl.all().null_count()).collect(engine="streaming")
        elif kind == "csv":
            pl.read_csv(os.path.join(d, "csv", "leads.csv"), try_parse_dates=True)
            pl.read_csv(os.path.join(d, "csv", "deals.csv"), try_parse_dates=True)
        else:
            pl.read_parquet(os.path.join(d, "parquet", "leads.parquet"))
            pl.read_parquet(os.path.join(d, "parquet", "deals.parquet"))
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"s": time.perf_counter() - t, "mb": rss // 1024}))


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "child":
        child(sys.argv[2], sys.argv[3], sys.argv[4])
        return
    d, month = sys.argv[1], sys.argv[2]
    kinds = {
        "polars read_csv (leads + deals)": "csv",
        "polars streaming scan_csv, every column parsed, null counts only": "stream",
        "polars read_parquet (leads + deals)": "parquet",
        "DuckDB core figures from CSV": "duckdb",
    }
    got = {k: [] for k in kinds}
    for _ in range(3):
        for label, kind in kinds.items():
            out = subprocess.run([sys.executable, __file__, "child", kind, d, month], check=True, capture_output=True, text=True)
            got[label].append(json.loads(out.stdout))
    duck = statistics.median(r["s"] for r in got["DuckDB core figures from CSV"])
    for label, runs in got.items():
        s = statistics.median(r["s"] for r in runs)
        mb = max(r["mb"] for r in runs)
        print(f"| {label} | {s:.2f} s | {mb} MB | {s / duck:.2f}× DuckDB |")


if __name__ == "__main__":
    main()
