/* Launch day: the pick countdowns on the console and the hall screen, and the hall clock.
   The server renders the seconds left; this only counts them down between polls. */
(function () {
  "use strict";
  var started = new WeakMap();

  function show(el) {
    var left = parseInt(el.dataset.secondsLeft || "0", 10);
    if (!started.has(el)) { started.set(el, Date.now()); }
    if (el.dataset.paused === undefined) {
      left = Math.max(0, left - Math.floor((Date.now() - started.get(el)) / 1000));
    }
    el.textContent = left > 0 ? Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0") : "已超时";
    el.classList.toggle("urgent", left > 0 && left <= 30);
    var box = el.closest(".called, .hall-number");
    if (box) { box.classList.toggle("expired", left === 0); }
  }

  function tick() {
    document.querySelectorAll("[data-seconds-left]").forEach(show);
    var clock = document.getElementById("launch-clock");
    if (clock) {
      clock.textContent = new Date().toLocaleTimeString("zh-CN", {  // the project's zone
        hour12: false, timeZone: document.body.dataset.tz || undefined });
    }
  }
  // The console redraws when the queue or the board moves; a choice the secretary is making
  // survives the redraw (while its unit is still available), and an open list is not redrawn.
  var chosen = {};
  document.addEventListener("htmx:beforeRequest", function (event) {
    var live = event.detail.elt;
    if (live.id !== "launch-live") { return; }
    var active = document.activeElement;
    if (active && active.tagName === "SELECT" && live.contains(active)) { event.preventDefault(); }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target.id !== "launch-live") { return; }
    chosen = {};
    event.detail.target.querySelectorAll("select[id]").forEach(function (select) {
      if (select.value) { chosen[select.id] = select.value; }
    });
  });
  document.addEventListener("htmx:afterSwap", function () {
    Object.keys(chosen).forEach(function (id) {
      var select = document.getElementById(id);
      if (select && select.querySelector('option[value="' + chosen[id] + '"]')) {
        select.value = chosen[id];
      }
    });
  });
  document.addEventListener("DOMContentLoaded", tick);
  setInterval(tick, 1000);
})();
