//! The lead fields a create or update body may carry, by their wire names,
//! so that a field is named once and an error's `param` maps back to it.

use std::fmt;
use std::str::FromStr;

/// A field of a create or update body.
///
/// ```
/// use leads_core::Field;
/// assert_eq!("phone".parse(), Ok(Field::Phone));
/// assert_eq!(Field::Tags.as_str(), "tags");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Name,
    Phone,
    Email,
    Source,
    Status,
    Tags,
}

impl Field {
    /// Every field, in the contract's validation order.
    pub const ALL: [Field; 6] = [
        Self::Name,
        Self::Phone,
        Self::Email,
        Self::Source,
        Self::Status,
        Self::Tags,
    ];

    /// The wire name, e.g. `"email"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Phone => "phone",
            Self::Email => "email",
            Self::Status => "status",
            Self::Source => "source",
            Self::Tags => "tags",
        }
    }
}

impl FromStr for Field {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        Self::ALL.into_iter().find(|f| f.as_str() == s).ok_or(())
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<Field> for String {
    fn from(field: Field) -> String {
        field.as_str().to_owned()
    }
}
