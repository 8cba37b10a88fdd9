//! What a request carries to say who is asking: nothing, a key typed into
//! Connect, or the portal's token.

use std::cell::RefCell;
use std::rc::Rc;

use crate::net::host::Host;

/// What a request carries to say who is asking.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// An open API.
    None,
    /// A key typed into Connect.
    Key(String),
    /// The portal's `getToken`.
    Portal(PortalToken),
}

/// The same credentials: the same key, or the same portal's tokens.
impl PartialEq for Credentials {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::None, Self::None) => true,
            (Self::Key(a), Self::Key(b)) => a == b,
            (Self::Portal(a), Self::Portal(b)) => Rc::ptr_eq(&a.cached, &b.cached),
            _ => false,
        }
    }
}

/// A portal's token, asked for once and kept until the API refuses it.
#[derive(Debug, Clone)]
pub struct PortalToken {
    host: Host,
    cached: Rc<RefCell<Option<String>>>,
}

impl PortalToken {
    /// Tokens from `host`'s `getToken`, kept in `cached` (shared by the
    /// session's clients).
    pub fn new(host: Host, cached: Rc<RefCell<Option<String>>>) -> Self {
        Self { host, cached }
    }

    /// The kept token, or (when there is none, or `fresh`) a new one.
    pub(crate) async fn token(&self, fresh: bool) -> Option<String> {
        let kept = self.cached.borrow().clone();
        match kept {
            Some(token) if !fresh => Some(token),
            _ => {
                let token = self.host.token().await;
                self.cached.replace(token.clone());
                token
            }
        }
    }
}
