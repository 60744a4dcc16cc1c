// The log page without a round trip: the finder filters as you type, the fever advice
// compares the number itself (comma or point), and Enter in a box saves instead of searching.
// Everything here also works without JavaScript, through the server and CSS.
(function () {
  "use strict";
  var form = document.querySelector(".log-form");
  if (!form) return;
  var finder = form.querySelector("#id_q");
  var status = form.querySelector("#finder-status");
  var showAll = form.querySelector(".show-all");
  var save = form.querySelector(".save-bar button");
  var items = form.querySelectorAll(".sym");
  var groups = form.querySelectorAll(".site-group");
  var otherIntro = form.querySelector(".other-intro");
  // The words, in the page's language, from the data the page carries (offline too).
  var dataTag = document.getElementById("offline-data");
  var texts = (dataTag && JSON.parse(dataTag.textContent).texts) || {};
  function say(key, english, query) {
    return (texts[key] || english).split("{query}").join(query);
  }

  function filter() {
    var typed = finder.value.trim();
    var words = typed.toLowerCase().split(/\s+/).filter(Boolean);
    var found = 0;
    items.forEach(function (item) {
      var match = words.every(function (word) { return item.dataset.find.indexOf(word) !== -1; });
      item.hidden = !(match || item.querySelector(".pick").checked);
      if (match) found += 1;
    });
    groups.forEach(function (group) { group.hidden = !group.querySelector(".sym:not([hidden])"); });
    if (otherIntro) otherIntro.hidden = words.length > 0;
    showAll.hidden = words.length === 0;
    status.textContent = !words.length ? "" : found
      ? say("finder_some", "Showing what matches “{query}”.", typed)
      : say("finder_none", "Nothing matches “{query}”. Try another word, or write it in the notes.", typed);
  }
  finder.addEventListener("input", filter);
  form.addEventListener("submit", function (event) {
    var by = event.submitter;
    if (by && by.name === "find") {
      event.preventDefault();
      if (by.value === "all") finder.value = "";
      filter();
    }
  });
  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.target.tagName !== "INPUT") return;
    event.preventDefault();
    if (event.target === finder) filter();
    else form.requestSubmit(save);
  });

  var temperature = form.querySelector("[data-fever-from]");
  if (temperature) {
    var box = temperature.closest(".temp");
    var from = parseFloat(temperature.dataset.feverFrom);
    var fever = function () {
      var value = parseFloat(temperature.value.trim().replace(",", "."));
      box.classList.toggle("is-fever", value >= from);
    };
    box.classList.add("js-temp");
    temperature.addEventListener("input", fever);
    fever();
  }
})();
