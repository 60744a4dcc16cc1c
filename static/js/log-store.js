// Logs kept on this phone while offline (IndexedDB), one per day, and how one is sent: through
// the API's repeat-safe save (one log per day, so sending twice is harmless). Used by the log
// page and by the service worker (importScripts), so both send in exactly the same way.
var LogStore = (function () {
  "use strict";
  var DB = "mbc-offline-logs";
  var STORE = "logs";

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "date" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var request = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(request && request.result); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  // record: {date, entries, notes, csrf, user, api, advice, saved_at}
  function put(record) { return run("readwrite", function (store) { return store.put(record); }); }
  function all() { return run("readonly", function (store) { return store.getAll(); }); }
  function remove(date) { return run("readwrite", function (store) { return store.delete(date); }); }

  // Resolves {status: "sent", body} (saved, then removed here), {status: "rejected", body} (the
  // server will never take it: removed, the page says so) or {status: "kept"} (signed out, an
  // old token: kept for the page to send with its own). A network failure rejects.
  function send(record, csrf) {
    return fetch(record.api, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      redirect: "error",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrf || record.csrf,
      },
      body: JSON.stringify({ date: record.date, entries: record.entries, notes: record.notes }),
    }).then(function (response) {
      if (response.status === 200 || response.status === 201) {
        return response.json().then(function (body) {
          return remove(record.date).then(function () { return { status: "sent", body: body, record: record }; });
        });
      }
      if (response.status === 400) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          return remove(record.date).then(function () { return { status: "rejected", body: body, record: record }; });
        });
      }
      return { status: "kept", record: record };
    });
  }

  return { put: put, all: all, remove: remove, send: send };
})();
