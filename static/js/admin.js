// Accessibility fixes for Django's admin (loaded by templates/admin/base_site.html only).
(function () {
  "use strict";

  // Tabular inlines (an event's sessions) show a column header but no <label> per field:
  // name each unlabelled field after its column (and the row), e.g. "Start (date), row 1".
  function labelTabularInlines() {
    document.querySelectorAll(".inline-group .tabular table").forEach(function (table) {
      var headers = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.replace(/\s+/g, " ").trim();
      });
      table.querySelectorAll("tbody tr.form-row").forEach(function (row, rowIndex) {
        Array.prototype.forEach.call(row.children, function (cell, cellIndex) {
          var fields = cell.querySelectorAll("input:not([type=hidden]), select, textarea");
          fields.forEach(function (field, fieldIndex) {
            if (field.labels && field.labels.length) { return; }
            if (field.hasAttribute("aria-label") || field.hasAttribute("aria-labelledby")) { return; }
            // The first cell holds the original/delete column; headers line up from the second.
            var header = headers[cellIndex - 1] || headers[cellIndex] || field.name;
            var part = fields.length > 1 ? (fieldIndex === 0 ? " (date)" : " (time)") : "";
            field.setAttribute("aria-label", header + part + ", " + (rowIndex + 1));
          });
        });
      });
    });
  }

  // The filter widget's search icons carry aria-label on a <span> without a role (axe
  // aria-prohibited-attr); they are decoration next to a labelled input, so hide them.
  function fixFilterIcons() {
    document.querySelectorAll(".search-label-icon[aria-label]").forEach(function (icon) {
      icon.setAttribute("title", icon.getAttribute("aria-label"));
      icon.removeAttribute("aria-label");
      icon.setAttribute("aria-hidden", "true");
    });
  }

  function run() {
    labelTabularInlines();
    fixFilterIcons();
  }

  // SelectFilter builds its widgets on "load": run after every load handler.
  window.addEventListener("load", function () { window.setTimeout(run, 0); });
  document.addEventListener("formset:added", function () { window.setTimeout(run, 0); });
})();
