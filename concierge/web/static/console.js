// Staff console: the queue updates live over server-sent events; a conversation shows a banner on news.
(function () {
  "use strict";
  function watch(el) {
    var source = new EventSource(el.dataset.live);
    var first = true;
    source.addEventListener("signed-out", function () { source.close(); }); // the session ended: no reconnecting
    source.addEventListener("change", function () {
      if (first) { first = false; return; } // the first event describes the page as rendered
      if (el.dataset.reload) {
        // A conversation page is never reloaded under the user's hands (half-typed replies, clicks in flight).
        el.textContent = (el.dataset.news || "New activity in this conversation.") + " ";
        var link = document.createElement("a");
        link.href = "";
        link.textContent = el.dataset.reloadLabel || "Reload";
        el.appendChild(link);
        el.className = "ok";
        return;
      }
      fetch(el.dataset.refresh, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) { el.innerHTML = html; })
        .catch(function () { /* the next event retries */ });
    });
  }
  document.querySelectorAll("[data-live]").forEach(watch);
  var canned = document.getElementById("canned");
  var body = document.getElementById("reply-body");
  if (canned && body) {
    canned.addEventListener("change", function () { if (canned.value) body.value = canned.value; });
  }
})();
