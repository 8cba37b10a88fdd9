//! Browser tests: headless Chromium drives the built console against the real
//! `leads-server`, and every assertion is on what a person or the API sees.

mod accessibility;
mod bulk;
mod closing;
mod connect;
mod create;
mod edit;
mod embed;
mod export;
mod extras;
mod harness;
mod hostile;
mod keyboard;
mod languages;
mod list;
mod live;
mod memory;
mod pipeline;
mod promises;
mod search;
mod security;
mod triage;
mod views;
