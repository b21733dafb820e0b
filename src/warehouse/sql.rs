//! SQL generation, pure (no connection): the staging tables (the input
//! tables typed and named as smreport's canonical tables), the tables as of
//! the period's end, and each aggregation [`Request`] as one grouped query.
//!
//! Every value is a bound parameter, written `CAST(<placeholder> AS <type>)`
//! so that its type is fixed whatever the database infers; every name is a
//! quoted identifier. Nothing from the config or the data is ever spliced
//! into the SQL text here (an engine without placeholders, Spark, has its
//! connection write each parameter in as a literal with the engine's own
//! escaping: `crate::spark::dialect::inline`). The SQL is standard (`CASE`, `CAST`, `COALESCE`,
//! `NULLIF`, `SUM(CASE WHEN … THEN … END)`); what is not is asked of the
//! [`Dialect`].

use chrono::NaiveDate;

use super::dialect::{Dialect, SqlType};
pub use super::dialect::{Param, literal};
use super::schema::TableSpec;
use crate::config::Config;
use crate::data::Class;
use crate::metrics::batch::{Dim, Grain};
use crate::metrics::request::{Cond, Key, Measure, Request, Scalar, Source, Value};

/// A statement and its parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub sql: String,
    pub params: Vec<Param>,
}

impl std::fmt::Display for Query {
    /// The SQL, then each parameter on its own line (for snapshots).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{}", self.sql)?;
        for (i, p) in self.params.iter().enumerate() {
            writeln!(f, "  ${} = {p:?}", i + 1)?;
        }
        Ok(())
    }
}

/// The temporary tables smreport creates (in the session's temporary
/// schema, gone when the connection closes).
/// The staging table (or view) of an input table.
pub fn stage_name(kind: crate::data::TableKind) -> &'static str {
    use crate::data::TableKind::*;
    match kind {
        Leads => "smr_leads",
        Deals => "smr_deals",
        Costs | AdCosts => "smr_costs",
        Traffic => "smr_traffic",
    }
}
pub const KEPT_DEALS: &str = "smr_kept_deals";

/// The table a request reads.
pub fn asof_table(s: Source) -> &'static str {
    match s {
        Source::Leads => "smr_asof_leads",
        Source::Deals => "smr_asof_deals",
        Source::Costs => "smr_asof_costs",
        Source::Traffic => "smr_asof_traffic",
    }
}

/// Builds one statement: SQL text and its parameters.
pub struct Sql<'d> {
    pub d: &'d dyn Dialect,
    pub params: Vec<Param>,
    /// Values written as literals, not bound: for a view's definition,
    /// which cannot hold parameters.
    inline: bool,
}

impl<'d> Sql<'d> {
    pub fn new(d: &'d dyn Dialect) -> Sql<'d> {
        Sql {
            d,
            params: Vec::new(),
            inline: false,
        }
    }

    /// A builder whose values are quoted literals ([`literal`]), for a
    /// view's definition.
    pub fn inline(d: &'d dyn Dialect) -> Sql<'d> {
        Sql {
            d,
            params: Vec::new(),
            inline: true,
        }
    }

    /// A parameter, as `CAST(<placeholder> AS <type>)` (or, inline, as
    /// `CAST(<literal> AS <type>)`).
    pub fn bind(&mut self, p: Param) -> String {
        let ty = match &p {
            Param::Text(_) => self.d.text(),
            Param::Date(_) => "DATE",
            Param::Float(_) => self.d.double(),
            Param::Int(_) => "BIGINT",
            Param::Bool(_) => "BOOLEAN",
        };
        if self.inline {
            return format!("CAST({} AS {ty})", self.d.literal(&p));
        }
        self.params.push(p);
        format!("CAST({} AS {ty})", self.d.placeholder(self.params.len()))
    }

    pub fn text(&mut self, s: &str) -> String {
        self.bind(Param::Text(s.to_string()))
    }

    pub fn date(&mut self, d: NaiveDate) -> String {
        self.bind(Param::Date(d))
    }

    pub fn ident(&self, name: &str) -> String {
        self.d.ident(name)
    }

    pub fn finish(self, sql: String) -> Query {
        Query {
            sql,
            params: self.params,
        }
    }
}

/// `sql` with each placeholder `$n` written `$(n + by)`, so that fragments
/// with their own parameters can share one statement (the fragments are
/// smreport's own SQL, without `$` in any literal).
pub fn shift_placeholders(sql: &str, by: usize) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        out.push(c);
        if c != '$' {
            continue;
        }
        let mut digits = String::new();
        while let Some((_, d)) = chars.peek().copied().filter(|(_, d)| d.is_ascii_digit()) {
            digits.push(d);
            chars.next();
        }
        match digits.parse::<usize>() {
            Ok(n) => out.push_str(&(n + by).to_string()),
            Err(_) => out.push_str(&digits),
        }
    }
    out
}

