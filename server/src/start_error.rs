//! Why the server could not start or keep serving: one typed reason per
//! cause, each saying what to do about it. `main` prints it and exits.

use std::io;
use std::path::PathBuf;

use crate::store::error::StoreError;

/// Why the server could not start or keep serving.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot open the database {location}: {source}{}", hint(.source))]
    Database {
        location: String,
        source: StoreError,
    },
    #[error("{0}")]
    DatabaseFlag(String),
    #[error("cannot use the database {location}: {refusal}")]
    Claimed {
        location: String,
        refusal: crate::store::copy::Refusal,
    },
    #[error("`sync --once` copies the vendor's leads: give --upstream URL (and its key), as for the server")]
    SyncWithoutUpstream,
    #[error("the sync pass stopped: {0}")]
    SyncFailed(String),
    #[error("cannot listen on {addr}: {source} (is another server using that port? try --addr 127.0.0.1:8081)")]
    Bind { addr: String, source: io::Error },
    #[error("the server stopped: {0}")]
    Serve(io::Error),
    #[error(
        "refusing to serve the leads on {addr} to anyone who can reach it: add --api-key, \
         --api-keys-file or --jwt-public-key/--jwt-secret-file, or listen on 127.0.0.1"
    )]
    Open { addr: String },
    /// A file a flag names could not be read (`what` names the flag or the
    /// file's role).
    #[error("cannot read {what} {}: {source}", path.display())]
    Unreadable {
        what: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    #[error("--api-keys-file {}: line {line} is not `NAME sha256:HEX`; make it with `leads-server hash-key NAME`", path.display())]
    KeyLine { path: PathBuf, line: usize },
    #[error("use --jwt-public-key or --jwt-secret-file, not both")]
    TwoTokenChecks,
    #[error("--jwt-secret-file {} is empty", path.display())]
    EmptyJwtSecret { path: PathBuf },
    #[error("--jwt-public-key is not an RSA or P-256 public key in PEM")]
    NotAPublicKey,
    #[error("the webhook secret file {} is empty; put the secret the vendor signs with in it", path.display())]
    EmptyWebhookSecret { path: PathBuf },
    #[error("the system offers no randomness for a webhook secret")]
    NoRandomness,
    #[error(
        "--allow-origin '*' would let any web page read the leads with a staff member's \
         credentials; name each portal's origin instead, e.g. --allow-origin \
         https://portal.example.com"
    )]
    AnyOrigin,
    #[error(
        "--allow-origin {0:?} is not an origin: write the scheme, host and port only, e.g. \
         https://portal.example.com or http://127.0.0.1:3000"
    )]
    NotAnOrigin(String),
    #[error(
        "--simulate-calls makes up leads, which must never reach the vendor's API: leave it \
         out with --upstream"
    )]
    SimulatedUpstream,
    #[error("--upstream needs the vendor's key: pass --upstream-key-file PATH or set LEADS_UPSTREAM_KEY")]
    NoUpstreamKey,
    #[error("the upstream key is empty; put the vendor's key in it")]
    EmptyUpstreamKey,
    #[error("--upstream {base} is not a URL: {source}")]
    UpstreamNotAUrl {
        base: String,
        source: url::ParseError,
    },
    #[error("--upstream {base} must be an http(s) URL without a query, such as https://api.vendor.example/v1")]
    UpstreamNotHttp { base: String },
    #[error("cannot set up the upstream client: {0}")]
    UpstreamClient(reqwest::Error),
}

/// What to check when PostgreSQL cannot be reached.
fn hint(err: &StoreError) -> &'static str {
    match err {
        StoreError::Pool(_) => {
            " (is PostgreSQL running, and do the host, port, user and password in --database \
             let this server in?)"
        }
        _ => "",
    }
}
