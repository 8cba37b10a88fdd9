//! Accessible names as the browser computes them, and axe-core's check.

use super::*;

impl Harness {
    /// The accessible name Chromium computes for `element`: what a screen
    /// reader announces, CSS-generated text included.
    pub async fn accessible_name(&self, element: &Element) -> String {
        let label = self
            .browser
            .issue_cmd(DriverCommand::computed_label(element))
            .await
            .expect("read the computed label");
        label.as_str().unwrap_or_default().to_owned()
    }

    /// What axe-core (installed by `make setup-test`) finds wrong with the
    /// page as it is now: one line per rule broken, with the elements.
    pub async fn axe_violations(&self) -> Vec<String> {
        let path = repo_path(".tools/node_modules/axe-core/axe.min.js");
        let axe = std::fs::read_to_string(&path)
            .unwrap_or_else(|err| panic!("{}: {err}; run `make setup-test`", path.display()));
        self.js(&axe).await;
        let found = self
            .browser
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document).then(
                   r => done(r.violations.map(v => v.id + ': ' + v.help + ' at ' +
                                                   v.nodes.map(n => n.target.join(' ')).join(', '))),
                   e => done(['axe failed: ' + e]));",
                vec![],
            )
            .await
            .unwrap_or_else(|err| panic!("run axe: {err}"));
        found
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .collect()
    }
}