// ------------------------------------------------------------- staging --

/// The expression that reads canonical column `name` of `spec` (alias
/// `t`) with its type normalized: text trimmed (blank is null) and its
/// values translated, dates as `DATE`, months as their first day, numbers
/// as double. A column the table does not have is a typed null.
pub fn column(q: &mut Sql, cfg: &Config, spec: &TableSpec, name: &str, class: Class) -> String {
    let d = q.d;
    let Some(c) = spec.col(name) else {
        return match class {
            Class::Id | Class::Text => format!("CAST(NULL AS {})", d.text()),
            Class::Date | Class::Month => "CAST(NULL AS DATE)".into(),
            Class::Number => format!("CAST(NULL AS {})", d.double()),
        };
    };
    let raw = format!("t.{}", d.ident(&c.name));
    // A text column stored as whole numbers (an owner's numeric id; a
    // column the writer typed as a number because it holds only nulls) is
    // read as the numbers' text.
    let text = match c.ty {
        SqlType::Integer => format!("CAST({raw} AS {})", d.text()),
        _ => raw.clone(),
    };
    let trimmed = format!("NULLIF(TRIM({text}), '')");
    match (class, c.ty) {
        (Class::Id, SqlType::Integer) => format!("CAST({raw} AS {})", d.text()),
        (Class::Id | Class::Text, _) => match spec.values.get(name) {
            Some(map) if !map.is_empty() => {
                let mut s = format!("CASE LOWER({trimmed})");
                for (from, to) in map {
                    let (a, b) = (q.text(from), q.text(to));
                    s.push_str(&format!(" WHEN {a} THEN {b}"));
                }
                s.push_str(&format!(" ELSE {trimmed} END"));
                s
            }
            _ => trimmed,
        },
        (Class::Date, ty) => date_expr(q, cfg, &raw, ty),
        (Class::Month, SqlType::Text) => {
            format!("CAST(NULLIF(SUBSTRING(TRIM({raw}) FROM 1 FOR 7), '') || '-01' AS DATE)")
        }
        (Class::Month, ty) => d.month_start(&date_expr(q, cfg, &raw, ty)),
        (Class::Number, _) => format!("CAST({raw} AS {})", d.double()),
    }
}

/// A date column of any accepted type as a `DATE` (a timestamp with time
/// zone in the company's time zone; ISO text by its first ten characters).
fn date_expr(q: &mut Sql, cfg: &Config, raw: &str, ty: SqlType) -> String {
    match ty {
        SqlType::Date => raw.to_string(),
        SqlType::Timestamp => format!("CAST({raw} AS DATE)"),
        SqlType::TimestampTz => {
            let tz = q.text(&cfg.company.timezone);
            q.d.date_in_zone(raw, &tz)
        }
        _ => format!("CAST(NULLIF(SUBSTRING(TRIM({raw}) FROM 1 FOR 10), '') AS DATE)"),
    }
}

/// Whether the staging of `spec` is a view (nothing copied): when no row
/// needs numbering (the id is a primary key, or the table has no id), each
/// query reads the input table itself; otherwise the numbering (a sort) is
/// done once into a temporary table.
pub fn staged_as_view(d: &dyn Dialect, spec: &TableSpec) -> bool {
    d.temp_views() && (spec.unique_id || spec.id().is_none())
}

