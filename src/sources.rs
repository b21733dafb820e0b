//! The registry of sources: every [`Source`] smreport has, found by name
//! (`--source`, `[source] kind`). Adding a source is one line in
//! [`SOURCES`] (and its module).

use anyhow::Result;

use crate::config_err;
use crate::source::{Opened, Opening, Source};

/// Every source smreport has, the default (files) first.
pub static SOURCES: [&dyn Source; 5] = [
    &crate::load::Files,
    &crate::warehouse::PostgresSource,
    &crate::hubspot::HubSpotSource,
    &crate::salesforce::SalesforceSource,
    &crate::spark::SparkSource,
];

/// The source called `name` (any case): a config error listing the names
/// when there is none.
pub fn find(name: &str) -> Result<&'static dyn Source> {
    let n = name.trim().to_ascii_lowercase();
    SOURCES
        .iter()
        .copied()
        .find(|s| s.names().contains(&n.as_str()))
        .ok_or_else(|| {
            config_err!("`{name}` is not a source"; hint: "use one of {} (--source, or [source] kind in smreport.toml)", names().join(", "))
        })
}

/// The sources' names, for messages and `--help`.
pub fn names() -> Vec<&'static str> {
    SOURCES.iter().map(|s| s.names()[0]).collect()
}

/// Open `source` for a build, after checking that `--snapshot` applies.
pub fn open(source: &dyn Source, at: &Opening) -> Result<Opened> {
    if let (Some(day), false) = (at.snapshot, source.has_snapshots()) {
        return Err(
            config_err!("--snapshot {day}: `{}` keeps no snapshots", source.names()[0]; hint: "--snapshot rebuilds from a stored pull of a live source ({}); drop it, or add --source", with_snapshots().join(", ")),
        );
    }
    source.open(at)
}

/// The sources that keep snapshots of their pulls.
pub fn with_snapshots() -> Vec<&'static str> {
    SOURCES
        .iter()
        .filter(|s| s.has_snapshots())
        .map(|s| s.names()[0])
        .collect()
}

/// Every environment variable any source reads credentials from.
pub fn credential_variables() -> Vec<&'static str> {
    SOURCES
        .iter()
        .flat_map(|s| s.credentials())
        .copied()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_found_by_any_of_their_names() {
        assert_eq!(find("files").unwrap().names()[0], "files");
        assert_eq!(find(" PostgreSQL ").unwrap().names()[0], "postgres");
        let e = crate::error::render(&find("excel").err().unwrap());
        assert!(e.contains("`excel` is not a source"), "{e}");
        assert!(
            e.contains("hint: use one of files, postgres, hubspot, salesforce, spark"),
            "{e}"
        );
        assert!(find("files").unwrap().reads_data_dir());
        assert!(!find("postgres").unwrap().reads_data_dir());
        assert!(credential_variables().contains(&"SMREPORT_DATABASE_URL"));
        assert!(credential_variables().contains(&"SMREPORT_SPARK_URL"));
        assert_eq!(find("Databricks").unwrap().names()[0], "spark");
    }
}
