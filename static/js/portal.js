// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", function () {
  // Confirm destructive or money-moving buttons.
  document.body.addEventListener("click", function (event) {
    var target = event.target.closest("[data-confirm]");
    if (target && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
});
// On a phone the main menu starts folded; on a desktop it stays open.
document.addEventListener("DOMContentLoaded", function () {
  var menu = document.querySelector("details.menu");
  if (menu && window.matchMedia("(max-width: 760px)").matches) {
    menu.removeAttribute("open");
  }
});
// Lists on a phone (issue 14): a table of five or more columns, or one wider than its
// frame, becomes one card per row below 760 px (static/css/portal.css, table.cards); each
// cell is labelled with its column's header. Tables that scroll or stack on purpose opt
// out with .no-cards.
document.addEventListener("DOMContentLoaded", function () {
  var skip = ".no-cards, .stats, .grid-table, .benefit-table, .cal table";
  document.querySelectorAll(".table-wrap > table, table.cards").forEach(function (table) {
    if (table.matches(skip)) { return; }
    var heads = table.querySelectorAll("thead th");
    var frame = table.parentElement;
    var overflows = window.matchMedia("(max-width: 760px)").matches &&
      frame.classList.contains("table-wrap") && frame.scrollWidth > frame.clientWidth + 1;
    if (!table.classList.contains("cards") && heads.length < 5 && !overflows) { return; }
    table.classList.add("cards");
    var labels = Array.prototype.map.call(heads, function (th) { return th.textContent.trim(); });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.children, function (cell) {
        if (!cell.hasAttribute("data-label") && labels[column] && column > 0) {
          cell.setAttribute("data-label", labels[column]);
        }
        column += cell.colSpan || 1;
      });
    });
  });
});