/// `CREATE TEMPORARY TABLE smr_<table> AS SELECT …` (or a view, see
/// [`staged_as_view`]): the input table with canonical names and types;
/// leads and deals numbered per id in insertion order (`smr_rn = 1` is the
/// first occurrence, the one kept).
pub fn staging(d: &dyn Dialect, cfg: &Config, spec: &TableSpec) -> Query {
    use crate::data::TableKind::*;
    let view = staged_as_view(d, spec);
    let mut q = if view { Sql::inline(d) } else { Sql::new(d) };
    let mut cols: Vec<String> = Vec::new();
    let field = |q: &mut Sql, name: &str, class: Class, lower: bool| {
        let e = column(q, cfg, spec, name, class);
        let e = if lower { format!("LOWER({e})") } else { e };
        format!("{e} AS {}", q.ident(name))
    };
    match spec.kind {
        Leads => {
            cols.push(field(&mut q, "lead_id", Class::Id, false));
            cols.push(field(&mut q, "created_at", Class::Date, false));
            // As the file loader: a lead without a source is `(unknown)`.
            let source = column(&mut q, cfg, spec, "source", Class::Text);
            let unknown = q.text("(unknown)");
            cols.push(format!(
                "COALESCE({source}, {unknown}) AS {}",
                q.ident("source")
            ));
            cols.push(field(&mut q, "conversion_point", Class::Text, false));
            cols.push(field(&mut q, "industry", Class::Text, false));
            cols.push(field(&mut q, "employees", Class::Number, false));
            cols.push(field(&mut q, "technology", Class::Text, false));
            cols.push(field(&mut q, "quality_score", Class::Number, false));
            cols.push(field(&mut q, "mql_at", Class::Date, false));
            cols.push(field(&mut q, "sql_at", Class::Date, false));
            cols.push(field(&mut q, "disqualified_at", Class::Date, false));
            cols.push(field(&mut q, "owner", Class::Text, false));
        }
        Deals => {
            cols.push(field(&mut q, "deal_id", Class::Id, false));
            cols.push(field(&mut q, "lead_id", Class::Id, false));
            cols.push(field(&mut q, "created_at", Class::Date, false));
            cols.push(field(&mut q, "quote_at", Class::Date, false));
            cols.push(field(&mut q, "closed_at", Class::Date, false));
            cols.push(field(&mut q, "status", Class::Text, true));
            cols.push(field(&mut q, "stage", Class::Text, false));
            cols.push(field(&mut q, "lost_reason", Class::Text, false));
            cols.push(field(&mut q, "lost_stage", Class::Text, false));
            cols.push(field(&mut q, "deal_type", Class::Text, true));
            cols.push(field(&mut q, "source", Class::Text, false));
            cols.push(field(&mut q, "amount", Class::Number, false));
            cols.push(field(&mut q, "probability", Class::Number, false));
            cols.push(field(&mut q, "owner", Class::Text, false));
            cols.push(field(&mut q, "currency", Class::Text, false));
        }
        Costs | AdCosts => {
            let month = match (spec.col("month"), spec.col("date")) {
                (Some(_), Some(_)) => {
                    let m = column(&mut q, cfg, spec, "month", Class::Month);
                    let dt = column(&mut q, cfg, spec, "date", Class::Date);
                    format!("COALESCE({m}, {})", d.month_start(&dt))
                }
                (None, Some(_)) => {
                    let dt = column(&mut q, cfg, spec, "date", Class::Date);
                    d.month_start(&dt)
                }
                _ => column(&mut q, cfg, spec, "month", Class::Month),
            };
            cols.push(format!("{month} AS {}", q.ident("month")));
            cols.push(field(&mut q, "department", Class::Text, true));
            cols.push(field(&mut q, "channel", Class::Text, false));
            let category = column(&mut q, cfg, spec, "category", Class::Text);
            let personnel = q.text("personnel");
            cols.push(format!(
                "CASE WHEN LOWER({category}) = {personnel} THEN TRUE ELSE FALSE END AS {}",
                q.ident("personnel")
            ));
            cols.push(field(&mut q, "amount", Class::Number, false));
            if spec.col("currency").is_some() {
                cols.push(field(&mut q, "currency", Class::Text, false));
            }
        }
        Traffic => {
            cols.push(field(&mut q, "month", Class::Month, false));
            cols.push(field(&mut q, "channel", Class::Text, false));
            cols.push(field(&mut q, "visitors", Class::Number, false));
        }
    }
    let name = stage_name(spec.kind);
    // Where the row is stored (base tables with an insertion order): the
    // data-quality examples and the first bad value are taken in this
    // order, as a file's come in row order. Null for a view.
    let pos = match (spec.is_table, d.insertion_order("t")) {
        (true, Some(o)) => o,
        _ => "CAST(NULL AS BIGINT)".to_string(),
    };
    cols.push(format!("{pos} AS {}", q.ident("smr_pos")));
    if let Some(id) = spec.id() {
        let rn = numbering(&mut q, cfg, spec, id);
        cols.push(format!("{rn} AS {}", q.ident("smr_rn")));
    }
    let from = format!("{}.{} AS t", d.ident(&spec.schema), d.ident(&spec.table));
    let select = format!("SELECT {} FROM {from}", cols.join(", "));
    if view {
        q.finish(d.create_temp_view_as(name, &select))
    } else {
        q.finish(d.create_temp_as(name, &select))
    }
}

