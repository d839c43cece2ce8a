/*
 * Dash 4's dcc.Dropdown puts an aria-hidden, focusable <input class="dash-dropdown-focus-target">
 * before its trigger button and forwards focus from it (axe-core: aria-hidden-focus, WCAG 4.1.2).
 * The trigger button itself opens the list with Enter / ArrowDown and carries the id the
 * screen's <label for> names, so the keyboard stop is moved to it: the hidden input leaves
 * the tab order, the button joins it. The dropdown's own handlers put the input back in
 * the tab order on blur; the observer undoes that. Nothing else of the component changes.
 */
(function () {
  "use strict";
  function fix(root) {
    root.querySelectorAll("input.dash-dropdown-focus-target").forEach(function (input) {
      if (input.tabIndex !== -1) input.tabIndex = -1;
      var button = input.nextElementSibling;
      if (button && button.tagName === "BUTTON" && !button.disabled && button.tabIndex !== 0) {
        button.tabIndex = 0;
      }
    });
  }
  function start() {
    fix(document);
    new MutationObserver(function () { fix(document); }).observe(document.body, {
      subtree: true, childList: true, attributes: true, attributeFilter: ["tabindex"],
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
