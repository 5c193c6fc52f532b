// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Move focus to a form's error summary so that screen reader users hear the errors first.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
  // Prevent a double submit of forms marked data-submit-once.
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      if (form.dataset.submitted) {
        return false;
      }
      form.dataset.submitted = "true";
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.setAttribute("aria-disabled", "true"); });
      return true;
    });
  });
})();
