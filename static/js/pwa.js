// The installable app: register the service worker (every page), and on signing out delete
// what it kept (the cached log page holds health data), then sign out as the form says.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!("serviceWorker" in navigator) || !script) return;
  var workerUrl = script.dataset.sw;
  var signOutUrls = (script.dataset.signOut || "").split(" ").filter(Boolean);

  navigator.serviceWorker.register(workerUrl, { scope: "/" }).catch(function () {
    // Without a service worker the site works as a normal website.
  });

  function clearCaches() {
    if (!window.caches) return Promise.resolve();
    return caches.keys().then(function (keys) {
      return Promise.all(keys.map(function (key) { return caches.delete(key); }));
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.cleared || signOutUrls.indexOf(form.getAttribute("action")) === -1) return;
    event.preventDefault();
    form.dataset.cleared = "1";
    var done = function () { form.submit(); };
    // Never let a slow or broken cache keep anyone signed in.
    var timer = setTimeout(done, 1500);
    clearCaches().then(function () { clearTimeout(timer); done(); }, function () { clearTimeout(timer); done(); });
  });
})();
