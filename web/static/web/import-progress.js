// Keeps an import run's page (imports/import_detail.html) up to date while the run is going: every 2 seconds it
// reads GET /api/v1/imports/<id>/ (the box's data-poll-url) and writes the state, the progress, the totals and
// the errors into the page, until the run has finished. The state tags come from the json_script block
// "import-tags". Without JavaScript the page refreshes itself instead (a <noscript> meta refresh).
(function () {
  "use strict";
  var box = document.getElementById("import-run");
  var tagsBlock = document.getElementById("import-tags");
  if (!box || !tagsBlock) { return; }
  var tags = JSON.parse(tagsBlock.textContent);
  var dryRun = box.getAttribute("data-dry-run") === "true";
  var finished = ["succeeded", "failed"];
  function text(id, value) { document.getElementById(id).textContent = value === null || value === undefined ? "?" : value; }
  function show(id, visible) { document.getElementById(id).hidden = !visible; }
  function update(run) {
    var tag = (dryRun && tags.dry[run.state]) || tags.all[run.state] || [run.state, "grey"];
    var state = document.getElementById("run-state");
    state.textContent = tag[0];
    state.className = "govuk-tag govuk-tag--" + tag[1];
    var progress = document.getElementById("run-progress");
    progress.value = run.progress_percent;
    progress.textContent = run.progress_percent + "%";
    text("run-percent", run.progress_percent);
    text("run-processed", run.rows_processed);
    text("run-total", run.rows_total);
    text("run-created", run.created);
    text("run-updated", run.updated);
    text("run-unchanged", run.unchanged);
    text("run-error-count", run.error_count);
    var done = finished.indexOf(run.state) !== -1;
    show("outcome-running", !done);
    show("outcome-succeeded", run.state === "succeeded" && !dryRun);
    show("outcome-checked", run.state === "succeeded" && dryRun);
    show("outcome-failed", run.state === "failed");
    var list = document.getElementById("run-errors");
    list.replaceChildren.apply(list, (run.errors || []).map(function (error) {
      var item = document.createElement("li");
      item.textContent = error;
      return item;
    }));
    text("errors-kept", (run.errors || []).length);
    text("errors-total", run.error_count);
    show("errors-shown", run.error_count > (run.errors || []).length);
    return done;
  }
  function poll() {
    fetch(box.getAttribute("data-poll-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (run) {
        if (!update(run)) { window.setTimeout(poll, 2000); }
      })
      .catch(function () {
        document.querySelector("#outcome-running p").textContent = "The progress could not be fetched. Refresh the page to see how the import is going.";
      });
  }
  window.setTimeout(poll, 2000);
})();
