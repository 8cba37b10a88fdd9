//! The contract as OpenAPI 3.1, served at `/v1/openapi.json`.
//!
//! The shapes come from `leads-core`'s types (their `ToSchema` derives) and
//! the handlers' `#[utoipa::path]` notes; the rules a derive cannot see (the
//! list parameters, lengths, patterns and ranges) are written in from
//! `leads-core`'s own enums and `limits`, so the document cannot drift from
//! what the server checks. `schemathesis` runs against it in `make test`.

use std::sync::OnceLock;

use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use leads_core::limits::{
    MAX_BODY_BYTES, MAX_EMAIL_CHARS, MAX_LIMIT, MAX_NAME_CHARS, MAX_PAGE, MAX_SEARCH_CHARS,
    MAX_SOURCE_CHARS, MAX_TAGS, MAX_TAG_CHARS,
};
use leads_core::{
    ApiError, ApiErrorBody, Channel, ErrorType, Lead, LeadPatch, LeadStatus, NewLead, Page,
    PageMeta, SortField,
};
use serde_json::{json, Map, Value};

use crate::limits::{MAX_HEADER_BYTES, MAX_URI_BYTES};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Leads API",
        version = "1",
        description = "Sales leads captured from calls, SMS, web forms and ads. Every request \
                       needs `Authorization: Bearer <key>` when the server is configured with \
                       sign-in."
    ),
    paths(
        crate::api::leads::list,
        crate::api::leads::create,
        crate::api::leads::get_one,
        crate::api::leads::update
    ),
    components(schemas(
        Lead,
        LeadStatus,
        NewLead,
        LeadPatch,
        Page<Lead>,
        PageMeta,
        ApiErrorBody,
        ApiError,
        ErrorType
    ))
)]
struct Derived;

/// What Rust's `char::is_whitespace` (and so `str::trim`) counts as white
/// space. A pattern's `\s` is narrower (it misses U+0085) and would promise
/// values the server refuses; a test holds this to the Rust definition.
const WHITESPACE: [(char, char); 10] = [
    ('\t', '\r'),
    (' ', ' '),
    ('\u{85}', '\u{85}'),
    ('\u{A0}', '\u{A0}'),
    ('\u{1680}', '\u{1680}'),
    ('\u{2000}', '\u{200A}'),
    ('\u{2028}', '\u{2029}'),
    ('\u{202F}', '\u{202F}'),
    ('\u{205F}', '\u{205F}'),
    ('\u{3000}', '\u{3000}'),
];

/// E.164, as the contract writes it.
const PHONE: &str = r"^\+[1-9][0-9]{1,14}$";

/// A string that is not blank: the server trims before it checks lengths.
fn not_blank() -> String {
    format!("[^{}]", whitespace())
}

/// [`WHITESPACE`] as the inside of a regex class.
fn whitespace() -> String {
    let code = |c: char| format!("\\u{:04X}", u32::from(c));
    WHITESPACE
        .iter()
        .map(|&(first, last)| match first == last {
            true => code(first),
            false => format!("{}-{}", code(first), code(last)),
        })
        .collect()
}

/// No white space, one `@`, a local part, and a domain of two or more
/// non-empty labels.
fn email() -> String {
    let space = whitespace();
    let part = format!("[^{space}@.]");
    format!("^[^{space}@]+@{part}+(\\.{part}+)+$")
}

/// `GET /v1/openapi.json`: the document, built once.
pub async fn serve() -> Response {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    let body = DOCUMENT.get_or_init(|| document().to_string());
    ([(CONTENT_TYPE, "application/json")], body.as_str()).into_response()
}

