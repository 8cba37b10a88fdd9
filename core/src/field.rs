//! A lead's fields by their wire names, so each is named once: all ten of
//! a lead ([`LeadField`]: the CSV's columns, what an event says changed,
//! the store's columns), and those a create or update body may carry
//! ([`Field`]), so that an error's `param` maps back to one.

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

/// A field of a lead as the API returns it, in the contract's order.
///
/// ```
/// use leads_core::field::LeadField;
/// assert_eq!(LeadField::ALL.map(LeadField::as_str)[..3], ["id", "name", "phone"]);
/// assert_eq!(LeadField::CreatedAt.as_str(), "created_at");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LeadField {
    Id,
    Name,
    Phone,
    Email,
    Status,
    Source,
    Score,
    Tags,
    CreatedAt,
    UpdatedAt,
}

impl LeadField {
    /// Every field, in the lead object's order.
    pub const ALL: [LeadField; 10] = [
        Self::Id,
        Self::Name,
        Self::Phone,
        Self::Email,
        Self::Status,
        Self::Source,
        Self::Score,
        Self::Tags,
        Self::CreatedAt,
        Self::UpdatedAt,
    ];

    /// The wire name, e.g. `"created_at"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::Name => "name",
            Self::Phone => "phone",
            Self::Email => "email",
            Self::Status => "status",
            Self::Source => "source",
            Self::Score => "score",
            Self::Tags => "tags",
            Self::CreatedAt => "created_at",
            Self::UpdatedAt => "updated_at",
        }
    }
}