/// The number of each row among the rows with its id (1: the first, the
/// one kept): in insertion order, or for a view by creation date and the
/// columns read; always 1 when the id is a primary key.
fn numbering(q: &mut Sql, cfg: &Config, spec: &TableSpec, id: &str) -> String {
    let d = q.d;
    if spec.unique_id {
        // A primary key: every row is the first of its id.
        return "CAST(1 AS BIGINT)".to_string();
    }
    let id_expr = column(q, cfg, spec, id, Class::Id);
    let order = match (spec.is_table, d.insertion_order("t")) {
        (true, Some(o)) => o,
        // A view's rows have no order: the earliest created is kept,
        // ties broken by the columns read, in canonical order (so the
        // choice is the same on every run).
        _ => {
            let mut keys = vec![column(q, cfg, spec, "created_at", Class::Date)];
            for c in crate::data::columns(spec.kind) {
                if spec.col(c.name).is_some() && c.name != "created_at" {
                    keys.push(column(q, cfg, spec, c.name, c.class));
                }
            }
            keys.join(", ")
        }
    };
    // Numbering only groups equal ids: no collation needed.
    let id_expr = d.binary_text(&id_expr);
    format!("ROW_NUMBER() OVER (PARTITION BY {id_expr} ORDER BY {order})")
}

/// An empty staging table for an input the database does not have
/// (traffic is optional).
pub fn empty_traffic(d: &dyn Dialect) -> Query {
    let select = format!(
        "SELECT CAST(NULL AS DATE) AS {}, CAST(NULL AS {}) AS {}, CAST(NULL AS {}) AS {}, CAST(NULL AS BIGINT) AS {} WHERE 1 = 0",
        d.ident("month"),
        d.text(),
        d.ident("channel"),
        d.double(),
        d.ident("visitors"),
        d.ident("smr_pos")
    );
    Sql::new(d).finish(d.create_temp_as("smr_traffic", &select))
}

