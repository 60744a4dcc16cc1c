// Logging with no network. When the form is saved while the phone is offline, the day's answers
// are kept on the phone (IndexedDB, static/js/log-store.js) in the API's shape, the page says so
// plainly, and a red-flag answer or a fever shows what to do now from the data the (cached) page
// carries. The log is sent when the network returns: by the service worker (Background Sync)
// where the browser has it, and by this page on its next load or when it comes back online.
// Without JavaScript, or online, the form is posted as usual.
(function () {
  "use strict";
  var form = document.querySelector(".log-form");
  var dataTag = document.getElementById("offline-data");
  var box = document.getElementById("offline-status");
  if (!form || !dataTag || !box || !window.indexedDB || !window.fetch || typeof LogStore === "undefined") return;
  var data = JSON.parse(dataTag.textContent);
  var texts = data.texts || {};
  var LOCALE = data.locale || "en-GB";
  var DECIMAL = data.decimal || ".";

  // A text in the page's language (English if the page is older than its words), its {gaps}
  // filled in.
  function say(key, english, values) {
    var text = texts[key] || english;
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(values[name]);
    });
    return text;
  }

  // A text with one {number} gap as nodes, the number as a link to call.
  function withCall(key, english, number) {
    var parts = say(key, english).split("{number}");
    var nodes = [parts[0]];
    for (var index = 1; index < parts.length; index += 1) nodes.push(call(number), parts[index]);
    return nodes;
  }

  function decimal(value, places) {
    return value.toFixed(places).replace(".", DECIMAL);
  }
  var SYNC_TAG = "send-logs"; // as mbc_tracker/pwa.py
  var token = form.querySelector("[name=csrfmiddlewaretoken]");
  var sending = false;

  // --- The messages, built once (they are shown only where the script runs) ------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function call(number, words, attrs) {
    var link = el("a", attrs || {}, [words || number]);
    link.href = "tel:" + number.replace(/ /g, "");
    return link;
  }

  function banner(action, id, heading, number) {
    return el("section", { class: "urgent-banner" + (action === "emergency" ? " is-emergency" : ""), "data-advice": action, role: "alert", "aria-labelledby": id, hidden: "" }, [
      el("h2", { id: id }, heading),
      el("p", { "data-advice-items": "" }),
      el("p", {}, [call(number, say("call_number_now", "Call {number} now", { number: number }), { class: "button urgent-call big wide" })]),
    ]);
  }

  function card(state, role, heading, words) {
    return el("section", { class: "card" + (state === "sent" ? " saved-status" : ""), "data-state": state, role: role, hidden: "" }, [
      el("h2", {}, heading),
      el("p", {}, words.concat([" ", el("span", { "data-days": "" }), el("span", { "data-reason": "" })])),
    ]);
  }

  [
    banner("emergency", "offline-emergency", withCall("emergency_heading", "Call {number} or go to the emergency department now", data.emergency_number), data.emergency_number),
    banner("call_now", "offline-call-now", withCall("call_now_heading", "Call your care team's 24-hour line now on {number}", data.care_line), data.care_line),
    card("kept", "status", [say("kept_heading", "Saved on this phone")], [say("kept_words", "Saved on this phone. It will be sent when you are online.")]),
    card("sent", "status", [el("span", { "aria-hidden": "true" }, ["\u2713 "]), say("sent_heading", "Sent")], [say("sent_words", "The log you saved on this phone is sent to your care team.")]),
    card("rejected", "alert", [say("rejected_heading", "A log on this phone could not be saved")], [say("rejected_words", "Please log it again in the form below.")]),
    card("problem", "alert", [say("problem_heading", "Nothing is saved yet")], []),
  ].forEach(function (section) { box.appendChild(section); });

  function today() {
    try {
      return new Intl.DateTimeFormat("en-CA", {
        timeZone: data.time_zone, year: "numeric", month: "2-digit", day: "2-digit",
      }).format(new Date());
    } catch (error) {
      return data.date;
    }
  }

  // A kept copy of "today" may be opened on a later day: the log is for the day it is written.
  function logDate() {
    if (!data.is_today) return data.date;
    var now = today();
    return now > data.date ? now : data.date;
  }

  function dayWords(iso) {
    return new Date(iso + "T12:00:00Z").toLocaleDateString(LOCALE, {
      weekday: "long", day: "numeric", month: "long", timeZone: "UTC",
    });
  }

  function checked(name) {
    return form.querySelector("input[name='" + name + "']:checked");
  }

  // The form's answers as the API's entries (severity / present / value), with what to do now.
  function read() {
    var entries = [], problems = [], advice = [];
    Object.keys(data.symptoms).forEach(function (code) {
      var symptom = data.symptoms[code];
      var picked = !!form.querySelector("input[name='chosen'][value='" + code + "']:checked");
      if (symptom.kind === "severity" && picked) {
        var score = checked(code);
        if (!score) {
          problems.push(say("choose_score", "{name}: please choose how bad it was, from 1 to 10, or tap “{name}” again to take it off.", { name: symptom.name }));
          return;
        }
        entries.push({ symptom: code, severity: parseInt(score.value, 10) });
      } else if (symptom.kind === "presence" && picked) {
        entries.push({ symptom: code, present: true });
      } else if (symptom.kind === "temperature") {
        var input = form.elements[code];
        var typed = input ? input.value.trim().replace(",", ".") : "";
        if (!typed) return;
        if (!/^\d{1,2}(\.\d)?$/.test(typed)) {
          problems.push(say("bad_number", "{name}: please type a number, for example 37.2 or 37,2.", { name: symptom.name }));
          return;
        }
        var value = parseFloat(typed);
        if (value < data.temperature_min || value > data.temperature_max) {
          problems.push(say("out_of_range", "{name}: please check the number. It should be between {min} and {max} °C.", {
            name: symptom.name, min: decimal(data.temperature_min, 1), max: decimal(data.temperature_max, 1),
          }));
          return;
        }
        entries.push({ symptom: code, value: value });
        if (value >= data.fever_from) {
          advice.push({ action: "call_now", text: say("fever", "{name} {value} °C: a high temperature during treatment needs checking straight away.", { name: symptom.name, value: typed.replace(".", DECIMAL) }) });
        }
        return;
      } else {
        return;
      }
      if (symptom.red_flag === "emergency" || symptom.red_flag === "call_now") {
        advice.push({ action: symptom.red_flag, text: say("told_us", "You told us: {name}.", { name: symptom.name }) });
      }
    });
    var notes = form.elements.notes ? form.elements.notes.value : "";
    return { entries: entries, notes: notes, problems: problems, advice: advice };
  }

  // What a saved log's response asks for: its urgent flags, emergencies as the server says.
  function adviceFrom(body) {
    return ((body && body.flags) || []).filter(function (flag) {
      return flag.level === "urgent";
    }).map(function (flag) {
      var symptom = data.symptoms[flag.symptom] || {};
      var emergency = data.emergency_rules.indexOf(flag.rule) !== -1 ||
        (flag.rule === "red_flag" && symptom.red_flag === "emergency");
      return { action: emergency ? "emergency" : "call_now", text: [flag.title, flag.advice].filter(Boolean).join(". ") };
    });
  }

  function part(selector) { return box.querySelector(selector); }

  function setText(section, selector, text) {
    section.querySelectorAll(selector).forEach(function (node) { node.textContent = text; });
  }

  function render(view) {
    ["kept", "sent", "rejected", "problem"].forEach(function (state) {
      part("[data-state='" + state + "']").hidden = true;
    });
    ["emergency", "call_now"].forEach(function (action) {
      var banner = part("[data-advice='" + action + "']");
      var items = (view.advice || []).filter(function (item) { return item.action === action; });
      banner.hidden = !items.length;
      var holder = banner.querySelector("[data-advice-items]");
      holder.textContent = "";
      items.forEach(function (item, index) {
        if (index) holder.appendChild(document.createElement("br"));
        holder.appendChild(document.createTextNode(item.text));
      });
    });
    if (view.problems && view.problems.length) {
      setText(part("[data-state='problem']"), "[data-reason]", view.problems.join(" "));
      part("[data-state='problem']").hidden = false;
    }
    var groups = { kept: view.kept || [], sent: view.sent || [], rejected: view.rejected || [] };
    Object.keys(groups).forEach(function (state) {
      if (!groups[state].length) return;
      var section = part("[data-state='" + state + "']");
      setText(section, "[data-days]", say("the_day", "The day: {days}.", { days: groups[state].map(dayWords).join(", ") }));
      section.hidden = false;
    });
    box.hidden = !box.querySelector("[data-state]:not([hidden]), [data-advice]:not([hidden])");
    if (view.focus && !box.hidden) {
      box.focus();
      box.scrollIntoView({ block: "start" });
    }
  }

  function mine() {
    return LogStore.all().then(function (records) {
      return records.filter(function (record) { return record.user === data.user; });
    });
  }

  function showKept(focus) {
    return mine().then(function (records) {
      var advice = [];
      records.forEach(function (record) { advice = advice.concat(record.advice || []); });
      render({ kept: records.map(function (record) { return record.date; }), advice: advice, focus: focus });
    });
  }

  var done = { sent: [], rejected: [], advice: [] };

  function showResult(result) {
    if (result.status === "sent") {
      done.sent.push(result.date);
      done.advice = adviceFrom(result.body);
    } else if (result.status === "rejected") {
      done.rejected.push(result.date);
    }
    return mine().then(function (records) {
      render({
        sent: done.sent, rejected: done.rejected, advice: done.advice,
        kept: records.map(function (record) { return record.date; }), focus: true,
      });
    });
  }

  function sendKept() {
    if (sending || navigator.onLine === false) return Promise.resolve();
    sending = true;
    return mine().then(function (records) {
      return records.reduce(function (chain, record) {
        return chain.then(function () {
          return LogStore.send(record, token && token.value).then(function (result) {
            if (result.status !== "kept") {
              return showResult({ status: result.status, date: record.date, body: result.body });
            }
          });
        });
      }, Promise.resolve());
    }).catch(function () {
      return showKept(false); // the network went again: still kept, sent later
    }).then(function () { sending = false; }, function () { sending = false; });
  }

  function askForSync() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) return registration.sync.register(SYNC_TAG);
    }).catch(function () {
      // No Background Sync: this page sends it on its next load or when back online.
    });
  }

  form.addEventListener("submit", function (event) {
    if (event.defaultPrevented || navigator.onLine !== false) return;
    if (event.submitter && event.submitter.name === "find") return;
    event.preventDefault();
    var answers = read();
    if (answers.problems.length) {
      render({ problems: answers.problems, advice: answers.advice, focus: true });
      return;
    }
    var record = {
      date: logDate(),
      entries: answers.entries,
      notes: answers.notes,
      csrf: token ? token.value : "",
      user: data.user,
      api: data.api,
      advice: answers.advice,
      saved_at: new Date().toISOString(),
    };
    LogStore.put(record).then(function () {
      askForSync();
      return showKept(true);
    }).catch(function () {
      render({ problems: [say("not_kept", "This phone could not keep your answers. Please try again when you are online.")], advice: answers.advice, focus: true });
    });
  });

  // The one-tap buttons need the server (it checks what the day already holds): offline, say so.
  document.querySelectorAll(".quick-form").forEach(function (quick) {
    quick.addEventListener("submit", function (event) {
      if (navigator.onLine !== false) return;
      event.preventDefault();
      render({ problems: [say("offline_button", "You are offline, so this button cannot work just now. Choose your answers in the form below and press Save: they will be kept on this phone.")], focus: true });
    });
  });

  window.addEventListener("online", sendKept);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      var message = event.data || {};
      if (message.type === "log-sent") showResult(message);
    });
    // Opened before the service worker took over: ask it to keep this page for offline use.
    if (!navigator.serviceWorker.controller && !location.search) {
      navigator.serviceWorker.ready.then(function (registration) {
        if (registration.active) registration.active.postMessage({ type: "keep-page", path: location.pathname });
      });
    }
  }
  if (navigator.onLine === false) showKept(false);
  else sendKept();
})();
