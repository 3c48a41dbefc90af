// The queue: say when new records arrive, and offer to show them (WCAG 2.2.1: never a timed reload).
// Every minute, while the page is in view, it asks the news address (a count and a time, nothing
// else); it stops when the session has ended. Without script, the "Refresh" link does the same.
document.addEventListener("DOMContentLoaded", function () {
  var news = document.querySelector(".queue-news");
  if (!news || !window.fetch) { return; }
  var text = news.querySelector(".queue-news__text");
  var load = news.querySelector(".queue-news__load");
  var refresh = news.querySelector(".queue-news__refresh");
  var every = 60 * 1000;
  var said = 0;
  load.hidden = true;
  load.addEventListener("click", function () { window.location.assign(refresh.href); });

  function ask() {
    if (document.hidden) { window.setTimeout(ask, every); return; }
    var url = news.getAttribute("data-news-url");
    url += (url.indexOf("?") < 0 ? "?" : "&") + "after=" + encodeURIComponent(news.getAttribute("data-after"));
    window.fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin", redirect: "manual" })
      .then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (!response.ok || !json) { throw new Error("stopped"); }  // logged out: the next page says so
        return response.json();
      })
      .then(function (found) {
        if (found.count > 0 && found.count !== said) {
          said = found.count;
          text.textContent = found.count === 1 ? news.getAttribute("data-one")
            : news.getAttribute("data-other").replace("{count}", found.count);
          load.hidden = false;
        }
        window.setTimeout(ask, every);
      })
      .catch(function () { /* stop asking */ });
  }
  window.setTimeout(ask, every);
});
