//! Deterministic demo leads that look like a real small business's pipeline:
//! the same count and start time always give the same leads.

use leads_core::{Channel, Lead, LeadStatus};
use time::{Duration, OffsetDateTime};

use crate::time::format;

/// Fixed so that every demo database tells the same story.
const SEED: u64 = 0x1EAD_5EED;
/// How far back the demo history reaches.
const HISTORY_DAYS: i64 = 90;

const FIRST_NAMES: [&str; 40] = [
    "Jane", "John", "Maria", "Ahmed", "Priya", "Carlos", "Emily", "Liam", "Sofia", "Noah",
    "Olivia", "Mateo", "Aisha", "Ethan", "Chloe", "Lucas", "Mia", "Daniel", "Zoe", "Hiroshi",
    "Fatima", "Grace", "Owen", "Isabella", "Kwame", "Hannah", "Diego", "Amara", "Ryan", "Leah",
    "Tomás", "Nina", "Samuel", "Ava", "Ravi", "Elena", "Marcus", "Yara", "Peter", "Chen",
];
const LAST_NAMES: [&str; 40] = [
    "Smith",
    "Doe",
    "Garcia",
    "Khan",
    "Patel",
    "Rodriguez",
    "Johnson",
    "Nguyen",
    "Rossi",
    "Brown",
    "Williams",
    "Lopez",
    "Okafor",
    "Miller",
    "Martin",
    "Silva",
    "Anderson",
    "Kim",
    "Taylor",
    "Tanaka",
    "Hassan",
    "O'Brien",
    "Davies",
    "Moreno",
    "Mensah",
    "Schmidt",
    "Fernández",
    "Adeyemi",
    "Walsh",
    "Cohen",
    "Novak",
    "Ivanova",
    "Clarke",
    "Wright",
    "Sharma",
    "Popescu",
    "Hughes",
    "Haddad",
    "Larsen",
    "Wang",
];
const EMAIL_DOMAINS: [&str; 6] = [
    "example.com",
    "mail.example.org",
    "example.net",
    "inbox.example.com",
    "example.co.uk",
    "corp.example.com",
];
const TAGS: [&str; 12] = [
    "high-intent",
    "dental-cleaning",
    "hvac-repair",
    "callback-requested",
    "roof-inspection",
    "emergency",
    "quote-sent",
    "returning-customer",
    "weekend-only",
    "spanish-speaking",
    "financing",
    "vip",
];

/// Builds `count` demo leads, oldest first, all created within the
/// [`HISTORY_DAYS`] before `now` and never after it.
pub fn demo_leads(count: u32, now: OffsetDateTime) -> Vec<Lead> {
    let mut rng = fastrand::Rng::with_seed(SEED);
    let history = Duration::days(HISTORY_DAYS).whole_seconds();
    let mut ages: Vec<i64> = (0..count).map(|_| rng.i64(0..history)).collect();
    ages.sort_unstable_by(|a, b| b.cmp(a));
    ages.into_iter()
        .map(|age| {
            let created = now - Duration::seconds(age);
            demo_lead(&mut rng, created, now)
        })
        .collect()
}

/// A lead captured just now, as the call simulator announces it: new, with
/// the same names, numbers and channels as the demo history.
pub fn arriving_lead(rng: &mut fastrand::Rng, now: OffsetDateTime) -> Lead {
    let mut lead = demo_lead(rng, now, now);
    lead.status = LeadStatus::New;
    lead.updated_at.clone_from(&lead.created_at);
    lead
}

fn demo_lead(rng: &mut fastrand::Rng, created: OffsetDateTime, now: OffsetDateTime) -> Lead {
    let first = FIRST_NAMES[rng.usize(..FIRST_NAMES.len())];
    let last = LAST_NAMES[rng.usize(..LAST_NAMES.len())];
    let channel = Channel::ALL[rng.usize(..Channel::ALL.len())];
    let status = match rng.u8(0..100) {
        0..=39 => LeadStatus::New,
        40..=64 => LeadStatus::Contacted,
        65..=84 => LeadStatus::Qualified,
        _ => LeadStatus::Converted,
    };
    // Calls and texts always leave a number; forms and ads usually an email.
    let has_phone = matches!(channel, Channel::Call | Channel::Sms) || rng.u8(0..100) < 70;
    let has_email = !matches!(channel, Channel::Call | Channel::Sms) || rng.u8(0..100) < 45;
    let phone = has_phone.then(|| format!("+1555{:07}", rng.u32(0..10_000_000)));
    let email = has_email.then(|| {
        format!(
            "{}.{}@{}",
            ascii_slug(first),
            ascii_slug(last),
            EMAIL_DOMAINS[rng.usize(..EMAIL_DOMAINS.len())]
        )
    });
    let score = (rng.u8(0..100) >= 8).then(|| rng.u8(5..=99));
    let mut tags: Vec<String> = Vec::new();
    for _ in 0..rng.usize(0..=3) {
        let tag = TAGS[rng.usize(..TAGS.len())];
        if !tags.iter().any(|t| t == tag) {
            tags.push(tag.to_owned());
        }
    }
    let updated = if status == LeadStatus::New {
        created
    } else {
        (created + Duration::minutes(rng.i64(5..7 * 24 * 60))).min(now)
    };
    Lead {
        id: String::new(),
        name: format!("{first} {last}"),
        phone,
        email,
        status,
        source: channel.as_str().to_owned(),
        score,
        tags,
        created_at: format(created),
        updated_at: format(updated),
    }
}

/// Lowercase ASCII letters only, for the local part of a demo email.
fn ascii_slug(name: &str) -> String {
    name.chars()
        .filter_map(|c| match c {
            'á' => Some('a'),
            'é' => Some('e'),
            _ if c.is_ascii_alphabetic() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use leads_core::validate;

    fn now() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_780_000_000).unwrap()
    }

    #[test]
    fn demo_leads_are_deterministic() {
        assert_eq!(demo_leads(50, now()), demo_leads(50, now()));
    }

    #[test]
    fn demo_leads_are_valid_varied_and_never_in_the_future() {
        let leads = demo_leads(250, now());
        let now_text = format(now());
        let oldest = format(now() - Duration::days(HISTORY_DAYS));
        for lead in &leads {
            assert!(validate::name(&lead.name).is_ok());
            assert!(
                lead.phone
                    .as_deref()
                    .is_none_or(|p| validate::phone(p).is_ok()),
                "{lead:?}"
            );
            assert!(
                lead.email
                    .as_deref()
                    .is_none_or(|e| validate::email(e).is_ok()),
                "{lead:?}"
            );
            assert!(lead.phone.as_deref().is_none_or(|p| p.starts_with("+1555")));
            assert!(lead.created_at <= now_text && lead.created_at >= oldest);
            assert!(lead.updated_at >= lead.created_at && lead.updated_at <= now_text);
            assert_eq!(validate::tags(&lead.tags).unwrap(), lead.tags);
        }
        for status in LeadStatus::ALL {
            assert!(leads.iter().any(|l| l.status == status), "{status}");
        }
        for channel in Channel::ALL {
            assert!(
                leads.iter().any(|l| l.source == channel.as_str()),
                "{channel}"
            );
        }
        assert!(leads.iter().any(|l| l.score.is_none()));
        assert!(leads
            .iter()
            .any(|l| l.tags.iter().any(|t| t == "high-intent")));
        assert!(leads.windows(2).all(|w| w[0].created_at <= w[1].created_at));
    }
}