/// The whole document.
pub fn document() -> Value {
    let mut doc = serde_json::to_value(Derived::openapi()).unwrap_or_else(|_| json!({}));
    let schemas = &mut doc["components"]["schemas"];
    constrain_lead_texts(&mut schemas["NewLead"]);
    constrain_lead_texts(&mut schemas["LeadPatch"]);
    constrain_lead_texts(&mut schemas["Lead"]);
    let score = &mut schemas["Lead"]["properties"]["score"];
    score["minimum"] = json!(0);
    score["maximum"] = json!(100);
    for body in ["NewLead", "LeadPatch"] {
        schemas[body]["additionalProperties"] = json!(false);
    }
    // `source: null` and `tags: null` take the defaults on create.
    for field in ["source", "tags"] {
        allow_null(&mut schemas["NewLead"]["properties"][field]);
    }
    schemas["LeadPatch"]["minProperties"] = json!(1);
    // Only `phone` and `email` may be cleared with `null`.
    for field in ["name", "status", "tags"] {
        forbid_null(&mut schemas["LeadPatch"]["properties"][field]);
    }
    for stamp in ["created_at", "updated_at"] {
        schemas["Lead"]["properties"][stamp]["format"] = json!("date-time");
    }
    for schema in schemas
        .as_object_mut()
        .into_iter()
        .flat_map(|s| s.values_mut())
    {
        keep_prose(schema);
    }
    doc["components"]["securitySchemes"] = json!({
        "bearer": { "type": "http", "scheme": "bearer" }
    });
    doc["security"] = json!([{ "bearer": [] }]);
    for (path, methods) in doc["paths"].as_object_mut().into_iter().flatten() {
        for (method, operation) in methods.as_object_mut().into_iter().flatten() {
            if path == "/v1/leads" && method == "get" {
                operation["parameters"] = list_parameters();
            }
            add_shared_responses(operation);
        }
    }
    doc
}

/// Lengths and patterns of the text fields, wherever a schema has them.
fn constrain_lead_texts(schema: &mut Value) {
    let Some(properties) = schema["properties"].as_object_mut() else {
        return;
    };
    let mut set = |field: &str, rules: Value| {
        if let (Some(target), Value::Object(rules)) = (properties.get_mut(field), rules) {
            for (key, value) in rules {
                string_part(target).insert(key, value);
            }
        }
    };
    set(
        "name",
        json!({ "minLength": 1, "maxLength": MAX_NAME_CHARS, "pattern": not_blank() }),
    );
    set("phone", json!({ "pattern": PHONE }));
    set(
        "email",
        json!({ "maxLength": MAX_EMAIL_CHARS, "pattern": email() }),
    );
    set(
        "source",
        json!({ "minLength": 1, "maxLength": MAX_SOURCE_CHARS, "pattern": not_blank() }),
    );
    if let Some(tags) = properties.get_mut("tags") {
        let tags = string_part(tags);
        tags.insert("maxItems".into(), json!(MAX_TAGS));
        tags.insert(
            "items".into(),
            json!({ "type": "string", "minLength": 1, "maxLength": MAX_TAG_CHARS, "pattern": not_blank() }),
        );
    }
}

/// The part of a property schema that holds its non-null type: the schema
/// itself, or the non-null branch of a `oneOf` that allows `null`.
fn string_part(schema: &mut Value) -> &mut Map<String, Value> {
    let branch = schema
        .get("oneOf")
        .and_then(Value::as_array)
        .and_then(|branches| {
            branches
                .iter()
                .position(|b| b.get("type") != Some(&json!("null")))
        });
    let target = match branch {
        Some(i) => &mut schema["oneOf"][i],
        None => schema,
    };
    if !target.is_object() {
        *target = json!({});
    }
    target.as_object_mut().expect("made an object just above")
}

/// Lets a property also be `null`.
fn allow_null(schema: &mut Value) {
    match schema.get_mut("type") {
        Some(Value::String(kind)) => {
            let kind = kind.clone();
            schema["type"] = json!([kind, "null"]);
        }
        Some(Value::Array(kinds)) if !kinds.contains(&json!("null")) => kinds.push(json!("null")),
        _ => {}
    }
}

/// Takes `null` back out of a property that a Rust `Option` made nullable.
fn forbid_null(schema: &mut Value) {
    let null = json!("null");
    if let Some(Value::Array(kinds)) = schema.get_mut("type") {
        kinds.retain(|kind| *kind != null);
        if let [only] = kinds.as_slice() {
            let only = only.clone();
            schema["type"] = only;
        }
    } else if let Some(Value::Array(branches)) = schema.get("oneOf") {
        let kept: Vec<Value> = branches
            .iter()
            .filter(|branch| branch.get("type") != Some(&null))
            .cloned()
            .collect();
        if let [only] = kept.as_slice() {
            *schema = only.clone();
        }
    }
}

/// A type's doc comment without its Rust examples: readers of the API
/// want the sentence, not the doctest.
fn keep_prose(schema: &mut Value) {
    if let Some(Value::String(text)) = schema.get_mut("description") {
        if let Some(cut) = text.find("```") {
            *text = text[..cut].trim_end().to_owned();
        }
    }
}

