//! Command-line flags; each can also come from an environment variable.

use std::path::PathBuf;

use clap::Parser;

/// How to run the server.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "leads-server",
    version,
    about = "The Leads API on SQLite, serving the Leads Console"
)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "LEADS_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// SQLite database file; created and seeded when missing or empty.
    #[arg(long, env = "LEADS_DB", default_value = "leads.db")]
    pub db: PathBuf,
    /// Folder holding the built console (trunk's output).
    #[arg(long, env = "LEADS_DIST", default_value = "dist")]
    pub dist: PathBuf,
    /// When set, every /v1 request needs `Authorization: Bearer KEY`.
    #[arg(long, env = "LEADS_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// How many demo leads to seed into a new, empty database (0 for none).
    #[arg(long, env = "LEADS_DEMO_LEADS", default_value_t = 250)]
    pub demo_leads: u32,
    /// Mounts `/_test/faults` so browser tests can make `/v1` fail or stall.
    /// Never for production.
    #[arg(long, hide = true)]
    pub test_faults: bool,
}
