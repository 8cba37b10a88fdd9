//! The keyboard and the focus: real key presses, and where the focus is.

use super::page::is_stale;
use super::*;

impl Harness {
    /// The `id` of the element that has focus.
    pub async fn focused_id(&self) -> String {
        self.js("const e = focused(); return e ? e.id : ''")
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Types `text` (keys included) into `element` as a person would: it
    /// takes the focus unless it has it, then real key presses. WebDriver's
    /// own send-keys first blurs the page's active element, which for a
    /// control in a shadow root is the host, and so fires blur checks no
    /// person's typing does.
    pub async fn keys(&self, element: &Element, text: &str) {
        let element = serde_json::to_value(element).expect("an element reference");
        self.browser
            .execute(
                &format!("{PAGE_HELPERS} const e = arguments[0]; if (focused() !== e) e.focus();"),
                vec![element],
            )
            .await
            .unwrap_or_else(|err| panic!("focus before typing: {err}"));
        self.press(text).await;
    }

    /// Presses each key of `keys` in turn, as a person at a keyboard does:
    /// real key events to whatever has focus (use [`key`] for Tab, Enter,
    /// Escape and the arrows).
    pub async fn press(&self, keys: &str) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let mut actions = KeyActions::new("keyboard".to_owned());
        for value in keys.chars() {
            actions = actions
                .then(KeyAction::Down { value })
                .then(KeyAction::Up { value });
        }
        self.browser
            .perform_actions(actions)
            .await
            .expect("press keys");
    }

    /// Presses `key` with Shift held, as in Shift+Tab.
    pub async fn press_shifted(&self, key: fantoccini::key::Key) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let (shift, value) = (char::from(fantoccini::key::Key::Shift), char::from(key));
        let actions = KeyActions::new("keyboard".to_owned())
            .then(KeyAction::Down { value: shift })
            .then(KeyAction::Down { value })
            .then(KeyAction::Up { value })
            .then(KeyAction::Up { value: shift });
        self.browser
            .perform_actions(actions)
            .await
            .expect("press a shifted key");
    }

    /// The focused element's accessible name as Chromium computes it, and
    /// whether it shows a focus ring (an outline or a box shadow drawn
    /// because it matches `:focus-visible`).
    pub async fn focus(&self) -> (String, bool) {
        let polled = wait::poll(|| self.try_focus(), Option::is_some).await;
        polled
            .last
            .expect("the focused element kept leaving the page before its name was read")
    }

    /// [`Harness::focus`], or `None` when the focused element left the page
    /// between finding it and reading its name (the focus was moving: a
    /// row editor closing, say), so the caller asks again.
    pub(super) async fn try_focus(&self) -> Option<(String, bool)> {
        let element = match self.try_elements("return [focused()];", vec![]).await {
            Ok(found) => found.into_iter().next().expect("something has focus"),
            Err(err) if is_stale(&err) => return None,
            Err(err) => panic!("find the focused element: {err}"),
        };
        let label = self
            .browser
            .issue_cmd(DriverCommand::computed_label(&element))
            .await;
        let name = match label {
            Ok(label) => label.as_str().unwrap_or_default().to_owned(),
            Err(err) if is_stale(&err) => return None,
            Err(err) => panic!("read the computed label: {err}"),
        };
        let ring = self
            .js("const e = focused(); const s = getComputedStyle(e); \
                 return e.matches(':focus-visible') && \
                   ((s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none');")
            .await
            .as_bool()
            .unwrap_or(false);
        Some((name, ring))
    }

    /// Waits until the focused element's accessible name (as Chromium
    /// computes it) is `name`; returns the last one seen.
    pub async fn wait_for_focus(&self, name: &str) -> String {
        let read = || async { self.focus().await.0 };
        wait::poll(read, |focused| focused == name).await.last
    }
}
