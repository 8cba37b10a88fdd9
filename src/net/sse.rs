//! Reading Server-Sent Events from the bytes of a `fetch` body: an
//! `EventSource` cannot send the `Authorization` header, and the key must
//! never go in a URL, so the console reads `/v1/events` itself.

use leads_core::event::{keep_alive_of, names, LeadUpdated};
use leads_core::PartialLead;

/// One block of the stream, as far as the console cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A named event with its data and id.
    Event {
        name: String,
        data: String,
        id: Option<String>,
    },
    /// A block with only an `id:`: the stream's position, to resume from.
    Position(String),
    /// The comment that says how often keep-alives come, in milliseconds.
    KeepAlive(u64),
}

/// Turns chunks of bytes into [`Message`]s. Lines may be split across
/// chunks anywhere, even inside a character; a line is read only once it
/// is whole.
#[derive(Debug, Default)]
pub struct Parser {
    pending: Vec<u8>,
    event: String,
    data: Option<String>,
    id: Option<String>,
}

impl Parser {
    /// The messages completed by `bytes`.
    ///
    /// ```
    /// use leads_console::net::sse::{Message, Parser};
    /// let mut parser = Parser::default();
    /// assert!(parser.feed(b"event: lead.created\nid: 7\ndata: {}").is_empty());
    /// assert_eq!(
    ///     parser.feed(b"\n\n"),
    ///     [Message::Event { name: "lead.created".into(), data: "{}".into(), id: Some("7".into()) }]
    /// );
    /// ```
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Message> {
        self.pending.extend_from_slice(bytes);
        let mut messages = Vec::new();
        while let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line[..end]);
            let line = line.strip_suffix('\r').unwrap_or(&line);
            if let Some(message) = self.line(line) {
                messages.push(message);
            }
        }
        messages
    }

    fn line(&mut self, line: &str) -> Option<Message> {
        if line.is_empty() {
            return self.dispatch();
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => value.clone_into(&mut self.event),
            "data" => match &mut self.data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => self.data = Some(value.to_owned()),
            },
            "id" if !value.contains('\0') => self.id = Some(value.to_owned()),
            "" => return keep_alive_of(value).map(Message::KeepAlive),
            // Comments (keep-alives) and fields the console does not use.
            _ => {}
        }
        None
    }

    fn dispatch(&mut self) -> Option<Message> {
        let name = std::mem::take(&mut self.event);
        let data = self.data.take();
        let id = self.id.take();
        match (data, id) {
            (Some(data), id) => Some(Message::Event {
                name: if name.is_empty() {
                    "message".to_owned()
                } else {
                    name
                },
                data,
                id,
            }),
            (None, Some(id)) => Some(Message::Position(id)),
            (None, None) => None,
        }
    }
}

/// What an event means to the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveEvent {
    /// A lead was created, here, by a colleague or by the vendor's webhook.
    Created(PartialLead),
    /// A lead changed.
    Updated(LeadUpdated),
    /// The server no longer has what was missed: reload the view.
    Reset,
}

impl LiveEvent {
    /// The event a named message carries; `None` for names the console
    /// does not know and data it cannot read, which it skips.
    pub fn from_message(name: &str, data: &str) -> Option<LiveEvent> {
        match name {
            names::LEAD_CREATED => crate::net::json::parse(data).map(Self::Created),
            names::LEAD_UPDATED => crate::net::json::parse(data).map(Self::Updated),
            names::RESET => Some(Self::Reset),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(name: &str, data: &str, id: Option<&str>) -> Message {
        Message::Event {
            name: name.into(),
            data: data.into(),
            id: id.map(Into::into),
        }
    }

    #[test]
    fn blocks_split_anywhere_are_read_whole() {
        let stream = ": keep-alive-ms 60000\n\nid: 41\n: live\n\n: keep-alive\n\nevent: lead.updated\r\nid: 42\r\ndata: {\"id\":\"é\"}\r\n\r\nevent: reset\ndata: {}\nid: 43\n\n";
        let bytes = stream.as_bytes();
        let whole = Parser::default().feed(bytes);
        assert_eq!(
            whole,
            [
                Message::KeepAlive(60_000),
                Message::Position("41".into()),
                event("lead.updated", "{\"id\":\"é\"}", Some("42")),
                event("reset", "{}", Some("43")),
            ]
        );
        for size in 1..8 {
            let mut parser = Parser::default();
            let pieces: Vec<Message> = bytes
                .chunks(size)
                .flat_map(|chunk| parser.feed(chunk))
                .collect();
            assert_eq!(pieces, whole, "in chunks of {size}");
        }
    }

    #[test]
    fn data_lines_join_and_unnamed_events_are_messages() {
        let got = Parser::default().feed(b"data: a\ndata:b\n\n");
        assert_eq!(got, [event("message", "a\nb", None)]);
    }

    #[test]
    fn events_are_read_or_skipped() {
        assert_eq!(
            LiveEvent::from_message("reset", "{}"),
            Some(LiveEvent::Reset)
        );
        let created = LiveEvent::from_message("lead.created", r#"{"id":"a","name":"Ann"}"#);
        assert!(
            matches!(created, Some(LiveEvent::Created(lead)) if lead.name.as_deref() == Some("Ann"))
        );
        let updated = LiveEvent::from_message(
            "lead.updated",
            r#"{"id":"a","fields":["tags"],"lead":{"id":"a"}}"#,
        );
        assert!(matches!(updated, Some(LiveEvent::Updated(u)) if u.fields == ["tags"]));
        assert_eq!(LiveEvent::from_message("lead.created", "{oops"), None);
        assert_eq!(LiveEvent::from_message("lead.deleted", "{}"), None);
    }
}
