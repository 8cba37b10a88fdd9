// The plain list page: fetch a page of leads, build the rows, and again
// whenever the Status select changes. What any console has to do at least.
const body = document.querySelector("tbody");
const status = document.getElementById("status");

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text ?? "—";
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
    tr.append(cell(lead.name), cell(lead.phone), cell(lead.email), cell(lead.status),
      cell(lead.source), cell(lead.score), cell(lead.tags.join(", ")),
      cell(new Date(lead.created_at).toLocaleString()));
    return tr;
  });
  body.replaceChildren(...rows);
}

status.value = new URLSearchParams(location.search).get("status") ?? "";
status.addEventListener("change", show);
show();
