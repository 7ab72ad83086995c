// Keeps a subject access bundle's page (subject_access/export.html) up to date while the bundle is being built:
// every 2 seconds it reads the page's progress address (the box's data-poll-url) and moves the progress bar and
// the status on; once the build has finished it reloads the page, which then shows the flags and the download
// (or the error). Without JavaScript the page refreshes itself instead (a <noscript> meta refresh).
(function () {
  "use strict";
  var box = document.getElementById("subject-access-export");
  if (!box || box.getAttribute("data-finished") === "true") { return; }
  function text(id, value) { document.getElementById(id).textContent = value; }
  function update(progress) {
    document.getElementById("export-status").textContent = progress.status_label;
    var bar = document.getElementById("export-progress");
    bar.value = progress.percent;
    bar.textContent = progress.percent + "%";
    text("export-percent", progress.percent);
    text("export-steps-done", progress.steps_done);
    text("export-steps-total", progress.steps_total);
    return progress.finished;
  }
  function poll() {
    fetch(box.getAttribute("data-poll-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (progress) {
        if (update(progress)) { window.location.reload(); } else { window.setTimeout(poll, 2000); }
      })
      .catch(function () {
        document.querySelector("#outcome-running p").textContent = "The progress could not be fetched. Refresh the page to see how the bundle is going.";
      });
  }
  window.setTimeout(poll, 2000);
})();
