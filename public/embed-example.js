// The portal listens to what the console tells it, as a real portal would
// (to refresh a badge, say): every event bubbles out of the shadow root.
const log = document.getElementById("portal-events");
for (const name of ["leads-console:lead-created", "leads-console:lead-updated", "leads-console:unauthorized"]) {
  document.addEventListener(name, (event) => {
    const item = document.createElement("li");
    item.textContent = `${name.replace("leads-console:", "")} ${JSON.stringify(event.detail)}`;
    log.prepend(item);
  });
}
