// Staff console: live updates over server-sent events, canned replies into the reply box.
(function () {
  "use strict";
  function watch(el) {
    var source = new EventSource(el.dataset.live);
    var first = true;
    source.addEventListener("change", function () {
      if (first) { first = false; return; } // the first event describes the page as rendered
      if (el.dataset.reload) {
        var typing = document.getElementById("reply-body");
        if (typing && typing.value) { el.textContent = "New activity: reload the page to see it."; el.className = "ok"; return; }
        window.location.reload();
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
