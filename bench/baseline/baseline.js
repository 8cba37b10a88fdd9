// The plain list page: fetch a page of leads, build the rows, and again
// whenever the Status select changes; each row's own status select saves
// with a PATCH. What any console has to do at least.
const body = document.querySelector("tbody");
const status = document.getElementById("status");
const STATUSES = ["new", "contacted", "qualified", "converted"];

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text ?? "—";
  return td;
}

function statusCell(lead, tr) {
  const td = document.createElement("td");
  const select = document.createElement("select");
  select.setAttribute("aria-label", `Status for ${lead.name}`);
  for (const value of STATUSES) select.add(new Option(value, value));
  select.value = lead.status;
  select.addEventListener("change", async () => {
    tr.setAttribute("aria-busy", "true");
    const response = await fetch(`/v1/leads/${encodeURIComponent(lead.id)}`, {
      method: "PATCH",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ status: select.value }),
    });
    select.value = (await response.json()).status;
    tr.setAttribute("aria-busy", "false");
  });
  td.append(select);
  return td;
}

async function show() {
  const query = new URLSearchParams(location.search);
  if (status.value) query.set("status", status.value); else query.delete("status");
  const response = await fetch(`/v1/leads?${query}`);
  const page = await response.json();
  const rows = page.data.map((lead) => {
    const tr = document.createElement("tr");
    tr.dataset.leadId = lead.id;
    tr.append(cell(lead.name), cell(lead.phone), cell(lead.email), statusCell(lead, tr),
      cell(lead.source), cell(lead.score), cell(lead.tags.join(", ")),
      cell(new Date(lead.created_at).toLocaleString()));
    return tr;
  });
  body.replaceChildren(...rows);
}

status.value = new URLSearchParams(location.search).get("status") ?? "";
status.addEventListener("change", show);
show();
