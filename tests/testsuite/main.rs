//! The integration tests, one binary (ripgrep and mdBook style): each
//! area in its own module, helpers in [`util`], a temp dir per case.

mod bad_input;
mod build;
mod check;
mod crm_exports;
mod determinism;
mod email;
mod hubspot;
mod hubspot_api;
mod inputs;
mod insights;
mod kpi_fixture;
mod periods;
mod plan;
mod properties;
mod salesforce;
mod salesforce_api;
mod smtp;
mod spark;
mod templates;
mod util;
mod warehouse;
mod watch;
