/* Anchang page behaviour. No inline scripts anywhere: the CSP forbids them. */
(function () {
  "use strict";

  function toast(message, kind) {
    var box = document.getElementById("toast");
    if (!box) { return; }
    box.textContent = message;
    box.className = "toast toast-" + (kind || "error");
    box.hidden = false;
    clearTimeout(box._timer);
    box._timer = setTimeout(function () { box.hidden = true; }, 6000);
  }
  window.anchangToast = toast;

  // Buttons that need a second thought: <button data-confirm="...">.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.dataset.confirm) || event.target.dataset.confirm;
    if (message && !window.confirm(message)) { event.preventDefault(); }
  }, true);

  // A select that acts at once (the project switcher): <select data-autosubmit>.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select[data-autosubmit]") && select.form) {
      select.form.requestSubmit();
    }
  });

  // Searchable pickers: <select data-search="placeholder" data-prefer="三室两厅、四室">.
  // A box above the list keeps the options that match a name, a phone's last digits or a
  // room ("2-1801": 单元 2, room 1801; "1801": every 1801); one match is chosen at once.
  // data-prefer lists the buyer's wanted layouts first.
  function squash(text) { return (text || "").replace(/\s+/g, "").toLowerCase(); }
  function matches(text, query) {
    var tokens = squash(query).split(/[-－—_·]+/), at = 0;
    for (var i = 0; i < tokens.length; i++) {
      if (!tokens[i]) { continue; }
      var found = text.indexOf(tokens[i], at);
      if (found < 0) { return false; }
      at = found + tokens[i].length;
    }
    return true;
  }
  function preferLayouts(select) {
    var wanted = (select.dataset.prefer || "").split(/[、,，\s]+/).filter(Boolean);
    if (!wanted.length) { return; }
    var first = document.createElement("optgroup"), rest = document.createElement("optgroup");
    first.label = "意向户型:" + wanted.join("、");
    rest.label = "其他房源";
    Array.prototype.slice.call(select.options).forEach(function (option) {
      if (!option.value) { return; }
      var liked = wanted.some(function (w) { return option.text.indexOf(w) >= 0; });
      (liked ? first : rest).appendChild(option);
    });
    select.appendChild(first);
    select.appendChild(rest);
  }
  function searchable(select) {
    if (select.dataset.searchReady) { return; }
    select.dataset.searchReady = "1";
    preferLayouts(select);
    var box = document.createElement("input");
    box.type = "search";
    box.className = "picker-search";
    box.placeholder = select.dataset.search;
    box.setAttribute("aria-label", select.dataset.search);
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var query = box.value.trim(), shown = [];
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.value) { return; }
        option.hidden = query !== "" && !matches(squash(option.text), query);
        if (!option.hidden) { shown.push(option); }
      });
      if (shown.length === 1) { select.value = shown[0].value; }
      else if (select.selectedOptions[0] && select.selectedOptions[0].hidden) { select.selectedIndex = 0; }
      box.setCustomValidity(shown.length ? "" : "没有匹配的选项");
      box.title = "匹配 " + shown.length + " 项";
    });
  }
  function enhancePickers(root) {
    Array.prototype.forEach.call(root.querySelectorAll("select[data-search]"), searchable);
  }
  document.addEventListener("DOMContentLoaded", function () { enhancePickers(document); });
  document.addEventListener("htmx:load", function (event) { enhancePickers(event.detail.elt); });

  // htmx errors (403, 409, 429, 5xx...) arrive as short Chinese text: show it.
  // A failed background poll stays quiet: the next one will try again.
  document.addEventListener("htmx:responseError", function (event) {
    if (event.detail.elt && event.detail.elt.hasAttribute("data-poll")) { return; }
    var xhr = event.detail.xhr;
    var type = xhr.getResponseHeader("Content-Type") || "";
    var text = type.indexOf("text/plain") === 0 ? xhr.responseText : "操作失败(" + xhr.status + "),请刷新后重试";
    toast(text, "error");
  });
  document.addEventListener("htmx:sendError", function () {
    toast("网络连接失败,请检查网络后重试", "error");
  });

  // Polled fragments (<... id="x" data-poll hx-trigger="every ...">) send the ETag they got
  // as If-None-Match: an unchanged one costs the server a 304 and the page nothing.
  var etags = {};
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (elt.id && elt.hasAttribute("data-poll") && etags[elt.id]) {
      event.detail.headers["If-None-Match"] = etags[elt.id];
    }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr, elt = event.detail.elt;
    if (!elt || !elt.hasAttribute("data-poll")) { return; }
    if (xhr.status === 304) { event.detail.shouldSwap = false; return; }
    if (xhr.responseURL && xhr.responseURL.indexOf("/login") !== -1) {
      // The session ended: show the login page instead of swapping it into a badge.
      event.detail.shouldSwap = false;
      window.location.reload();
      return;
    }
    var tag = xhr.getResponseHeader("ETag");
    if (elt.id && tag) { etags[elt.id] = tag; }
  });

  // Flash messages fade after a while; errors stay until read.
  function fadeFlashes(root) {
    (root || document).querySelectorAll(".flash-success, .flash-info").forEach(function (el) {
      setTimeout(function () { el.classList.add("fade"); }, 5000);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { fadeFlashes(); });
  document.addEventListener("htmx:oobAfterSwap", function (event) { fadeFlashes(event.detail.target); });

  // On a phone the menu folds under one 菜单 button (the desk's sidebar shows it always).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".menu-button");
    if (!button) { return; }
    var sidebar = button.closest(".sidebar");
    var open = sidebar.classList.toggle("menu-open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });

  // A table wider than its box scrolls inside it: the box takes keyboard focus so the arrow
  // keys scroll it too (a mouse or a finger needs nothing).
  function scrollBoxes() {
    document.querySelectorAll(".card, section, .table-scroll").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
      if (scrolls && getComputedStyle(box).overflowX !== "visible" && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        if (!box.hasAttribute("aria-label")) {
          var title = box.querySelector("h2, h3, caption");
          box.setAttribute("aria-label", title ? title.textContent.trim() : "表格");
        }
        if (!box.getAttribute("role")) { box.setAttribute("role", "region"); }
      }
    });
  }
  // Queues a manager or finance works through on a phone (table.phone-cards): screens.css
  // shows each row as a card and each cell under its column's name, taken from the header
  // here, so the buttons at the end of a row are on screen without scrolling sideways.
  function labelCells(root) {
    var table = root.closest && root.closest("table.phone-cards");
    var tables = table ? [table] : (root.querySelectorAll ? root.querySelectorAll("table.phone-cards") : []);
    Array.prototype.forEach.call(tables, function (t) {
      if (!t.tHead || !t.tHead.rows.length) { return; }
      var names = Array.prototype.map.call(t.tHead.rows[0].cells, function (th) { return th.textContent.trim(); });
      Array.prototype.forEach.call(t.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          Array.prototype.forEach.call(row.cells, function (cell, i) {
            if (cell.colSpan === 1 && names[i] && !cell.hasAttribute("data-label")) { cell.setAttribute("data-label", names[i]); }
          });
        });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { labelCells(document); });
  document.addEventListener("htmx:load", function (event) { labelCells(event.detail.elt); });

  document.addEventListener("DOMContentLoaded", scrollBoxes);
  document.addEventListener("htmx:afterSettle", scrollBoxes);

  // A hold's time left (<... data-until="ISO instant">), counted down between page loads.
  function countdowns() {
    document.querySelectorAll("[data-until]").forEach(function (el) {
      var left = Math.max(0, Math.round((Date.parse(el.dataset.until) - Date.now()) / 1000));
      el.textContent = left > 0 ? "剩 " + Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0") : "已到期";
      el.classList.toggle("urgent", left > 0 && left <= 300);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    countdowns();
    if (document.querySelector("[data-until]")) { setInterval(countdowns, 1000); }
  });

  // Sidebar groups: the ones a user opened stay open on the next page (this browser only).
  var NAV_KEY = "anchang.nav.open";
  function openGroups() {
    try { return JSON.parse(window.localStorage.getItem(NAV_KEY) || "[]"); } catch (e) { return []; }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var remembered = openGroups();
    document.querySelectorAll("details.nav-group").forEach(function (group) {
      var title = group.querySelector("summary").textContent;
      if (remembered.indexOf(title) !== -1) { group.open = true; }
      group.addEventListener("toggle", function () {
        var open = openGroups().filter(function (t) { return t !== title; });
        if (group.open) { open.push(title); }
        try { window.localStorage.setItem(NAV_KEY, JSON.stringify(open)); } catch (e) { /* private mode */ }
      });
    });
  });
})();
