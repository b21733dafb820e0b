//! `smreport check`.

use crate::util::*;

#[test]
fn check_strict_exits_1_on_data_errors() {
    let dir = temp_fixture("small");
    smreport(dir.path())
        .args(["check", "--config", "smreport.toml"])
        .run()
        .expect_success()
        .stdout_contains("leads.csv")
        .stdout_contains("9 rows")
        .stdout_contains("duplicate_id")
        .stdout_contains("deals.csv row 8");
    smreport(dir.path())
        .args(["check", "--config", "smreport.toml", "--strict"])
        .run()
        .expect_exit(1)
        .stderr_contains("--strict");
}
