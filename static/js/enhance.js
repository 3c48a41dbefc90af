// Small enhancements; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", function () {
  // Print buttons are hidden until there is script to make them work.
  document.querySelectorAll(".js-print").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  // Move focus to the error summary so screen-reader and keyboard users hear the problems first.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
  warnBeforeIdleEnd(document.querySelector(".idle"));
  document.querySelectorAll(".checkboxes").forEach(exclusiveChoice);
});

// "None of these" and the other boxes exclude each other: ticking one clears the other kind, as it
// is ticked (mouse or Space). Without script the server says when both are sent.
function exclusiveChoice(group) {
  var exclusive = group.querySelector("input[data-exclusive]");
  if (!exclusive) { return; }
  group.addEventListener("change", function (event) {
    var ticked = event.target;
    if (!ticked.checked) { return; }
    group.querySelectorAll('input[type="checkbox"]').forEach(function (box) {
      if (box !== ticked && (ticked === exclusive || box === exclusive)) { box.checked = false; }
    });
  });
}

// Two minutes before an idle session ends, say so and offer to keep it (WCAG 2.2.1).
// Without script the page already says when it ends and offers more time.
function warnBeforeIdleEnd(region) {
  if (!region || !window.fetch) { return; }
  var warning = region.querySelector(".idle__warning");
  var keep = region.querySelector(".idle__keep");
  var form = region.querySelector(".idle__form");
  var timer = null;
  function schedule(seconds) {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      warning.setAttribute("role", "alert");  // announced as it appears
      warning.hidden = false;
      keep.hidden = false;
      keep.focus();
    }, Math.max(0, seconds) * 1000);
  }
  keep.addEventListener("click", function (event) {
    event.preventDefault();
    var body = new FormData(form);
    window.fetch(form.action, { method: "POST", body: body, headers: { "Accept": "application/json" },
                                credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (kept) {
        warning.hidden = true;
        warning.removeAttribute("role");
        keep.hidden = true;
        schedule(kept.expires_in - 120);
      })
      .catch(function () { form.submit(); });  // the plain form does the same
  });
  schedule(parseInt(region.getAttribute("data-warn-in"), 10));
}
