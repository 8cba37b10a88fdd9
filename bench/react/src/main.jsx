// make bench's React 19 reference: the console's list view as a React
// developer would write it (filters in the URL, a page of leads, each row
// with its status select saving by PATCH, tags, dates in the browser's
// locale, a pager), measured beside the console and the plain-JS floor.
import { StrictMode, useCallback, useEffect, useMemo, useState } from "react";
import { createRoot } from "react-dom/client";

const STATUSES = ["new", "contacted", "qualified", "converted"];
const SOURCES = ["call", "sms", "form", "facebook", "google"];
const SORTS = [["-created_at", "Newest first"], ["created_at", "Oldest first"],
  ["name", "Name A–Z"], ["-score", "Highest score"], ["status", "Pipeline order"]];
const label = (value) => value.charAt(0).toUpperCase() + value.slice(1);
const dates = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const times = new Intl.DateTimeFormat(undefined, { timeStyle: "short" });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

function ago(date) {
  const days = Math.round((date - Date.now()) / 86_400_000);
  return Math.abs(days) < 1 ? relative.format(Math.round((date - Date.now()) / 3_600_000), "hour")
    : relative.format(days, "day");
}

function useQuery() {
  const [query, setQuery] = useState(() => new URLSearchParams(location.search));
  useEffect(() => {
    const back = () => setQuery(new URLSearchParams(location.search));
    addEventListener("popstate", back);
    return () => removeEventListener("popstate", back);
  }, []);
  const change = useCallback((key, value) => {
    const next = new URLSearchParams(location.search);
    if (value) next.set(key, value); else next.delete(key);
    if (key !== "page") next.delete("page");
    history.pushState(null, "", `?${next}`);
    setQuery(next);
  }, []);
  return [query, change];
}

function StatusSelect({ lead, onSaved }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const save = async (event) => {
    const status = event.target.value;
    setBusy(true);
    setError(null);
    try {
      const response = await fetch(`/v1/leads/${encodeURIComponent(lead.id)}`, {
        method: "PATCH", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ status }),
      });
      if (!response.ok) throw new Error((await response.json()).error.message);
      onSaved({ ...lead, ...(await response.json()) });
    } catch (failure) {
      setError(failure.message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <td aria-busy={busy ? "true" : "false"}>
      <select aria-label={`Status for ${lead.name}`} value={lead.status} onChange={save}
        disabled={busy}>
        {STATUSES.map((status) => <option key={status} value={status}>{label(status)}</option>)}
      </select>
      {error && <p role="alert">{error}</p>}
    </td>
  );
}

function Row({ lead, onSaved, onTag }) {
  const created = new Date(lead.created_at);
  return (
    <tr data-lead-id={lead.id}>
      <td><input type="checkbox" aria-label={`Select ${lead.name}`} /></td>
      <th scope="row">{lead.name} <button type="button" aria-label={`Edit ${lead.name}`}>✎</button></th>
      <td>{lead.phone ? <a href={`tel:${lead.phone}`}>{lead.phone}</a> : "—"}</td>
      <td>{lead.email ? <a href={`mailto:${lead.email}`}>{lead.email}</a> : "—"}</td>
      <StatusSelect lead={lead} onSaved={onSaved} />
      <td>{SOURCES.includes(lead.source) ? label(lead.source) : lead.source}</td>
      <td>{lead.score ?? "—"}</td>
      <td>{lead.tags.map((tag) => (
        <button key={tag} type="button" aria-label={`Show leads tagged ${tag}`}
          onClick={() => onTag(tag)}>{tag}</button>
      ))}</td>
      <td><time dateTime={lead.created_at}>{dates.format(created)} {times.format(created)}</time>
        <small>{ago(created)}</small></td>
    </tr>
  );
}

function Leads() {
  const [query, change] = useQuery();
  const [page, setPage] = useState(null);
  const [error, setError] = useState(null);
  const key = query.toString();
  useEffect(() => {
    const stop = new AbortController();
    fetch(`/v1/leads?${key}`, { signal: stop.signal })
      .then((response) => response.json())
      .then((answer) => { setPage(answer); setError(null); })
      .catch((failure) => failure.name !== "AbortError" && setError(failure.message));
    return () => stop.abort();
  }, [key]);
  const saved = useCallback((lead) => setPage((shown) => ({
    ...shown, data: shown.data.map((row) => (row.id === lead.id ? lead : row)),
  })), []);
  const tag = useCallback((value) => change("tag", value), [change]);
  const pages = useMemo(() => page && Math.max(1, Math.ceil(page.meta.total / page.meta.limit)),
    [page]);
  const select = (id, name, options, all) => (
    <label>{name}
      <select id={id} value={query.get(id.replace("filter-", "")) ?? ""}
        onChange={(event) => change(id.replace("filter-", ""), event.target.value)}>
        {all && <option value="">{all}</option>}
        {options.map(([value, text]) => <option key={value} value={value}>{text}</option>)}
      </select>
    </label>
  );
  return (
    <section aria-labelledby="leads-heading">
      <header><h1 id="leads-heading">Leads</h1><button type="button">New lead</button></header>
      <form role="search" onSubmit={(event) => event.preventDefault()}>
        <label>Search leads
          <input type="search" defaultValue={query.get("q") ?? ""}
            onChange={(event) => change("q", event.target.value.trim())} />
        </label>
        {select("filter-status", "Status", STATUSES.map((s) => [s, label(s)]), "All statuses")}
        {select("filter-source", "Source", SOURCES.map((s) => [s, label(s)]), "All sources")}
        {select("filter-sort", "Sort by", SORTS)}
      </form>
      {error && <p role="alert">The leads could not be loaded: {error}</p>}
      {!page ? <p>Loading leads…</p> : (
        <>
          <table>
            <thead><tr><th /><th>Name</th><th>Phone</th><th>Email</th><th>Status</th>
              <th>Source</th><th>Score</th><th>Tags</th><th>Created</th></tr></thead>
            <tbody>{page.data.map((lead) => (
              <Row key={lead.id} lead={lead} onSaved={saved} onTag={tag} />
            ))}</tbody>
          </table>
          <nav aria-label="Pages">
            <button type="button" disabled={page.meta.page <= 1}
              onClick={() => change("page", String(page.meta.page - 1))}>Previous</button>
            <span>Page {page.meta.page} of {pages}</span>
            <button type="button" disabled={page.meta.page >= pages}
              onClick={() => change("page", String(page.meta.page + 1))}>Next</button>
          </nav>
        </>
      )}
    </section>
  );
}

createRoot(document.getElementById("root")).render(<StrictMode><Leads /></StrictMode>);
