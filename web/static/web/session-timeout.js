// The timeout warning (includes_session_timeout.html): opens the dialog shortly before the session ends unused,
// counts down, and either keeps the session alive ("Stay signed in") or, at the end, goes to the sign-in page,
// where the server has already ended the session and says why.
(function () {
  "use strict";
  var dialog = document.getElementById("session-timeout");
  if (!dialog || typeof dialog.showModal !== "function") {
    return;
  }
  var warnSeconds = parseInt(dialog.dataset.warnSeconds, 10);
  var countdown = dialog.querySelector("[data-countdown]");
  var endsAt = 0;
  var timer = null;

  function describe(seconds) {
    if (seconds > 60) {
      var minutes = Math.ceil(seconds / 60);
      return minutes + " minutes";
    }
    return seconds + (seconds === 1 ? " second" : " seconds");
  }

  function tick() {
    var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    if (left <= 0) {
      window.location.assign(dialog.dataset.signedOutUrl);
      return;
    }
    if (left <= warnSeconds) {
      // Say it to screen readers once a minute (and in the last 20 seconds), not every second.
      var text = describe(left);
      if (countdown.textContent !== text && (left % 60 === 0 || left <= 20 || !dialog.open)) {
        countdown.textContent = text;
      }
      if (!dialog.open) {
        dialog.showModal();
        dialog.querySelector("[data-stay-signed-in]").focus();
      }
    }
    timer = window.setTimeout(tick, 1000);
  }

  function start(secondsLeft) {
    endsAt = Date.now() + secondsLeft * 1000;
    window.clearTimeout(timer);
    tick();
  }

  dialog.querySelector("[data-stay-signed-in]").addEventListener("click", function () {
    var token = dialog.querySelector("input[name=csrfmiddlewaretoken]").value;
    fetch(dialog.dataset.keepAliveUrl, {
      method: "POST",
      headers: { "X-CSRFToken": token, Accept: "application/json" },
      credentials: "same-origin",
      redirect: "manual",
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("signed out");
        }
        return response.json();
      })
      .then(function (body) {
        dialog.close();
        start(body.seconds_left);
      })
      .catch(function () {
        window.location.assign(dialog.dataset.signedOutUrl);
      });
  });
  // Escape closes a modal dialog without a choice: treat it as "stay signed in", the safe reading of a keypress.
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault();
    dialog.querySelector("[data-stay-signed-in]").click();
  });

  start(parseInt(dialog.dataset.secondsLeft, 10));
})();
