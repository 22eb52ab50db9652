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
      clock.textContent = new Date().toLocaleTimeString("zh-CN", { hour12: false });
    }
  }
  document.addEventListener("DOMContentLoaded", tick);
  setInterval(tick, 1000);
})();
