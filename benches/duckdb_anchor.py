"""The DuckDB anchor for benches/scale.sh (run by it in a virtual
environment with PyPI's `duckdb`; see docs/performance.md).

    python benches/duckdb_anchor.py gen N DIR       # the benchmark data
    python benches/duckdb_anchor.py kpis DIR MONTH  # the core figures

`gen` writes leads, deals, costs and traffic for N leads as CSV and
Parquet into DIR/csv and DIR/parquet. The data is not smreport's own
sample generator: it is made here, in SQL, from hashes of the row number
(the same files on every machine), with a shape meant to be awkward
rather than tuned: 24 months (2023–2024), 9 sources of uneven size,
about 14% of leads with a deal, thousands of campaigns, about a
thousand disqualification reasons, 500 lost reasons and 300 owners.

`kpis` computes, from the CSV files as DuckDB reads them (types
detected, every column parsed), the core figures of the month: leads,
MQLs (the MQL date, else the SQL date), SQLs, opportunities (deals
created), won, lost, won revenue, marketing cost and total cost, and the
cost per lead, MQL, SQL and opportunity (marketing cost) and the CAC
(total cost per new deal won), as docs/metrics.md defines them. It prints them as one JSON
object, which scale.sh compares with smreport's JSON of the same build.
"""

import json
import os
import sys

import duckdb

SOURCES = "['SEO','SEO','SEO','PPC','PPC','LinkedIn','LinkedIn','Referral','Webinar','Email','Events','Partner','Direct']"
POINTS = "['demo_request','contact_form','ebook','whitepaper','webinar','event','pricing_page']"
INDUSTRIES = "['Logistics','Manufacturing','Wholesale','Construction','Retail','Healthcare','Finance','Education','Government','Energy']"
TECH = "['Exact Online','AFAS','Microsoft Dynamics','SAP Business One','Excel','Odoo','NetSuite']"


def u(i, k):
    """A uniform number in [0, 1) from the row number and a salt."""
    return f"((hash({i} * 31 + {k}) % 1000000) / 1000000.0)"


