// "Show password": a checkbox under the password boxes of a form that shows what was typed, for
// people who find typing on a phone hard. Added here, so without JavaScript there is no box
// that does nothing; the form works the same either way. A checkbox says "checked" or "not
// checked" to screen readers by itself. The boxes go back to hidden when the form is sent, so
// the browser saves the password as a password and the next page never shows it.
(function () {
  "use strict";
  // The page's words for this script (templates/_script_texts.html), English if it has none.
  function text(key, english) {
    var tag = document.getElementById("script-texts");
    try {
      return (tag && JSON.parse(tag.textContent)[key]) || english;
    } catch (error) {
      return english;
    }
  }
  document.querySelectorAll("form").forEach(function (form) {
    var boxes = Array.prototype.slice.call(form.querySelectorAll("input[type=password]"));
    if (!boxes.length) return;

    var field = document.createElement("div");
    field.className = "field show-password";
    var label = document.createElement("label");
    label.className = "check";
    var toggle = document.createElement("input");
    toggle.type = "checkbox";
    toggle.setAttribute("aria-controls", boxes.map(function (box) { return box.id; }).join(" "));
    label.appendChild(toggle);
    label.appendChild(document.createTextNode(" " + (boxes.length > 1 ? text("show_passwords", "Show passwords") : text("show_password", "Show password"))));
    field.appendChild(label);

    var last = boxes[boxes.length - 1];
    var after = last.closest(".field") || last;
    after.parentNode.insertBefore(field, after.nextSibling);

    function show(visible) {
      toggle.checked = visible;
      boxes.forEach(function (box) { box.type = visible ? "text" : "password"; });
    }
    toggle.addEventListener("change", function () { show(toggle.checked); });
    form.addEventListener("submit", function () { show(false); });
    // Back to the page from the browser's cache: hidden again.
    window.addEventListener("pageshow", function () { show(false); });
  });
})();
