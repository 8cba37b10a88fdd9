// Runs first on every page the browser tests open, in every engine: notes
// each uncaught error, unhandled rejection, Content-Security-Policy
// violation and `console.error` or `console.warn` call, for the harness to
// read back (`Harness::page_failures`). Notes go to sessionStorage, so a
// reload or another page of the same origin keeps them until read.
(() => {
  const KEY = "leads-test:page-errors";
  const note = (kind, message) => {
    const entry = { kind, message: String(message) };
    try {
      const notes = JSON.parse(sessionStorage.getItem(KEY) || "[]");
      notes.push(entry);
      sessionStorage.setItem(KEY, JSON.stringify(notes));
    } catch (_) {
      (window.__leadsTestErrors = window.__leadsTestErrors || []).push(entry);
    }
  };
  const describe = (value) =>
    value instanceof Error ? `${value.name}: ${value.message}` : String(value);
  // Script errors only: a failed load fires a plain Event, which is the
  // server's answer, not the page breaking.
  addEventListener("error", (e) => {
    if (e instanceof ErrorEvent) note("error", e.error ? describe(e.error) : e.message);
  });
  addEventListener("unhandledrejection", (e) => note("error", describe(e.reason)));
  document.addEventListener("securitypolicyviolation", (e) =>
    note("error", `CSP blocked ${e.blockedURI} (${e.violatedDirective})`),
  );
  for (const [level, kind] of [["error", "error"], ["warn", "warning"]]) {
    const real = console[level];
    console[level] = function (...args) {
      note(kind, args.map(describe).join(" "));
      return real.apply(this, args);
    };
  }
})();
