// "Notifications on this phone" on the settings page: ask the browser for permission, subscribe
// with the server's VAPID public key, and send the subscription to the API. Without JavaScript,
// or in a browser without Web Push, the button stays hidden and the page says what to do.
(function () {
  "use strict";

  var box = document.querySelector("[data-push-key]");
  if (!box || !("serviceWorker" in navigator) || !("PushManager" in window) || !window.fetch) {
    return;
  }
  var button = box.querySelector("[data-push-button]");
  var status = box.querySelector("[data-push-status]");

  function say(words) {
    status.textContent = words;
  }

  // The page's words for this script (templates/_script_texts.html), English if it has none.
  function text(key, english) {
    var tag = document.getElementById("script-texts");
    try {
      return (tag && JSON.parse(tag.textContent)[key]) || english;
    } catch (error) {
      return english;
    }
  }

  // The application server key arrives as base64url; the browser wants its bytes.
  function keyBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    base64 += "===".slice((base64.length + 3) % 4);
    var raw = window.atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes;
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function send(subscription) {
    return fetch(box.getAttribute("data-push-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(subscription.toJSON()),
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("The server answered " + response.status);
      }
    });
  }

  function subscribe() {
    button.disabled = true;
    say(text("push_asking", "Asking your phone…"));
    Notification.requestPermission()
      .then(function (permission) {
        if (permission !== "granted") {
          throw new Error("denied");
        }
        return navigator.serviceWorker.ready;
      })
      .then(function (registration) {
        return registration.pushManager.getSubscription().then(function (existing) {
          return (
            existing ||
            registration.pushManager.subscribe({
              userVisibleOnly: true,
              applicationServerKey: keyBytes(box.getAttribute("data-push-key")),
            })
          );
        });
      })
      .then(send)
      .then(function () {
        say(text("push_done", "Done. This phone will show our notifications. Reload the page to see it in your list."));
      })
      .catch(function (error) {
        button.disabled = false;
        if (error && error.message === "denied") {
          say(text("push_denied", "Your phone said no to notifications. You can allow them in the browser's site settings, then try again."));
        } else {
          say(text("push_failed", "That did not work this time. Please try again later. Your reminders still come by email and in your messages."));
        }
      });
  }

  box.hidden = false;
  if (window.Notification && Notification.permission === "denied") {
    say(text("push_blocked", "Notifications are blocked for this site. You can allow them in the browser's site settings."));
  }
  button.addEventListener("click", subscribe);
})();
