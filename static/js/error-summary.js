/*
 * The error summary of a form (templates/enrollment/steps/_error_summary.html).
 *
 * When a page shows one, focus goes there (its `autofocus` does the same where browsers
 * honour it on a non-field element), so a screen reader reads what to correct first. A link of
 * the summary moves focus into the field it names and scrolls its label into view, instead of
 * just scrolling to the input (whose label would then sit above the top of the screen).
 *
 * No inline script anywhere: the Content-Security-Policy is `script-src 'self'`.
 */
(function () {
  "use strict";

  function fieldOf(link) {
    var id = decodeURIComponent(link.hash.slice(1));
    return id ? document.getElementById(id) : null;
  }

  function start() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) {
      return;
    }
    if (document.activeElement !== summary) {
      summary.focus();
    }
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var field = link && fieldOf(link);
      if (!field) {
        return;
      }
      event.preventDefault();
      var label = document.querySelector("label[for='" + CSS.escape(field.id) + "']");
      (label || field).scrollIntoView();
      field.focus({ preventScroll: true });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
