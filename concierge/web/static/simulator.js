// Progressive enhancement: pick without a button, send without reloading and poll for the concierge's reply.
// (No inline script or handler anywhere: the Content-Security-Policy allows scripts from /static only.)
(function () {
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", function () { select.form.submit(); });
  }
})();
(function () {
  const chat = document.getElementById("chat");
  if (!chat) return;
  const list = document.getElementById("transcript");
  const status = document.getElementById("status");
  const form = document.getElementById("composer");
  const input = document.getElementById("body");
  const query = chat.dataset.query;
  let shown = list.children.length;
  let waiting = false;

  function render(messages) {
    for (const m of messages.slice(shown)) {
      const li = document.createElement("li");
      li.className = m.author;
      const who = document.createElement("span");
      who.className = "who";
      who.textContent = m.author;
      const body = document.createElement("span");
      body.className = "body";
      body.textContent = m.body;
      li.append(who, body);
      list.append(li);
      if (m.author !== "guest") { waiting = false; status.textContent = ""; }
    }
    shown = messages.length;
    list.lastElementChild && list.lastElementChild.scrollIntoView({block: "end"});
  }

  async function poll() {
    try {
      const res = await fetch("/simulator/messages?" + query, {headers: {accept: "application/json"}});
      if (res.ok) render(await res.json());
    } catch (e) { status.textContent = "Connection lost, retrying…"; }
    setTimeout(poll, waiting ? 400 : 2000);
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    const data = new FormData(form);
    input.value = "";
    waiting = true;
    status.textContent = "The concierge is typing…";
    const res = await fetch(form.action, {method: "POST", body: new URLSearchParams(data), headers: {accept: "application/json"}});
    if (!res.ok) { status.textContent = "Could not send (" + res.status + ")."; waiting = false; }
  });
  poll();
})();
