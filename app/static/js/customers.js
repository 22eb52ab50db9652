/* Front desk and statistics pages. No inline scripts: the CSP forbids them. */
(function () {
  "use strict";

  // After a walk-in is assigned the desk is swapped in: put the cursor back in the name box,
  // so the next walk-in is typed straight away.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "desk") {
      var first = document.querySelector("#desk [aria-invalid=true]") ||
        document.querySelector("#desk [data-desk-focus]");
      if (first) { first.focus(); }
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
  });
})();
