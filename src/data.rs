//! What every source shares, at the bottom of the pipeline: the input
//! tables and their canonical columns ([`tables`]), and the data-quality
//! report with the registry of every issue it can hold ([`quality`]).
//! Files, the database and the sources to come all speak in these terms.

pub mod quality;
pub mod tables;

pub use quality::{DataQuality, Example, Exclusion, Issue, QualityIssue, Severity};
pub use tables::{Canonical, Class, Mapped, StageValue, TableInfo, TableKind, columns};
