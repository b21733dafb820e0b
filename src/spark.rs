//! Spark and Databricks (issue #28, in progress): so far the Spark Connect
//! client the coming `--source spark` is built on ([`connect`]: SQL in,
//! polars frames out, over one gRPC session). It is not a source yet: no
//! `--source spark` exists, and nothing in a build calls it.

pub mod connect;
