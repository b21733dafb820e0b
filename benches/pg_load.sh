# Sourced by benches/scale.sh: loads a directory of
# leads/deals/costs/traffic CSVs into a PostgreSQL schema (once: skipped
# when the schema has the four tables). Needs $psql and SMREPORT_DATABASE_URL.
#
#   pg_load DIR SCHEMA [keys]   # keys: lead_id and deal_id as primary keys
pg_load() {
  local dir=$1 s=$2 pk=""
  [ "${3:-}" = keys ] && pk=" PRIMARY KEY"
  if [ "$("$psql" "$SMREPORT_DATABASE_URL" -Atc "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '$s'")" = 4 ]; then
    return
  fi
  [ -f "$dir/leads.csv" ] || { echo "no $dir/leads.csv: generate the data first" >&2; exit 2; }
  echo "loading $dir into PostgreSQL schema $s …" >&2
  "$psql" "$SMREPORT_DATABASE_URL" -q -v ON_ERROR_STOP=1 --single-transaction <<SQL
DROP SCHEMA IF EXISTS $s CASCADE;
CREATE SCHEMA $s;
SET search_path = $s;
CREATE TABLE leads (lead_id text$pk, created_at date, source text, conversion_point text, campaign text,
  industry text, employees integer, country text, technology text, quality_score numeric,
  mql_at date, sql_at date, disqualified_at date, disqualified_reason text, owner text);
CREATE TABLE deals (deal_id text$pk, lead_id text, account text, created_at date, quote_at date,
  closed_at date, status text, stage text, lost_reason text, lost_stage text, deal_type text,
  source text, amount numeric, owner text, currency text);
CREATE TABLE costs (month text, department text, channel text, category text, amount numeric);
CREATE TABLE traffic (month text, channel text, visitors integer);
\copy leads FROM '$dir/leads.csv' WITH (FORMAT csv, HEADER true)
\copy deals FROM '$dir/deals.csv' WITH (FORMAT csv, HEADER true)
\copy costs FROM '$dir/costs.csv' WITH (FORMAT csv, HEADER true)
\copy traffic FROM '$dir/traffic.csv' WITH (FORMAT csv, HEADER true)
ANALYZE;
SQL
}
