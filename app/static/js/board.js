/* The sales control board and the hall display: conditional polling, the unit panel,
   keyboard moves between cells, upload progress, hall page rotation. No inline scripts. */
(function () {
  "use strict";

  // Pollers remember the last ETag and send it back: the server answers 304 while nothing
  // changed (the page is never cached by the browser: it is sent with no-store).
  document.addEventListener("htmx:configRequest", function (event) {
    var etag = event.detail.elt.dataset && event.detail.elt.dataset.etag;
    if (etag) { event.detail.headers["If-None-Match"] = etag; }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 304) { event.detail.shouldSwap = false; }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt, xhr = event.detail.xhr;
    if (!xhr || !elt.dataset || elt.dataset.etag === undefined) { return; }
    // The session ran out: the poll was redirected to the login page. Say so instead of
    // leaving a board on screen that silently stopped following changes.
    var login = elt.dataset.loginUrl;
    if (login && xhr.responseURL && new URL(xhr.responseURL).pathname === login) {
      window.location.reload();
      return;
    }
    var tag = xhr.getResponseHeader("ETag");
    if (tag && (xhr.status === 200 || xhr.status === 304)) { elt.dataset.etag = tag; }
  });

  // The viewer's own holds: a held cell carries its holder's id and the page is the same for
  // every user (so each worker renders it once), the browser marks the ones held by "me".
  function markMine(root) {
    var me = document.body.dataset.me;
    if (!me || !root || !root.querySelectorAll) { return; }
    var cells = root.matches && root.matches("[data-holder]") ? [root]
      : root.querySelectorAll("[data-holder]");
    Array.prototype.forEach.call(cells, function (cell) {
      cell.classList.toggle("mine", cell.dataset.holder === me);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { markMine(document); });
  document.addEventListener("htmx:afterSettle", function (event) { markMine(event.target); });

  // A poll that changed the unit whose panel is open refreshes the panel, unless the panel
  // already shows the version the poll reports (it is the answer to the viewer's own move).
  document.addEventListener("board-changed", function (event) {
    var panel = document.getElementById("unit-panel");
    if (!panel || !panel.dataset.unit) { return; }
    var detail = event.detail || {}, unit = Number(panel.dataset.unit);
    if (!detail.full && (detail.units || []).indexOf(unit) < 0) { return; }
    var written = (detail.versions || {})[unit];
    if (!detail.full && written !== undefined && written <= Number(panel.dataset.version)) {
      return;
    }
    window.htmx.trigger(document.body, "panel-refresh");
  });

  function closePanel() {
    var panel = document.getElementById("unit-panel");
    if (!panel || !panel.dataset.unit) { return false; }
    var cell = document.getElementById("u-" + panel.dataset.unit);
    var empty = document.createElement("aside");
    empty.id = "unit-panel";
    empty.className = "unit-panel empty";
    panel.replaceWith(empty);
    if (cell) { cell.focus(); }
    return true;
  }

  document.addEventListener("click", function (event) {
    var close = event.target.closest && event.target.closest("[data-close-panel]");
    if (close && closePanel()) { event.preventDefault(); }
  });

  // Opening a panel from a cell moves focus into it; Escape brings it back to the cell.
  document.addEventListener("htmx:afterSwap", function (event) {
    var panel = document.getElementById("unit-panel");
    if (panel && event.detail.target === panel && panel.dataset.unit) {
      var heading = panel.querySelector("h2");
      if (heading && document.activeElement && document.activeElement.closest &&
          document.activeElement.closest(".board-grids")) {
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      }
    }
  });

  var STEPS = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && closePanel()) { event.preventDefault(); return; }
    var step = STEPS[event.key];
    var cell = step && event.target.closest && event.target.closest(".cell, .mini");
    if (!cell) { return; }
    event.preventDefault();
    var td = cell.parentElement, tr = td.parentElement, rows = tr.parentElement.rows;
    var r = tr.sectionRowIndex + step[0], c = td.cellIndex + step[1];
    while (r >= 0 && r < rows.length && c >= 1 && c < rows[r].cells.length) {
      var next = rows[r].cells[c].querySelector("button");
      if (next) { next.focus(); return; }
      r += step[0]; c += step[1];
    }
  });

  // Import: the upload's progress, then "checking" until the preview arrives.
  document.addEventListener("htmx:xhr:progress", function (event) {
    var bar = document.getElementById("import-progress");
    var stage = document.getElementById("import-stage");
    if (!bar || !event.detail.lengthComputable || !event.detail.total) { return; }
    var percent = Math.round(event.detail.loaded / event.detail.total * 100);
    if (percent > bar.value) { bar.value = percent; }
    if (stage) { stage.textContent = bar.value < 100 ? "正在上传 " + bar.value + "%" : "已上传,正在逐行检查…"; }
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var bar = document.getElementById("import-progress");
    if (bar && event.detail.elt.id === "import-form") { bar.value = 0; }
  });

  // On a phone the board shows one building at a time: the first, unless one was chosen.
  document.addEventListener("DOMContentLoaded", function () {
    var tabs = document.querySelector("#board-main .tabs");
    if (!tabs || !window.matchMedia("(max-width: 600px)").matches) { return; }
    var all = tabs.querySelector("a");
    var first = tabs.querySelector("a[href*='building=']");
    if (all && first && all.classList.contains("active")) { window.location.replace(first.href); }
  });

  // Hall display: a page of buildings taller or wider than the screen is scaled down to fit
  // between the header and the legend (a 26-floor building on a 1080-line TV).
  function fitPage() {
    var box = document.getElementById("hall-pages");
    var page = box && box.querySelector(".hall-page.active");
    if (!page) { return; }
    page.style.transform = "";
    var style = getComputedStyle(box);
    var width = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    var height = box.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    var left = Infinity, right = -Infinity, bottom = 0, top = page.getBoundingClientRect().top;
    Array.prototype.forEach.call(page.children, function (child) {
      var rect = child.getBoundingClientRect();
      left = Math.min(left, rect.left); right = Math.max(right, rect.right);
      bottom = Math.max(bottom, rect.bottom);
    });
    if (right <= left) { return; }
    var scale = Math.min(1, width / (right - left), height / (bottom - top));
    if (scale < 1) { page.style.transform = "scale(" + scale.toFixed(3) + ")"; }
  }

  // Hall display: rotate through pages of buildings, show the time, stop when revoked.
  function startHall() {
    var body = document.body;
    if (!body.classList.contains("hall") || !document.getElementById("hall-poll")) { return; }
    var seconds = Math.max(5, parseInt(body.dataset.rotate || "15", 10));
    var index = 0;
    function showPage() {
      var pages = document.querySelectorAll(".hall-page");
      var pager = document.getElementById("hall-pager");
      if (!pages.length) { return; }
      index = index % pages.length;
      pages.forEach(function (page, i) { page.classList.toggle("active", i === index); });
      if (pager) { pager.textContent = pages.length > 1 ? (index + 1) + " / " + pages.length : ""; }
      fitPage();
    }
    showPage();
    var rotation = setInterval(function () { index += 1; showPage(); }, seconds * 1000);
    window.addEventListener("resize", fitPage);
    document.addEventListener("htmx:oobAfterSwap", function (event) {
      if (event.detail.target && event.detail.target.id === "hall-pages") { showPage(); }
    });
    var clock = document.getElementById("hall-clock");
    function tick() {
      // The project's zone, not the TV's: a screen set to another zone still shows office time.
      clock.textContent = new Date().toLocaleString("zh-CN", { timeZone: body.dataset.tz || undefined,
        month: "long", day: "numeric", weekday: "short", hour: "2-digit", minute: "2-digit", hour12: false });
    }
    if (clock) { tick(); setInterval(tick, 10000); }
    document.addEventListener("htmx:responseError", function (event) {
      if (event.detail.xhr.status === 410) {
        var poller = document.getElementById("hall-poll");
        if (poller) { poller.remove(); }
        clearInterval(rotation);  // a revoked link shows nothing of the board any more
        var shown = document.getElementById("hall-pages");
        if (shown) { shown.replaceChildren(); }
        body.classList.add("hall-revoked");
        document.getElementById("hall-note").textContent = "该大屏链接已被撤销";
      }
    });
    document.addEventListener("htmx:sendError", function () {
      document.getElementById("hall-note").textContent = "网络中断,正在重试…";
    });
    document.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.elt.id === "hall-poll" && event.detail.successful) {
        document.getElementById("hall-note").textContent = "实时更新";
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startHall);
  } else { startHall(); }
})();