/// The kept deals (first occurrence of each id, in the pack's currency,
/// amount not negative), each with its lead (the first occurrence of the
/// lead id) found or not, and the source: its own, else its lead's, else
/// `(direct sales)`.
pub fn kept_deals(d: &dyn Dialect, cfg: &Config) -> Query {
    let mut q = Sql::new(d);
    let direct = q.text("(direct sales)");
    let kept = kept_filter(&mut q, cfg, "dl.");
    let select = format!(
        "SELECT dl.deal_id, dl.lead_id, dl.created_at, dl.quote_at, dl.closed_at, dl.status, dl.stage, \
         dl.lost_reason, dl.lost_stage, COALESCE(dl.deal_type, 'new') AS deal_type, \
         COALESCE(dl.source, ld.source, {direct}) AS source, dl.amount, dl.probability, dl.owner, \
         CASE WHEN ld.lead_id IS NULL THEN FALSE ELSE TRUE END AS lead_found, \
         ld.created_at AS lead_created_at, ld.sql_at AS lead_sql_at, dl.smr_pos \
         FROM smr_deals dl LEFT JOIN (SELECT lead_id, source, created_at, sql_at FROM smr_leads WHERE smr_rn = 1) ld \
         ON ld.lead_id = dl.lead_id \
         WHERE {kept}"
    );
    q.finish(d.create_temp_as(KEPT_DEALS, &select))
}

/// The condition a staged deal (alias `t`, or none) is kept on: its first
/// occurrence, in the pack's currency, amount not negative.
fn kept_filter(q: &mut Sql, cfg: &Config, t: &str) -> String {
    let cur = q.text(&cfg.company.currency.to_lowercase());
    format!(
        "{t}smr_rn = 1 AND ({t}currency IS NULL OR LOWER({t}currency) = {cur}) AND {t}amount >= 0"
    )
}

// --------------------------------------------------------------- as of --

/// The four tables as of `end` (see [`crate::metrics::request`]), each a
/// `CREATE TEMPORARY TABLE` statement. `percent`: the deals' probability
/// column is in percent.
pub fn asof(d: &dyn Dialect, cfg: &Config, end: NaiveDate, percent: bool) -> Vec<Query> {
    vec![
        asof_leads(d, cfg, end),
        asof_deals(d, cfg, end, percent),
        {
            let q = Sql::new(d);
            let select = "SELECT month, department, channel, personnel, amount FROM smr_costs WHERE amount >= 0";
            q.finish(d.create_temp_as(asof_table(Source::Costs), select))
        },
        {
            let q = Sql::new(d);
            let select = "SELECT month, channel, visitors FROM smr_traffic";
            q.finish(d.create_temp_as(asof_table(Source::Traffic), select))
        },
    ]
}

fn asof_leads(d: &dyn Dialect, cfg: &Config, end: NaiveDate) -> Query {
    let mut q = Sql::new(d);
    let won = q.text("won");
    let e1 = q.date(end);
    let e2 = q.date(end);
    let qual = qualifies(&mut q, cfg);
    let e: Vec<String> = (0..4).map(|_| q.date(end)).collect();
    // The kept deals ([`kept_deals`]) read from the staged deals: the join
    // on the lead's id keeps only those whose lead is found.
    let kept = kept_filter(&mut q, cfg, "");
    let select = format!(
        "SELECT l.created_at, l.source, l.conversion_point, l.owner, {qual} AS qualifies, \
         CASE WHEN COALESCE(l.mql_at, l.sql_at) <= {} THEN COALESCE(l.mql_at, l.sql_at) END AS mql_at, \
         CASE WHEN l.sql_at <= {} THEN l.sql_at END AS sql_at, \
         CASE WHEN l.disqualified_at <= {} THEN l.disqualified_at END AS disqualified_at, \
         CASE WHEN o.opp_at <= {} THEN o.opp_at END AS opp_at, \
         CASE WHEN COALESCE(o.won_n, 0) > 0 THEN TRUE ELSE FALSE END AS won, \
         COALESCE(o.won_revenue, 0) AS won_revenue \
         FROM smr_leads l LEFT JOIN (\
           SELECT lead_id, MIN(created_at) AS opp_at, \
           SUM(CASE WHEN status = {won} AND closed_at <= {e1} THEN 1 ELSE 0 END) AS won_n, \
           SUM(CASE WHEN status = {won} AND closed_at <= {e2} THEN amount ELSE 0 END) AS won_revenue \
           FROM smr_deals WHERE {kept} GROUP BY lead_id\
         ) o ON o.lead_id = l.lead_id \
         WHERE l.smr_rn = 1",
        e[0], e[1], e[2], e[3]
    );
    q.finish(d.create_temp_as(asof_table(Source::Leads), &select))
}

