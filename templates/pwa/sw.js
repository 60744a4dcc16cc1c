// MBC Tracker's service worker: the app shell offline, logs kept offline sent when the network
// returns, and push notifications. Pages are fetched from the network first; only the log page
// and the offline page are ever kept (other pages and the API hold health data).
"use strict";
var VERSION = {{ version|safe }};
var CACHE = "mbc-" + VERSION;
var SHELL = {{ shell|safe }};
var OFFLINE_URL = {{ offline_url|safe }};
var CACHED_PAGES = {{ cached_pages|safe }};
var STATIC_PREFIX = {{ static_prefix|safe }};
var SYNC_TAG = {{ sync_tag|safe }};
var OFFLINE_TEXT = {{ offline_text|safe }};

importScripts({{ store_url|safe }});

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (key) {
        return key.indexOf("mbc-") === 0 && key !== CACHE;
      }).map(function (key) { return caches.delete(key); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function keepPage(path, response) {
  // Only a real page for the person signed in now: not a redirect (to sign in) or an error.
  if (!response.ok || response.redirected || response.type !== "basic") return;
  var copy = response.clone();
  caches.open(CACHE).then(function (cache) { return cache.put(path, copy); });
}

function fromCache(path) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(path, { ignoreVary: true, ignoreSearch: false });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/api/") === 0) return; // never cached

  if (url.pathname.indexOf(STATIC_PREFIX) === 0) {
    event.respondWith(fromCache(url.pathname + url.search).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { return cache.put(url.pathname + url.search, copy); });
        }
        return response;
      });
    }));
    return;
  }

  if (request.mode !== "navigate") return;
  var kept = CACHED_PAGES.indexOf(url.pathname) !== -1 && !url.search;
  event.respondWith(fetch(request).then(function (response) {
    if (kept) keepPage(url.pathname, response);
    return response;
  }).catch(function () {
    return (kept ? fromCache(url.pathname) : Promise.resolve(undefined)).then(function (hit) {
      return hit || fromCache(OFFLINE_URL);
    }).then(function (hit) {
      return hit || new Response(OFFLINE_TEXT, { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
    });
  }));
});

// The log page asks for a fresh copy of itself when it was loaded before this worker took over.
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "keep-page" && CACHED_PAGES.indexOf(data.path) !== -1) {
    event.waitUntil(fetch(data.path, { credentials: "same-origin" }).then(function (response) {
      keepPage(data.path, response);
    }).catch(function () {}));
  }
});

// --- Logs kept offline ----------------------------------------------------------------------

function tell(message) {
  return self.clients.matchAll({ type: "window" }).then(function (clients) {
    clients.forEach(function (client) { client.postMessage(message); });
  });
}

function sendKept() {
  return LogStore.all().then(function (records) {
    return records.reduce(function (chain, record) {
      return chain.then(function () {
        return LogStore.send(record).then(function (result) {
          if (result.status !== "kept") {
            return tell({ type: "log-sent", status: result.status, date: record.date, body: result.body });
          }
        });
      });
    }, Promise.resolve());
  });
}

self.addEventListener("sync", function (event) {
  if (event.tag === SYNC_TAG) event.waitUntil(sendKept()); // a failure is retried by the browser
});

// --- Push notifications: lock-screen-safe words written by the server ---------------------------

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (error) { data = {}; }
  var title = data.title || "MBC Tracker";
  event.waitUntil(self.registration.showNotification(title, {
    body: data.body || "",
    tag: data.tag || undefined,
    icon: SHELL.filter(function (path) { return /icon-192\.png/.test(path); })[0],
    data: { url: data.url || "/" },
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var target = new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin);
  if (target.origin !== self.location.origin) target = new URL("/", self.location.origin);
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (clients) {
    for (var i = 0; i < clients.length; i += 1) {
      if (clients[i].url === target.href && "focus" in clients[i]) return clients[i].focus();
    }
    return self.clients.openWindow(target.href);
  }));
});