def gen(n, out):
    c = duckdb.connect()
    c.sql(
        f"""
        CREATE TABLE leads AS
        WITH base AS (
          SELECT i,
            DATE '2023-01-01' + CAST(floor({u('i', 1)} * 731) AS INTEGER) AS created_at,
            {u('i', 2)} AS r_mql, {u('i', 3)} AS r_sql, {u('i', 4)} AS r_dq,
            {u('i', 5)} AS r_gap1, {u('i', 6)} AS r_gap2
          FROM range(1, {n} + 1) t(i))
        SELECT
          'L' || lpad(CAST(i AS VARCHAR), 9, '0') AS lead_id,
          created_at,
          {SOURCES}[1 + CAST(floor({u('i', 7)} * 13) AS INTEGER)] AS source,
          {POINTS}[1 + CAST(floor({u('i', 8)} * 7) AS INTEGER)] AS conversion_point,
          CASE WHEN {u('i', 9)} < 0.2 THEN NULL
               ELSE 'Campaign ' || CAST(hash(i, 10) % {max(n // 100, 50)} AS VARCHAR) END AS campaign,
          {INDUSTRIES}[1 + CAST(floor({u('i', 11)} * 10) AS INTEGER)] AS industry,
          1 + CAST(floor(pow({u('i', 12)}, 3) * 2000) AS INTEGER) AS employees,
          ['NL','BE','DE','FR','UK'][1 + CAST(floor({u('i', 13)} * 5) AS INTEGER)] AS country,
          {TECH}[1 + CAST(floor({u('i', 14)} * 7) AS INTEGER)] AS technology,
          CAST(floor({u('i', 15)} * 101) AS INTEGER) AS quality_score,
          CASE WHEN r_mql < 0.45 THEN created_at + CAST(floor(r_gap1 * 40) AS INTEGER) END AS mql_at,
          CASE WHEN r_mql < 0.45 AND r_sql < 0.5
               THEN created_at + CAST(floor(r_gap1 * 40 + r_gap2 * 30) AS INTEGER)
               WHEN r_mql >= 0.45 AND r_mql < 0.47 THEN created_at + 3 END AS sql_at,
          CASE WHEN r_dq < 0.3 THEN created_at + CAST(floor(r_gap2 * 90) AS INTEGER) END AS disqualified_at,
          CASE WHEN r_dq < 0.3 THEN 'Reason ' || CAST(hash(i, 16) % 997 AS VARCHAR) END AS disqualified_reason,
          'Owner ' || CAST(hash(i, 17) % 300 AS VARCHAR) AS owner
        FROM base
        """
    )
    c.sql(
        f"""
        CREATE TABLE deals AS
        WITH picked AS (
          SELECT lead_id, coalesce(sql_at, mql_at, created_at) AS from_at,
            CAST(substr(lead_id, 2) AS BIGINT) AS i
          FROM leads WHERE {u('CAST(substr(lead_id, 2) AS BIGINT)', 20)} < 0.14),
        d AS (
          SELECT *, from_at + CAST(floor({u('i', 21)} * 20) AS INTEGER) AS created_at,
            {u('i', 22)} AS r_status, CAST(floor({u('i', 23)} * 120) AS INTEGER) AS cycle
          FROM picked)
        SELECT
          'D' || lpad(CAST(i AS VARCHAR), 9, '0') AS deal_id,
          lead_id,
          'Account ' || CAST(i AS VARCHAR) AS account,
          created_at,
          CASE WHEN r_status < 0.7 THEN created_at + cycle // 2 END AS quote_at,
          CASE WHEN r_status < 0.75 AND created_at + cycle <= DATE '2024-12-31' THEN created_at + cycle END AS closed_at,
          CASE WHEN r_status < 0.75 AND created_at + cycle <= DATE '2024-12-31'
               THEN (CASE WHEN r_status < 0.3 THEN 'won' ELSE 'lost' END) ELSE 'open' END AS status,
          ['discovery','demo','proposal','negotiation'][1 + CAST(floor({u('i', 24)} * 4) AS INTEGER)] AS stage,
          CASE WHEN r_status >= 0.3 AND r_status < 0.75 AND {u('i', 25)} < 0.9
               THEN 'Lost reason ' || CAST(hash(i, 26) % 500 AS VARCHAR) END AS lost_reason,
          CASE WHEN r_status >= 0.3 AND r_status < 0.75
               THEN ['discovery','demo','proposal','negotiation'][1 + CAST(floor({u('i', 27)} * 4) AS INTEGER)] END AS lost_stage,
          CASE WHEN {u('i', 28)} < 0.85 THEN 'new' WHEN {u('i', 28)} < 0.95 THEN 'expansion' ELSE 'renewal' END AS deal_type,
          NULL AS source,
          CAST(round(2000 + pow({u('i', 29)}, 2) * 80000, 2) AS DOUBLE) AS amount,
          'Owner ' || CAST(hash(i, 30) % 300 AS VARCHAR) AS owner,
          'EUR' AS currency
        FROM d
        """
    )
    c.sql(
        """
        CREATE TABLE months AS
        SELECT strftime(DATE '2023-01-01' + INTERVAL (m) MONTH, '%Y-%m') AS month, m
        FROM range(0, 24) t(m)
        """
    )
    scale = max(n / 1000000.0, 0.01)
    c.sql(
        f"""
        CREATE TABLE costs AS
        SELECT month, 'marketing' AS department, channel, category,
          CAST(round((5000 + (hash(m, channel, category) % 20000)) * {scale}, 2) AS DOUBLE) AS amount
        FROM months,
          (SELECT unnest(['SEO','PPC','LinkedIn','Referral','Webinar','Email','Events','Partner']) AS channel),
          (SELECT unnest(['content','media','tools','agency']) AS category)
        UNION ALL
        SELECT month, 'marketing', NULL, 'personnel', CAST(round(60000 * {scale}, 2) AS DOUBLE) FROM months
        UNION ALL
        SELECT month, 'sales', NULL, 'personnel', CAST(round(120000 * {scale}, 2) AS DOUBLE) FROM months
        UNION ALL
        SELECT month, 'sales', NULL, 'tools', CAST(round(9000 * {scale}, 2) AS DOUBLE) FROM months
        ORDER BY 1, 2, 3, 4
        """
    )
    c.sql(
        f"""
        CREATE TABLE traffic AS
        SELECT month, channel, CAST(200000 * {scale} + hash(m, channel) % 100000 AS INTEGER) AS visitors
        FROM months,
          (SELECT unnest(['SEO','PPC','LinkedIn','Referral','Webinar','Email','Events','Partner','Direct']) AS channel)
        ORDER BY 1, 2
        """
    )
    for fmt in ["csv", "parquet"]:
        d = os.path.join(out, fmt)
        os.makedirs(d, exist_ok=True)
        for t, order in [("leads", "lead_id"), ("deals", "created_at, deal_id"), ("costs", "month"), ("traffic", "month")]:
            opts = "(HEADER, DATEFORMAT '%Y-%m-%d')" if fmt == "csv" else "(FORMAT parquet)"
            c.sql(f"COPY (SELECT * FROM {t} ORDER BY {order}) TO '{d}/{t}.{fmt}' {opts}")


