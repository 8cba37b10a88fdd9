//! The list view as a value: filters, sort and paging, and its mapping to and
//! from a query string. The server reads it strictly (bad values are a `400`);
//! the console reads it leniently from its own URL (bad values fall back).

use std::fmt;
use std::str::FromStr;

use crate::error::FieldError;
use crate::lead::{Channel, LeadStatus};
use crate::limits::{DEFAULT_LIMIT, MAX_LIMIT, MAX_PAGE, PAGE_SIZES};

/// A field the list can be ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortField {
    CreatedAt,
    UpdatedAt,
    Name,
    Score,
    Status,
}

impl SortField {
    /// Every sortable field.
    pub const ALL: [SortField; 5] = [
        Self::CreatedAt,
        Self::UpdatedAt,
        Self::Name,
        Self::Score,
        Self::Status,
    ];

    /// The wire name, e.g. `"created_at"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CreatedAt => "created_at",
            Self::UpdatedAt => "updated_at",
            Self::Name => "name",
            Self::Score => "score",
            Self::Status => "status",
        }
    }
}

impl fmt::Display for SortField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A sort order: a field and a direction. The default is newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sort {
    pub field: SortField,
    pub descending: bool,
}

impl Sort {
    /// Newest first: `-created_at`.
    pub const DEFAULT: Sort = Sort {
        field: SortField::CreatedAt,
        descending: true,
    };

    /// Ascending order on `field`.
    pub const fn asc(field: SortField) -> Sort {
        Sort {
            field,
            descending: false,
        }
    }

    /// Descending order on `field`.
    pub const fn desc(field: SortField) -> Sort {
        Sort {
            field,
            descending: true,
        }
    }

    /// The same field in the other direction, for clickable column headers.
    pub fn toggled(self) -> Sort {
        Sort {
            descending: !self.descending,
            ..self
        }
    }
}

impl Default for Sort {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl FromStr for Sort {
    type Err = ();

    /// Parses `name` or `-name`.
    fn from_str(s: &str) -> Result<Self, ()> {
        let (descending, name) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let field = SortField::ALL
            .into_iter()
            .find(|f| f.as_str() == name)
            .ok_or(())?;
        Ok(Sort { field, descending })
    }
}

impl fmt::Display for Sort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.descending {
            f.write_str("-")?;
        }
        f.write_str(self.field.as_str())
    }
}

/// One view of the list: what `GET /v1/leads` is asked for.
///
/// ```
/// use leads_core::{ListQuery, LeadStatus};
/// let query = ListQuery::default().with_status(Some(LeadStatus::New));
/// assert_eq!(query.to_query_string(), "status=new");
/// assert_eq!(ListQuery::parse([("status", "new")]).unwrap(), query);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ListQuery {
    pub status: Option<LeadStatus>,
    pub source: Option<Channel>,
    pub sort: Sort,
    pub limit: u32,
    pub page: u32,
}

impl Default for ListQuery {
    fn default() -> Self {
        Self {
            status: None,
            source: None,
            sort: Sort::DEFAULT,
            limit: DEFAULT_LIMIT,
            page: 1,
        }
    }
}

/// A query parameter the list understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Param {
    Status,
    Source,
    Sort,
    Limit,
    Page,
}

impl Param {
    /// Every parameter, in the order they are checked and written.
    pub const ALL: [Param; 5] = [
        Param::Status,
        Param::Source,
        Param::Sort,
        Param::Limit,
        Param::Page,
    ];

    /// The parameter's name in a query string.
    pub fn as_str(self) -> &'static str {
        match self {
            Param::Status => "status",
            Param::Source => "source",
            Param::Sort => "sort",
            Param::Limit => "limit",
            Param::Page => "page",
        }
    }

    /// The parameter called `name`, if the list knows one.
    pub fn named(name: &str) -> Option<Param> {
        Param::ALL.into_iter().find(|p| p.as_str() == name)
    }
}

/// A raw query string (`status=new&page=2`, with or without its `?`)
/// decoded as browsers decode one: `%`-escapes, and `+` for a space.
pub fn decode_pairs(raw: &str) -> Vec<(String, String)> {
    let raw = raw.strip_prefix('?').unwrap_or(raw);
    form_urlencoded::parse(raw.as_bytes())
        .into_owned()
        .collect()
}

