//! The published contract, `/v1/openapi.json`, against the running server:
//! schemathesis (installed by `make setup-test`) generates requests from it,
//! valid and invalid, and checks every answer stays within it: no 5xx, only
//! documented statuses, bodies of the documented shape, valid data accepted,
//! invalid data refused, and no answer without the key.

mod support;

use std::path::PathBuf;
use std::process::Command;

use support::process::ServerProcess;

const KEY: &str = "openapi-test-key";

fn schemathesis() -> PathBuf {
    let st = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.tools/venv/bin/st");
    assert!(
        st.is_file(),
        "schemathesis is not installed at {}; run `make setup-test`",
        st.display()
    );
    st
}

/// The hooks that keep generated requests to what the schema can judge.
fn hooks() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/openapi/hooks.py")
}

#[test]
fn every_generated_request_is_answered_within_the_contract() {
    let st = schemathesis();
    let dir = tempfile::tempdir().unwrap();
    let database = support::postgres::process_env();
    let mut env = vec![("LEADS_API_KEY", KEY), ("LEADS_DEMO_LEADS", "40")];
    env.extend(database.as_ref().map(|(name, url)| (*name, url.as_str())));
    let server = ServerProcess::start(env!("CARGO_BIN_EXE_leads-server"), dir.path(), &env, &[]);
    let output = Command::new(st)
        .args(["run", &format!("{}/v1/openapi.json", server.base)])
        .args(["--header", &format!("Authorization: Bearer {KEY}")])
        .args(["--checks", "all", "--max-examples", "100"])
        .env("NO_COLOR", "1")
        .env("SCHEMATHESIS_TELEMETRY", "false")
        // Leaves out the tag lists the schema cannot judge (see the file).
        .env("SCHEMATHESIS_HOOKS", hooks())
        .env("LEADS_MAX_TAGS", leads_core::limits::MAX_TAGS.to_string())
        .current_dir(dir.path())
        .output()
        .expect("run schemathesis");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "schemathesis found answers outside the contract:\n{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        report.contains("4 selected / 4 total"),
        "all four operations were tested:\n{report}"
    );
}