def kpis(d, month):
    y, m = map(int, month.split("-"))
    start = f"DATE '{y:04d}-{m:02d}-01'"
    end = f"(DATE '{y:04d}-{m:02d}-01' + INTERVAL 1 MONTH - INTERVAL 1 DAY)"
    c = duckdb.connect()
    leads = c.execute(
        f"""
        SELECT count(*) FILTER (WHERE created_at BETWEEN {start} AND {end}),
               count(*) FILTER (WHERE coalesce(mql_at, sql_at) BETWEEN {start} AND {end}),
               count(*) FILTER (WHERE sql_at BETWEEN {start} AND {end})
        FROM read_csv('{d}/leads.csv')
        """
    ).fetchone()
    deals = c.execute(
        f"""
        SELECT count(*) FILTER (WHERE created_at BETWEEN {start} AND {end}),
               count(*) FILTER (WHERE lower(status) = 'won' AND closed_at BETWEEN {start} AND {end}),
               count(*) FILTER (WHERE lower(status) = 'lost' AND closed_at BETWEEN {start} AND {end}),
               count(*) FILTER (WHERE lower(status) = 'won' AND coalesce(deal_type, 'new') = 'new' AND closed_at BETWEEN {start} AND {end}),
               coalesce(sum(amount) FILTER (WHERE lower(status) = 'won' AND closed_at BETWEEN {start} AND {end}), 0)
        FROM read_csv('{d}/deals.csv')
        """
    ).fetchone()
    costs = c.execute(
        f"""
        SELECT coalesce(sum(amount) FILTER (WHERE department = 'marketing'), 0), coalesce(sum(amount), 0)
        FROM read_csv('{d}/costs.csv', types = {{'month': 'VARCHAR'}})
        WHERE month = '{y:04d}-{m:02d}'
        """
    ).fetchone()
    n_leads, mqls, sqls = leads
    opps, won, lost, won_new, revenue = deals
    marketing, total = costs

    def per(cost, n):
        return round(cost / n, 2) if n else None

    print(
        json.dumps(
            {
                "leads": n_leads,
                "mqls": mqls,
                "sqls": sqls,
                "opportunities": opps,
                "won": won,
                "lost": lost,
                "won_revenue": round(revenue, 2),
                "marketing_cost": round(marketing, 2),
                "total_cost": round(total, 2),
                "cost_per_lead": per(marketing, n_leads),
                "cost_per_mql": per(marketing, mqls),
                "cost_per_sql": per(marketing, sqls),
                "cost_per_opportunity": per(marketing, opps),
                "cac": per(total, won_new),
            }
        )
    )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "gen":
        gen(int(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "kpis":
        kpis(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
