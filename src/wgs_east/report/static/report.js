/* wgs-east sample report: filter box, class filters and evidence-trail toggles. No server, no libraries. */
(function () {
  "use strict";
  var table = document.getElementById("candidate-table");
  if (!table) { return; }
  var rows = Array.prototype.slice.call(table.querySelectorAll("tbody > tr.variant"));
  var box = document.getElementById("candidate-filter");
  var classBoxes = Array.prototype.slice.call(document.querySelectorAll("input.class-filter"));
  var shown = document.getElementById("candidate-shown");
  var noMatch = document.getElementById("no-match");
  var printNote = document.getElementById("filter-note");

  function trailOf(row) { return document.getElementById(row.getAttribute("data-trail")); }

  function setOpen(row, open) {
    var trail = trailOf(row);
    var button = row.querySelector("button.toggle");
    if (trail) { trail.classList.toggle("open", open); }
    if (button) { button.setAttribute("aria-expanded", open ? "true" : "false"); }
  }

  function apply() {
    var terms = box ? box.value.toLowerCase().split(/\s+/).filter(Boolean) : [];
    var wanted = {};
    classBoxes.forEach(function (b) { wanted[b.value] = b.checked; });
    var n = 0;
    rows.forEach(function (row) {
      var text = row.getAttribute("data-search") || "";
      var cls = row.getAttribute("data-class");
      var ok = wanted[cls] !== false && terms.every(function (t) { return text.indexOf(t) !== -1; });
      row.classList.toggle("filtered-out", !ok);
      var trail = trailOf(row);
      if (trail) { trail.classList.toggle("filtered-out", !ok); }
      if (ok) { n += 1; }
    });
    if (shown) { shown.textContent = n + " of " + rows.length; }
    if (noMatch) { noMatch.hidden = n !== 0; }
    if (printNote) {
      var off = classBoxes.filter(function (b) { return !b.checked; }).map(function (b) { return b.value; });
      printNote.hidden = n === rows.length;
      printNote.textContent = "Filtered view: " + n + " of " + rows.length + " listed variants shown" +
        (terms.length ? " (filter \u201c" + terms.join(" ") + "\u201d)" : "") +
        (off.length ? " (classes hidden: " + off.join(", ") + ")" : "") + ".";
    }
  }

  rows.forEach(function (row) {
    row.addEventListener("click", function (event) {
      if (event.target.closest("a")) { return; }
      var trail = trailOf(row);
      setOpen(row, !(trail && trail.classList.contains("open")));
    });
  });
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) { d.open = true; });
  });
  if (box) { box.addEventListener("input", apply); }
  classBoxes.forEach(function (b) { b.addEventListener("change", apply); });
  var expand = document.getElementById("expand-all");
  var collapse = document.getElementById("collapse-all");
  if (expand) { expand.addEventListener("click", function () { rows.forEach(function (r) { setOpen(r, true); }); }); }
  if (collapse) { collapse.addEventListener("click", function () { rows.forEach(function (r) { setOpen(r, false); }); }); }
  apply();
}());
