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
});
