//! Leads as a CSV file a spreadsheet opens right: RFC 4180 quoting, UTF-8
//! with a byte order mark (so accents and emoji survive), tags joined with
//! `;`, and no cell a spreadsheet would run as a formula: one starting with
//! `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, as
//! OWASP advises for CSV injection.

use leads_core::field::LeadField;
use leads_core::{ListQuery, PartialLead};

/// The whole file, byte order mark first, every line ending in CRLF.
pub fn file(leads: &[PartialLead]) -> String {
    let mut out = String::from('\u{feff}');
    // The header row: the API's field names, in its order.
    push_row(&mut out, LeadField::ALL.map(|f| f.as_str().to_owned()));
    for lead in leads {
        push_row(&mut out, row(lead));
    }
    out
}

/// A lead's cells, in [`LeadField::ALL`] order; what it does not say is
/// empty.
fn row(lead: &PartialLead) -> [String; 10] {
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let maybe = |value: &Option<Option<String>>| value.clone().flatten().unwrap_or_default();
    [
        lead.id.clone(),
        text(&lead.name),
        maybe(&lead.phone),
        maybe(&lead.email),
        lead.status
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        text(&lead.source),
        lead.score
            .flatten()
            .map(|s| s.to_string())
            .unwrap_or_default(),
        lead.tags.as_ref().map(|t| t.join(";")).unwrap_or_default(),
        text(&lead.created_at),
        text(&lead.updated_at),
    ]
}

fn push_row(out: &mut String, cells: impl IntoIterator<Item = String>) {
    for (i, value) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&cell(&value));
    }
    out.push_str("\r\n");
}

/// One cell: guarded against formulas, then quoted when it holds a comma,
/// a quote or a line break (quotes doubled).
pub fn cell(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// A name that says what the file holds, e.g.
/// `leads-status-converted-2026-11-26.csv`.
pub fn file_name(query: &ListQuery, date: &str) -> String {
    let mut name = String::from("leads");
    if let Some(status) = query.status {
        name.push_str("-status-");
        name.push_str(status.as_str());
    }
    if let Some(source) = query.source {
        name.push_str("-source-");
        name.push_str(source.as_str());
    }
    for (label, text) in [("search", &query.q), ("tag", &query.tag)] {
        if let Some(text) = text {
            name.push('-');
            name.push_str(label);
            let slug = slug(text);
            if !slug.is_empty() {
                name.push('-');
                name.push_str(&slug);
            }
        }
    }
    format!("{name}-{date}.csv")
}

/// What typed text can put into a file name: its folded ASCII letters and
/// digits in runs joined by `-`, at most 24 of them, so no separator, dot
/// or control character from a search ever reaches the name.
fn slug(text: &str) -> String {
    let folded = leads_core::search::fold(text);
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let mut slug = words.join("-");
    slug.truncate(24);
    slug.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use leads_core::{Channel, LeadStatus};

    #[test]
    fn quoting_follows_rfc_4180() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell(""), "");
    }

    #[test]
    fn cells_a_spreadsheet_would_run_are_defused() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("+15551234567"), "'+15551234567");
        assert_eq!(cell("-2"), "'-2");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\tx"), "'\tx");
        assert_eq!(cell("\rx"), "\"'\rx\"");
        assert_eq!(cell("a=b"), "a=b", "only a leading sign matters");
    }

    #[test]
    fn the_file_has_a_bom_a_header_and_one_crlf_line_per_lead() {
        let lead = PartialLead {
            id: "lead_1".into(),
            name: Some("José, \"Pepe\" 🌶".into()),
            phone: Some(None),
            status: Some(LeadStatus::Converted),
            tags: Some(vec!["vip".into(), "call-back".into()]),
            score: Some(Some(80)),
            ..PartialLead::default()
        };
        let text = file(&[lead]);
        assert_eq!(
            text,
            "\u{feff}id,name,phone,email,status,source,score,tags,created_at,updated_at\r\n\
             lead_1,\"José, \"\"Pepe\"\" 🌶\",,,converted,,80,vip;call-back,,\r\n"
        );
    }

    #[test]
    fn the_name_says_which_leads_and_when() {
        let all = ListQuery::default();
        assert_eq!(file_name(&all, "2026-11-26"), "leads-2026-11-26.csv");
        let converted = all
            .with_status(Some(LeadStatus::Converted))
            .with_source(Some(Channel::Call));
        assert_eq!(
            file_name(&converted, "2026-11-26"),
            "leads-status-converted-source-call-2026-11-26.csv"
        );
        let searched = ListQuery::default()
            .with_q("José ../Núñez")
            .with_tag(Some("VIP \\ 2".into()));
        assert_eq!(
            file_name(&searched, "2026-11-26"),
            "leads-search-jose-nunez-tag-vip-2-2026-11-26.csv"
        );
        let unreadable = ListQuery::default().with_q("李小龍");
        assert_eq!(
            file_name(&unreadable, "2026-11-26"),
            "leads-search-2026-11-26.csv"
        );
    }
}
