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

  // htmx errors (403, 409, 429, 5xx...) arrive as short Chinese text: show it.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var type = xhr.getResponseHeader("Content-Type") || "";
    var text = type.indexOf("text/plain") === 0 ? xhr.responseText : "操作失败(" + xhr.status + "),请刷新后重试";
    toast(text, "error");
  });
  document.addEventListener("htmx:sendError", function () {
    toast("网络连接失败,请检查网络后重试", "error");
  });

  // Flash messages fade after a while; errors stay until read.
  function fadeFlashes(root) {
    (root || document).querySelectorAll(".flash-success, .flash-info").forEach(function (el) {
      setTimeout(function () { el.classList.add("fade"); }, 5000);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { fadeFlashes(); });
  document.addEventListener("htmx:oobAfterSwap", function (event) { fadeFlashes(event.detail.target); });
})();