/// `[qualification]`: every configured rule met (false when none is
/// configured, or a value it needs is missing).
fn qualifies(q: &mut Sql, cfg: &Config) -> String {
    let r = &cfg.qualification;
    if !r.is_configured() {
        return "FALSE".into();
    }
    let mut parts = Vec::new();
    let mut in_list = |q: &mut Sql, col: &str, list: &[String]| {
        if !list.is_empty() {
            let items: Vec<String> = list.iter().map(|v| q.text(&v.to_lowercase())).collect();
            parts.push(format!("LOWER(l.{col}) IN ({})", items.join(", ")));
        }
    };
    in_list(q, "industry", &r.industries);
    in_list(q, "technology", &r.technologies);
    if let Some(m) = r.min_employees {
        let m = q.bind(Param::Float(m as f64));
        parts.push(format!("l.employees >= {m}"));
    }
    if let Some(m) = r.min_quality_score {
        let m = q.bind(Param::Float(m));
        parts.push(format!("l.quality_score >= {m}"));
    }
    format!("CASE WHEN {} THEN TRUE ELSE FALSE END", parts.join(" AND "))
}

fn asof_deals(d: &dyn Dialect, cfg: &Config, end: NaiveDate, percent: bool) -> Query {
    let mut q = Sql::new(d);
    let e1 = q.date(end);
    let (won1, e2) = (q.text("won"), q.date(end));
    let (lost, e3) = (q.text("lost"), q.date(end));
    let e4 = q.date(end);
    let (won2, lost2, e5) = (q.text("won"), q.text("lost"), q.date(end));
    let scale = q.bind(Param::Float(if percent { 100.0 } else { 1.0 }));
    let stage_p = if cfg.stage_probability.is_empty() {
        format!("CAST(NULL AS {})", d.double())
    } else {
        let mut s = "CASE stage".to_string();
        for (stage, p) in &cfg.stage_probability {
            let (a, b) = (q.text(stage), q.bind(Param::Float(*p)));
            s.push_str(&format!(" WHEN {a} THEN {b}"));
        }
        s + " END"
    };
    let no_reason = q.text(crate::metrics::NO_REASON);
    let no_stage = q.text(crate::metrics::NO_STAGE);
    let select = format!(
        "SELECT created_at, \
         CASE WHEN quote_at <= {e1} THEN quote_at END AS quote_at, \
         CASE WHEN status = {won1} AND closed_at <= {e2} THEN closed_at END AS won_at, \
         CASE WHEN status = {lost} AND closed_at <= {e3} THEN closed_at END AS lost_at, \
         CASE WHEN created_at <= {e4} AND (status NOT IN ({won2}, {lost2}) OR closed_at > {e5}) THEN TRUE ELSE FALSE END AS open_at_end, \
         amount, deal_type, source, owner, lead_found, \
         COALESCE(probability / {scale}, {stage_p}) AS weight, \
         COALESCE(lost_reason, {no_reason}) AS lost_reason, \
         COALESCE(lost_stage, {no_stage}) AS lost_stage \
         FROM {KEPT_DEALS}"
    );
    q.finish(d.create_temp_as(asof_table(Source::Deals), &select))
}

// ------------------------------------------------------------ requests --

fn scalar(q: &mut Sql, s: &Scalar) -> String {
    match s {
        Scalar::Str(v) => q.text(v),
        Scalar::Date(d) => q.date(*d),
        Scalar::Bool(b) => q.bind(Param::Bool(*b)),
    }
}

