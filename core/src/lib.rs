//! The rules of the Leads API, written once and used by both the console (wasm)
//! and the server (native). Nothing here knows about HTTP, storage or the DOM.

pub mod body;
pub mod config;
pub mod error;
pub mod event;
pub mod field;
pub mod lead;
pub mod limits;
pub mod new_lead;
pub mod patch;
pub mod query;
pub mod search;
pub mod timestamp;
pub mod validate;

pub use config::{AuthMode, ConsoleConfig};
pub use error::{ApiError, ApiErrorBody, ErrorType, FieldError, Rule};
pub use field::Field;
pub use lead::{is_lead_id, Channel, Lead, LeadStatus, Page, PageMeta, PartialLead};
pub use new_lead::NewLead;
pub use patch::LeadPatch;
pub use query::{ListQuery, Sort, SortField};
