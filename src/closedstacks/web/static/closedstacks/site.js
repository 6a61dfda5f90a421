// Closed Stacks: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  // After HTMX replaces a region, move focus to it when asked, so screen
  // readers and keyboard users land on the new content.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.hasAttribute("data-focus-after-swap")) {
      target.setAttribute("tabindex", "-1");
      target.focus();
    }
  });
  // Buttons that ask for confirmation before submitting a form.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
  // "Print" buttons (recovery codes).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print]");
    if (button) {
      window.print();
    }
  });
})();