/// `status`, `source`, `q`, `tag`, `sort`, `limit`, `page`, from the types the server
/// parses them into.
fn list_parameters() -> Value {
    let statuses: Vec<_> = LeadStatus::ALL.iter().map(|s| s.as_str()).collect();
    let channels: Vec<_> = Channel::ALL.iter().map(|c| c.as_str()).collect();
    let sorts: Vec<String> = SortField::ALL
        .iter()
        .flat_map(|f| [f.as_str().to_owned(), format!("-{f}")])
        .collect();
    let query = |name: &str, description: &str, schema: Value| {
        json!({ "name": name, "in": "query", "required": false,
                "description": description, "schema": schema })
    };
    json!([
        query("status", "Only leads with this status.", json!({ "type": "string", "enum": statuses })),
        query("source", "Only leads from this capture channel.", json!({ "type": "string", "enum": channels })),
        query(
            "q",
            "Only leads whose name or email contains this text, compared after lowercasing and removing diacritics; or, with 3 or more digits, whose phone's digits contain its digits.",
            json!({ "type": "string", "minLength": 1, "maxLength": MAX_SEARCH_CHARS, "pattern": not_blank() })
        ),
        query(
            "tag",
            "Only leads with this tag, compared by Unicode lowercase.",
            json!({ "type": "string", "minLength": 1, "maxLength": MAX_TAG_CHARS, "pattern": not_blank() })
        ),
        query(
            "sort",
            "A field, with `-` in front for descending. Ties go by creation order; null scores come last.",
            json!({ "type": "string", "enum": sorts, "default": "-created_at" })
        ),
        query(
            "limit",
            "Leads per page.",
            json!({ "type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": leads_core::limits::DEFAULT_LIMIT })
        ),
        query(
            "page",
            "Which page, from 1. A page past the end is empty, with the true total.",
            json!({ "type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1 })
        ),
    ])
}

/// Answers every operation can give: sign-in, rate limit, and, in proxy
/// mode, the vendor's API failing.
fn add_shared_responses(operation: &mut Value) {
    let error = json!({ "$ref": "#/components/schemas/ApiErrorBody" });
    let answer = |description: String| json!({ "description": description, "content": { "application/json": { "schema": error.clone() } } });
    let takes_body = operation.get("requestBody").is_some();
    let responses = &mut operation["responses"];
    responses["401"] = answer("No key, or a key this server does not accept.".into());
    responses["429"] = answer(
        "Too many requests (only when a rate limit is set); `Retry-After` says when to try again."
            .into(),
    );
    responses["502"] = answer("Proxy mode: the vendor's API failed.".into());
    responses["504"] = answer("Proxy mode: the vendor's API did not answer in time.".into());
    responses["414"] = answer(format!("The URL is longer than {MAX_URI_BYTES} bytes."));
    responses["431"] = answer(format!(
        "The headers are larger than {MAX_HEADER_BYTES} bytes."
    ));
    if takes_body {
        responses["408"] = answer("The body arrived too slowly.".into());
        responses["413"] = answer(format!("The body is larger than {MAX_BODY_BYTES} bytes."));
        responses["415"] = answer("The body is not `application/json`.".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_white_space_in_patterns_is_rusts() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let listed = WHITESPACE.iter().any(|&(a, b)| (a..=b).contains(&c));
            assert_eq!(listed, c.is_whitespace(), "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn the_document_names_every_operation_and_the_rules_from_core() {
        let doc = document();
        assert!(doc["openapi"].as_str().unwrap_or("").starts_with("3.1"));
        for (path, method) in [
            ("/v1/leads", "get"),
            ("/v1/leads", "post"),
            ("/v1/leads/{id}", "get"),
            ("/v1/leads/{id}", "patch"),
        ] {
            assert!(doc["paths"][path][method].is_object(), "{method} {path}");
        }
        let schemas = &doc["components"]["schemas"];
        assert_eq!(
            string_part(&mut schemas["NewLead"]["properties"]["name"].clone())["maxLength"],
            json!(MAX_NAME_CHARS)
        );
        let params = &doc["paths"]["/v1/leads"]["get"]["parameters"];
        let sort = params
            .as_array()
            .and_then(|p| p.iter().find(|p| p["name"] == "sort"))
            .map(|p| p["schema"]["enum"].as_array().map(Vec::len));
        assert_eq!(sort, Some(Some(SortField::ALL.len() * 2)));
    }
}