fn cond(q: &mut Sql, c: &Cond) -> String {
    let id = |q: &Sql, c: &str| q.ident(c);
    match c {
        Cond::All => "1 = 1".into(),
        Cond::And(v) => {
            let parts: Vec<String> = v.iter().map(|c| cond(q, c)).collect();
            format!("({})", parts.join(" AND "))
        }
        Cond::Or(v) => {
            let parts: Vec<String> = v.iter().map(|c| cond(q, c)).collect();
            format!("({})", parts.join(" OR "))
        }
        Cond::Not(c) => format!("(NOT {})", cond(q, c)),
        Cond::Between(c, a, b) => {
            let (a, b) = (q.date(*a), q.date(*b));
            format!("({} BETWEEN {a} AND {b})", id(q, c))
        }
        Cond::AtMost(c, d) => {
            let d = q.date(*d);
            format!("({} <= {d})", id(q, c))
        }
        Cond::AtLeast(c, d) => {
            let d = q.date(*d);
            format!("({} >= {d})", id(q, c))
        }
        Cond::IsNull(c) => format!("({} IS NULL)", id(q, c)),
        Cond::NotNull(c) => format!("({} IS NOT NULL)", id(q, c)),
        Cond::Eq(c, s) => {
            let s = scalar(q, s);
            format!("({} = {s})", id(q, c))
        }
        Cond::True(c) => format!("({} = TRUE)", id(q, c)),
        Cond::DaysAtLeast { from, to, days } => {
            let n = q.bind(Param::Int(*days));
            let diff = q.d.days_between(&id(q, from), &id(q, to));
            format!("({diff} >= {n})")
        }
    }
}

fn value(q: &mut Sql, v: &Value) -> String {
    let double = q.d.double();
    match v {
        Value::Col(c) => format!("CAST({} AS {double})", q.ident(c)),
        Value::Days { from, to } => {
            let diff = q.d.days_between(&q.ident(from), &q.ident(to));
            format!("CAST({diff} AS {double})")
        }
        Value::Product(a, b) => format!("({} * {})", value(q, a), value(q, b)),
        Value::Lookup {
            col,
            table,
            default,
        } if table.is_empty() => match default {
            Some(x) => q.bind(Param::Float(*x)),
            None => format!("CAST(NULL AS {double})"),
        },
        Value::Lookup {
            col,
            table,
            default,
        } => {
            let mut s = format!("CASE {}", q.ident(col));
            for (k, v) in table {
                let (k, v) = (scalar(q, k), q.bind(Param::Float(*v)));
                s.push_str(&format!(" WHEN {k} THEN {v}"));
            }
            let otherwise = match default {
                Some(x) => q.bind(Param::Float(*x)),
                None => format!("CAST(NULL AS {double})"),
            };
            format!("{s} ELSE {otherwise} END")
        }
    }
}

fn key(q: &mut Sql, k: &Key) -> String {
    match k {
        Key::Col(c) => q.ident(c),
        Key::Days { from, to } => {
            format!(
                "CAST({} AS BIGINT)",
                q.d.days_between(&q.ident(from), &q.ident(to))
            )
        }
        Key::Bucket { col, ranges } => {
            let c = q.ident(col);
            let mut s = "CASE".to_string();
            for (i, (a, b)) in ranges.iter().enumerate() {
                let (a, b) = (q.date(*a), q.date(*b));
                let i = q.bind(Param::Int(i as i64));
                s.push_str(&format!(" WHEN {c} BETWEEN {a} AND {b} THEN {i}"));
            }
            s + " END"
        }
    }
}

