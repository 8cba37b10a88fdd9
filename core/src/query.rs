//! The list view as a value: filters, sort and paging, and its mapping to and
//! from a query string. The server reads it strictly (bad values are a `400`);
//! the console reads it leniently from its own URL (bad values fall back).

use std::fmt;
use std::str::FromStr;

use crate::error::FieldError;
use crate::lead::{Channel, LeadStatus};
use crate::limits::{
    DEFAULT_LIMIT, MAX_LIMIT, MAX_PAGE, MAX_SEARCH_CHARS, MAX_TAG_CHARS, PAGE_SIZES,
};
use crate::search::Search;
use crate::validate::contains_tag;

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
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ListQuery {
    pub status: Option<LeadStatus>,
    pub source: Option<Channel>,
    /// A search text, trimmed ([`crate::search`] says what it matches).
    pub q: Option<String>,
    /// A tag the leads must have, trimmed; compared by lowercase.
    pub tag: Option<String>,
    pub sort: Sort,
    pub limit: u32,
    pub page: u32,
}

impl Default for ListQuery {
    fn default() -> Self {
        Self {
            status: None,
            source: None,
            q: None,
            tag: None,
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
    Q,
    Tag,
    Sort,
    Limit,
    Page,
}

impl Param {
    /// Every parameter, in the order they are checked and written.
    pub const ALL: [Param; 7] = [
        Param::Status,
        Param::Source,
        Param::Q,
        Param::Tag,
        Param::Sort,
        Param::Limit,
        Param::Page,
    ];

    /// The parameter's name in a query string.
    pub fn as_str(self) -> &'static str {
        match self {
            Param::Status => "status",
            Param::Source => "source",
            Param::Q => "q",
            Param::Tag => "tag",
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
    values: [Option<&'a str>; Param::ALL.len()],
    repeated: [bool; Param::ALL.len()],
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
            Param::Q => self.q = Some(trimmed(name, value, MAX_SEARCH_CHARS)?),
            Param::Tag => self.tag = Some(trimmed(name, value, MAX_TAG_CHARS)?),
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
            Param::Q => self.q.clone(),
            Param::Tag => self.tag.clone(),
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

    /// The query string (without `?`), `%`-escaped where a value needs it
    /// (a search text or a tag) and with `+` for a space, as forms write.
    pub fn to_query_string(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (key, value) in self.to_pairs() {
            out.append_pair(key, &value);
        }
        out.finish()
    }

    /// True when a filter, a search or a tag is set.
    pub fn has_filters(&self) -> bool {
        self.status.is_some() || self.source.is_some() || self.q.is_some() || self.tag.is_some()
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
        // What an event leaves out cannot be searched: such a lead is not counted.
        let q = self.q.as_deref().is_none_or(|q| {
            lead.name.as_deref().is_some_and(|name| {
                Search::new(q).matches(
                    name,
                    lead.phone.clone().flatten().as_deref(),
                    lead.email.clone().flatten().as_deref(),
                )
            })
        });
        let tag = self.tag.as_deref().is_none_or(|tag| {
            lead.tags
                .as_deref()
                .is_some_and(|tags| contains_tag(tags, tag))
        });
        status && source && q && tag
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

    /// This view searching for `q` (none when blank), from page 1.
    pub fn with_q(self, q: &str) -> ListQuery {
        let q = q.trim();
        ListQuery {
            q: (!q.is_empty()).then(|| q.chars().take(MAX_SEARCH_CHARS).collect()),
            page: 1,
            ..self
        }
    }

    /// This view filtered by `tag`, from page 1.
    pub fn with_tag(self, tag: Option<String>) -> ListQuery {
        ListQuery {
            tag,
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

    /// This view without filters, search or tag, from page 1; sort and page
    /// size stay.
    pub fn cleared(self) -> ListQuery {
        ListQuery {
            status: None,
            source: None,
            q: None,
            tag: None,
            page: 1,
            ..self
        }
    }

    /// How many rows come before this page.
    pub fn offset(&self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.limit)
    }
}

/// Trims `value`, which must then be 1 to `max` characters.
fn trimmed(param: &str, value: &str, max: usize) -> Result<String, FieldError> {
    let value = value.trim();
    let count = value.chars().count();
    if (1..=max).contains(&count) {
        Ok(value.to_owned())
    } else {
        Err(FieldError::new(
            param,
            format!("{param} must be 1–{max} characters after trimming"),
        ))
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
            ("q=", "q"),
            ("q=%20%20", "q"),
            ("q=a&q=b", "q"),
            ("tag=&q=x", "tag"),
            ("tag=a&tag=A", "tag"),
        ] {
            assert_eq!(
                ListQuery::from_query_string(qs).unwrap_err().param,
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
    fn search_and_tag_are_trimmed_bounded_and_escaped() {
        let q = ListQuery::from_query_string("q=%20Jos%C3%A9+N%C3%BA%C3%B1ez%20&tag=+VIP").unwrap();
        assert_eq!(q.q.as_deref(), Some("José Núñez"));
        assert_eq!(q.tag.as_deref(), Some("VIP"));
        assert_eq!(q.to_query_string(), "q=Jos%C3%A9+N%C3%BA%C3%B1ez&tag=VIP");
        let odd = ListQuery::default().with_q("a&b=c+d%");
        assert_eq!(odd.to_query_string(), "q=a%26b%3Dc%2Bd%25");
        assert_eq!(
            ListQuery::from_query_string(&odd.to_query_string()).unwrap(),
            odd
        );
        let longest = "é".repeat(MAX_SEARCH_CHARS);
        assert!(ListQuery::parse([("q", longest.as_str())]).is_ok());
        let too_long = format!("{longest}x");
        assert_eq!(
            ListQuery::parse([("q", too_long.as_str())])
                .unwrap_err()
                .param,
            "q"
        );
        assert_eq!(ListQuery::default().with_q(&too_long).q, Some(longest));
        assert_eq!(ListQuery::default().with_q("   ").q, None);
        let (lenient, rewrite) =
            ListQuery::from_query_string_lenient(&format!("q={too_long}&tag=x"));
        assert_eq!(
            (lenient.q, lenient.tag.as_deref(), rewrite),
            (None, Some("x"), true)
        );
    }

    #[test]
    fn a_search_or_tag_admits_only_the_leads_it_would_list() {
        let lead = crate::PartialLead {
            id: "a".into(),
            name: Some("José Núñez".into()),
            phone: Some(Some("+15550102030".into())),
            tags: Some(vec!["VIP".into()]),
            ..crate::PartialLead::default()
        };
        let view = ListQuery::default();
        assert!(view.clone().with_q("nunez").admits(&lead));
        assert!(view.clone().with_q("010-20").admits(&lead));
        assert!(!view.clone().with_q("smith").admits(&lead));
        assert!(view.clone().with_tag(Some("vip".into())).admits(&lead));
        assert!(!view.clone().with_tag(Some("hot".into())).admits(&lead));
        let nameless = crate::PartialLead { name: None, ..lead };
        assert!(
            !view.with_q("nunez").admits(&nameless),
            "what the event left out is not guessed"
        );
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
        assert_eq!(q.clone().with_status(Some(LeadStatus::New)).page, 1);
        assert_eq!(q.clone().with_source(Some(Channel::Call)).page, 1);
        assert_eq!(q.clone().with_q("ann").page, 1);
        assert_eq!(q.clone().with_tag(Some("vip".into())).page, 1);
        assert_eq!(q.clone().with_sort(Sort::asc(SortField::Name)).page, 1);
        assert_eq!(q.clone().with_limit(50).page, 1);
        assert_eq!(q.clone().cleared().page, 1);
        assert_eq!(q.offset(), 60);
    }

    fn any_query(limits: impl Strategy<Value = u32>) -> impl Strategy<Value = ListQuery> {
        (
            proptest::option::of(0u8..4),
            proptest::option::of(0usize..5),
            // Any script, with the characters a query string escapes.
            proptest::option::of("[^\\s\\x00-\\x1f]([^\\x00-\\x1f]{0,98}[^\\s\\x00-\\x1f])?"),
            proptest::option::of("[^\\s\\x00-\\x1f]([^\\x00-\\x1f]{0,48}[^\\s\\x00-\\x1f])?"),
            0usize..5,
            any::<bool>(),
            limits,
            1u32..=MAX_PAGE,
        )
            .prop_map(|(status, source, q, tag, field, descending, limit, page)| {
                ListQuery {
                    status: status.and_then(LeadStatus::from_rank),
                    source: source.map(|i| Channel::ALL[i]),
                    q,
                    tag,
                    sort: Sort {
                        field: SortField::ALL[field],
                        descending,
                    },
                    limit,
                    page,
                }
            })
    }

    proptest! {
        #[test]
        fn query_string_round_trips(query in any_query(1u32..=MAX_LIMIT)) {
            let qs = query.to_query_string();
            prop_assert_eq!(ListQuery::from_query_string(&qs).unwrap(), query);
        }

        #[test]
        fn console_urls_round_trip(query in any_query(proptest::sample::select(PAGE_SIZES.to_vec()))) {
            let qs = query.to_query_string();
            prop_assert_eq!(ListQuery::from_query_string_lenient(&qs), (query, false));
        }

        #[test]
        fn lenient_parse_never_fails_and_yields_a_valid_query(
            raw in proptest::collection::vec(("(status|source|q|tag|sort|limit|page|x)", "[-a-z0-9_ ]{0,8}"), 0..8)
        ) {
            let pairs: Vec<(&str, &str)> = raw.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let (query, _) = ListQuery::parse_lenient(pairs);
            let qs = query.to_query_string();
            prop_assert_eq!(ListQuery::from_query_string(&qs).unwrap(), query);
        }
    }
}
