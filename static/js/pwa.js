// The installable app: register the service worker (every page), and on signing out send any
// log kept offline (or ask), delete what the worker kept (the cached log page holds health
// data), then sign out as the form says.
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

  // A day's log kept on this phone while offline and not sent yet: signing out deletes it (the
  // server clears the site's storage), so send it first, or ask before it is lost.
  var user = script.dataset.user || "";
  // The page's words for this script (templates/_script_texts.html), English if it has none.
  function text(key, english) {
    var tag = document.getElementById("script-texts");
    try {
      return (tag && JSON.parse(tag.textContent)[key]) || english;
    } catch (error) {
      return english;
    }
  }
  var WARNING = text("unsent_log_warning", "A log saved on this phone has not been sent yet. " +
    "If you log out now, it will be deleted from this phone. Log out anyway?");

  function pendingLogs() {
    if (!user || !window.LogStore) return Promise.resolve([]);
    return LogStore.all().then(function (records) {
      return (records || []).filter(function (record) { return String(record.user) === user; });
    }, function () { return []; });
  }

  function within(ms, promise) {
    return Promise.race([promise, new Promise(function (resolve) { setTimeout(resolve, ms); })]);
  }

  function sendFirst(form) {
    return pendingLogs().then(function (records) {
      if (!records.length) return true;
      var token = form.querySelector("[name=csrfmiddlewaretoken]");
      var sends = navigator.onLine ? records.map(function (record) {
        return LogStore.send(record, token && token.value).catch(function () { return null; });
      }) : [];
      return within(4000, Promise.all(sends)).then(pendingLogs).then(function (left) {
        return !left.length || window.confirm(WARNING);
      });
    }, function () { return true; });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.cleared || signOutUrls.indexOf(form.getAttribute("action")) === -1) return;
    event.preventDefault();
    form.dataset.cleared = "1";
    sendFirst(form).then(function (go) {
      if (!go) {
        delete form.dataset.cleared;
        return;
      }
      var done = function () { form.submit(); };
      // Never let a slow or broken cache keep anyone signed in.
      var timer = setTimeout(done, 1500);
      clearCaches().then(function () { clearTimeout(timer); done(); }, function () { clearTimeout(timer); done(); });
    });
  });
})();