/// One request as one query: keys `k0…`, measures `a0…` (doubles), one row
/// per group (exactly one row when ungrouped). Rows whose bucket key falls
/// in no range are left out.
pub fn request(d: &dyn Dialect, req: &Request) -> Query {
    let mut q = Sql::new(d);
    let double = d.double();
    let table = q.ident(asof_table(req.source));
    let keys: Vec<String> = req.group_by.iter().map(|k| key(&mut q, k)).collect();
    let filter = cond(&mut q, &req.filter);
    let mut measures = Vec::new();
    for (i, m) in req.measures.iter().enumerate() {
        let e = match m {
            Measure::Count => format!("CAST(COUNT(*) AS {double})"),
            Measure::CountIf(c) => format!(
                "CAST(SUM(CASE WHEN {} THEN 1 ELSE 0 END) AS {double})",
                cond(&mut q, c)
            ),
            Measure::Sum(v) => format!("SUM({})", value(&mut q, v)),
            Measure::SumIf(v, c) => {
                let c = cond(&mut q, c);
                format!("SUM(CASE WHEN {c} THEN {} END)", value(&mut q, v))
            }
        };
        measures.push(format!("{e} AS {}", q.ident(&format!("a{i}"))));
    }
    if measures.is_empty() {
        measures.push(format!("CAST(COUNT(*) AS {double}) AS {}", q.ident("n")));
    }
    let sql = if keys.is_empty() {
        format!("SELECT {} FROM {table} WHERE {filter}", measures.join(", "))
    } else {
        let names: Vec<String> = (0..keys.len()).map(|i| q.ident(&format!("k{i}"))).collect();
        let inner: Vec<String> = keys
            .iter()
            .zip(&names)
            .map(|(k, n)| format!("{k} AS {n}"))
            .collect();
        let buckets: Vec<String> = req
            .group_by
            .iter()
            .zip(&names)
            .filter(|(k, _)| matches!(k, Key::Bucket { .. }))
            .map(|(_, n)| format!(" AND {n} IS NOT NULL"))
            .collect();
        format!(
            "SELECT {}, {} FROM (SELECT s.*, {} FROM {table} s WHERE {filter}) g WHERE 1 = 1{} GROUP BY {}",
            names.join(", "),
            measures.join(", "),
            inner.join(", "),
            buckets.concat(),
            names.join(", ")
        )
    };
    q.finish(sql)
}

/// One grain of batched requests ([`crate::metrics::batch`]) as one
/// grouped query: dims `d0…`, the row count `n` and the sums `s0…`, one row
/// per group. Only rows some request reads are scanned into groups.
pub fn grain(d: &dyn Dialect, g: &Grain) -> Query {
    let mut q = Sql::new(d);
    let double = d.double();
    let table = q.ident(asof_table(g.source));
    let mut dims = Vec::new();
    for (i, dim) in g.dims.iter().enumerate() {
        let e = match dim {
            Dim::Interval {
                col,
                bounds,
                class_of,
            } => {
                let c = q.ident(col);
                let b: Vec<String> = bounds.iter().map(|x| q.date(*x)).collect();
                d.interval_class(&c, &b, class_of)
            }
            Dim::Col(c) => q.ident(c),
            Dim::Days { from, to } => format!(
                "CAST({} AS BIGINT)",
                d.days_between(&q.ident(from), &q.ident(to))
            ),
            Dim::DaysAtLeast { from, to, days } => {
                let n = q.bind(Param::Int(*days));
                let diff = d.days_between(&q.ident(from), &q.ident(to));
                format!("({diff} >= {n})")
            }
            Dim::Null(c) => format!("({} IS NULL)", q.ident(c)),
        };
        dims.push((e, q.ident(&format!("d{i}"))));
    }
    let mut aggs = vec![format!("CAST(COUNT(*) AS {double}) AS {}", q.ident("n"))];
    for (i, v) in g.sums.iter().enumerate() {
        let v = value(&mut q, v);
        aggs.push(format!("SUM({v}) AS {}", q.ident(&format!("s{i}"))));
    }
    let filter = cond(&mut q, &g.filter);
    let sql = if dims.is_empty() {
        format!("SELECT {} FROM {table} WHERE {filter}", aggs.join(", "))
    } else {
        let inner: Vec<String> = dims.iter().map(|(e, n)| format!("{e} AS {n}")).collect();
        let names: Vec<&str> = dims.iter().map(|(_, n)| n.as_str()).collect();
        format!(
            "SELECT {}, {} FROM (SELECT s.*, {} FROM {table} s WHERE {filter}) g GROUP BY {}",
            names.join(", "),
            aggs.join(", "),
            inner.join(", "),
            names.join(", ")
        )
    };
    q.finish(sql)
}