/// What a query string said about each known parameter.
#[derive(Default)]
struct RawParams<'a> {
    values: [Option<&'a str>; 5],
    repeated: [bool; 5],
}

impl<'a> RawParams<'a> {
    fn collect(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut raw = RawParams::default();
        for (key, value) in pairs {
            if let Some(param) = Param::named(key) {
                let i = param as usize;
                raw.repeated[i] |= raw.values[i].is_some();
                raw.values[i] = Some(value);
            }
        }
        raw
    }
}

impl ListQuery {
    /// Reads query parameters strictly, as the server must: the first invalid
    /// parameter (in [`Param::ALL`] order) is an error naming it. Unknown
    /// parameters are ignored.
    pub fn parse<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<ListQuery, FieldError> {
        let raw = RawParams::collect(pairs);
        let mut query = ListQuery::default();
        for param in Param::ALL {
            let Some(value) = raw.values[param as usize] else {
                continue;
            };
            if raw.repeated[param as usize] {
                let name = param.as_str();
                return Err(FieldError::new(
                    name,
                    format!("{name} may be given only once"),
                ));
            }
            query.set(param, value)?;
        }
        Ok(query)
    }

    /// [`ListQuery::parse`] of a raw query string ([`decode_pairs`]).
    pub fn from_query_string(raw: &str) -> Result<ListQuery, FieldError> {
        let pairs = decode_pairs(raw);
        ListQuery::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// [`ListQuery::parse_lenient`] of a raw query string ([`decode_pairs`]):
    /// the console's URL, a saved view, the page the server preloads for.
    ///
    /// ```
    /// use leads_core::ListQuery;
    /// let (query, _) = ListQuery::from_query_string_lenient("?status=qualified&page=%32");
    /// assert_eq!(query.to_query_string(), "status=qualified&page=2");
    /// ```
    pub fn from_query_string_lenient(raw: &str) -> (ListQuery, bool) {
        let pairs = decode_pairs(raw);
        ListQuery::parse_lenient(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// Reads the console's own URL leniently: each invalid or repeated
    /// parameter falls back to its default, and so does a `limit` that is not
    /// one of the [`PAGE_SIZES`] the console offers. The flag is true when the URL
    /// should be rewritten to [`ListQuery::to_query_string`], because it held
    /// an invalid value or spelled out a default.
    ///
    /// ```
    /// use leads_core::ListQuery;
    /// let (query, rewrite) = ListQuery::parse_lenient([("status", "bogus"), ("page", "2")]);
    /// assert_eq!((query.status, query.page, rewrite), (None, 2, true));
    /// ```
    pub fn parse_lenient<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> (ListQuery, bool) {
        let raw = RawParams::collect(pairs);
        let mut query = ListQuery::default();
        let mut rewrite = false;
        for param in Param::ALL {
            let Some(value) = raw.values[param as usize] else {
                continue;
            };
            let ok = !raw.repeated[param as usize] && query.set(param, value).is_ok();
            if !PAGE_SIZES.contains(&query.limit) {
                query.limit = DEFAULT_LIMIT;
                rewrite = true;
            }
            rewrite |= !ok || query.param(param).is_none();
        }
        (query, rewrite)
    }

    fn set(&mut self, param: Param, value: &str) -> Result<(), FieldError> {
        let name = param.as_str();
        match param {
            Param::Status => {
                self.status = Some(
                    value
                        .parse()
                        .map_err(|()| FieldError::one_of(name, LeadStatus::ALL))?,
                )
            }
            Param::Source => {
                self.source = Some(
                    value
                        .parse()
                        .map_err(|()| FieldError::one_of(name, Channel::ALL))?,
                )
            }
            Param::Sort => {
                self.sort = value.parse().map_err(|()| {
                    let mut err = FieldError::one_of(name, SortField::ALL);
                    err.message
                        .push_str(", with a leading - for descending order");
                    err
                })?
            }
            Param::Limit => self.limit = bounded(name, value, MAX_LIMIT)?,
            Param::Page => self.page = bounded(name, value, MAX_PAGE)?,
        }
        Ok(())
    }

    /// The value of `param` as it belongs in a URL, or `None` at its default.
    fn param(&self, param: Param) -> Option<String> {
        let default = ListQuery::default();
        match param {
            Param::Status => self.status.map(|s| s.as_str().to_owned()),
            Param::Source => self.source.map(|s| s.as_str().to_owned()),
            Param::Sort => (self.sort != default.sort).then(|| self.sort.to_string()),
            Param::Limit => (self.limit != default.limit).then(|| self.limit.to_string()),
            Param::Page => (self.page != default.page).then(|| self.page.to_string()),
        }
    }

    /// The parameters that differ from their defaults, in [`Param::ALL`] order.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        Param::ALL
            .into_iter()
            .filter_map(|p| self.param(p).map(|v| (p.as_str(), v)))
            .collect()
    }

    /// The query string (without `?`); every value is URL-safe as it stands.
    pub fn to_query_string(&self) -> String {
        self.to_pairs()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// True when a status or source filter is set.
    pub fn has_filters(&self) -> bool {
        self.status.is_some() || self.source.is_some()
    }

    /// True when `lead` passes this view's filters, as far as it says: a
    /// live lead is counted for a view only if the view would list it.
    ///
    /// ```
    /// use leads_core::{Channel, LeadStatus, ListQuery, PartialLead};
    /// let lead = PartialLead { id: "a".into(), status: Some(LeadStatus::New), source: Some("call".into()), ..PartialLead::default() };
    /// assert!(ListQuery::default().with_status(Some(LeadStatus::New)).admits(&lead));
    /// assert!(!ListQuery::default().with_source(Some(Channel::Sms)).admits(&lead));
    /// ```
    pub fn admits(&self, lead: &crate::PartialLead) -> bool {
        let status = self.status.is_none_or(|status| lead.status == Some(status));
        let source = self
            .source
            .is_none_or(|source| lead.source.as_deref() == Some(source.as_str()));
        status && source
    }

    /// This view filtered by `status`, from page 1.
    pub fn with_status(self, status: Option<LeadStatus>) -> ListQuery {
        ListQuery {
            status,
            page: 1,
            ..self
        }
    }

    /// This view filtered by `source`, from page 1.
    pub fn with_source(self, source: Option<Channel>) -> ListQuery {
        ListQuery {
            source,
            page: 1,
            ..self
        }
    }

    /// This view in another order, from page 1.
    pub fn with_sort(self, sort: Sort) -> ListQuery {
        ListQuery {
            sort,
            page: 1,
            ..self
        }
    }

    /// This view with another page size, from page 1.
    pub fn with_limit(self, limit: u32) -> ListQuery {
        ListQuery {
            limit,
            page: 1,
            ..self
        }
    }

    /// This view at another page.
    pub fn with_page(self, page: u32) -> ListQuery {
        ListQuery { page, ..self }
    }

    /// This view without filters, from page 1; sort and page size stay.
    pub fn cleared(self) -> ListQuery {
        ListQuery {
            status: None,
            source: None,
            page: 1,
            ..self
        }
    }

    /// How many rows come before this page.
    pub fn offset(&self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.limit)
    }
}

/// Parses decimal digits only, in `1..=max`.
fn bounded(param: &str, value: &str, max: u32) -> Result<u32, FieldError> {
    let err = || {
        FieldError::new(
            param,
            format!("{param} must be a whole number from 1 to {max}"),
        )
    };
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err());
    }
    match value.parse::<u32>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(err()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pairs(s: &str) -> Vec<(&str, &str)> {
        s.split('&')
            .filter(|p| !p.is_empty())
            .map(|p| p.split_once('=').unwrap_or((p, "")))
            .collect()
    }

    #[test]
    fn defaults_are_left_out() {
        assert_eq!(ListQuery::default().to_query_string(), "");
        let q = ListQuery::parse(pairs("sort=-created_at&limit=20&page=1")).unwrap();
        assert_eq!(q, ListQuery::default());
        assert_eq!(q.to_query_string(), "");
    }

    #[test]
    fn strict_parse_names_the_bad_parameter() {
        for (qs, param) in [
            ("status=NEW", "status"),
            ("status=", "status"),
            ("source=manual", "source"),
            ("sort=email", "sort"),
            ("sort=--name", "sort"),
            ("limit=0", "limit"),
            ("limit=101", "limit"),
            ("limit=+5", "limit"),
            ("limit=1.0", "limit"),
            ("page=0", "page"),
            ("page=1000001", "page"),
            ("page=-3", "page"),
            ("page=99999999999999999999", "page"),
            ("status=new&status=new", "status"),
            ("page=x&status=x", "status"),
        ] {
            assert_eq!(
                ListQuery::parse(pairs(qs)).unwrap_err().param,
                param,
                "{qs}"
            );
        }
    }

    #[test]
    fn strict_parse_accepts_edges_and_ignores_unknown() {
        let q = ListQuery::parse(pairs("limit=100&page=1000000&foo=bar&sort=-status")).unwrap();
        assert_eq!((q.limit, q.page), (100, 1_000_000));
        assert_eq!(q.sort, Sort::desc(SortField::Status));
        assert_eq!(ListQuery::parse(pairs("limit=007")).unwrap().limit, 7);
    }

    #[test]
    fn lenient_parse_falls_back_per_parameter() {
        let (q, rewrite) =
            ListQuery::parse_lenient(pairs("status=bogus&page=-3&limit=7&source=sms"));
        assert!(rewrite);
        assert_eq!(q.status, None);
        assert_eq!(q.page, 1);
        assert_eq!(
            q.limit, DEFAULT_LIMIT,
            "the console offers only its page sizes"
        );
        assert_eq!(q.source, Some(Channel::Sms));
        let (_, rewrite) = ListQuery::parse_lenient(pairs("status=new&page=2"));
        assert!(!rewrite);
        let (_, rewrite) = ListQuery::parse_lenient(pairs("page=1"));
        assert!(rewrite, "a spelled-out default is tidied away");
    }

    #[test]
    fn changing_the_view_returns_to_page_one() {
        let q = ListQuery::default().with_page(4);
        assert_eq!(q.with_status(Some(LeadStatus::New)).page, 1);
        assert_eq!(q.with_source(Some(Channel::Call)).page, 1);
        assert_eq!(q.with_sort(Sort::asc(SortField::Name)).page, 1);
        assert_eq!(q.with_limit(50).page, 1);
        assert_eq!(q.cleared().page, 1);
        assert_eq!(q.offset(), 60);
    }

    fn any_query(limits: impl Strategy<Value = u32>) -> impl Strategy<Value = ListQuery> {
        (
            proptest::option::of(0u8..4),
            proptest::option::of(0usize..5),
            0usize..5,
            any::<bool>(),
            limits,
            1u32..=MAX_PAGE,
        )
            .prop_map(
                |(status, source, field, descending, limit, page)| ListQuery {
                    status: status.and_then(LeadStatus::from_rank),
                    source: source.map(|i| Channel::ALL[i]),
                    sort: Sort {
                        field: SortField::ALL[field],
                        descending,
                    },
                    limit,
                    page,
                },
            )
    }

    proptest! {
        #[test]
        fn query_string_round_trips(query in any_query(1u32..=MAX_LIMIT)) {
            let qs = query.to_query_string();
            prop_assert_eq!(ListQuery::parse(pairs(&qs)).unwrap(), query);
        }

        #[test]
        fn console_urls_round_trip(query in any_query(proptest::sample::select(PAGE_SIZES.to_vec()))) {
            let qs = query.to_query_string();
            prop_assert_eq!(ListQuery::parse_lenient(pairs(&qs)), (query, false));
        }

        #[test]
        fn lenient_parse_never_fails_and_yields_a_valid_query(
            raw in proptest::collection::vec(("(status|source|sort|limit|page|x)", "[-a-z0-9_]{0,8}"), 0..8)
        ) {
            let pairs: Vec<(&str, &str)> = raw.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let (query, _) = ListQuery::parse_lenient(pairs);
            let qs = query.to_query_string();
            prop_assert_eq!(ListQuery::parse(self::pairs(&qs)).unwrap(), query);
        }
    }
}
