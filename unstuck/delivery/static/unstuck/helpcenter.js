/* The help center page: hosts the widget's players (players.js) outside the widget.
 * Defines the same small interface players.js expects, backed by the help center's
 * session endpoints instead of the widget API. */
(function () {
  "use strict";
  var box = document.getElementById("player");
  var unit = JSON.parse(document.getElementById("unit-data").textContent);
  var strings = JSON.parse(document.getElementById("unit-strings").textContent);
  var base = "/help/" + box.dataset.slug + "/api/";
  function csrf() { var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/); return m ? decodeURIComponent(m[1]) : ""; }
  function call(method, path, body) {
    return fetch(base + path, { method: method, credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() } }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    });
  }
  function t(key, vars) { var s = strings[key] || key; for (var k in vars || {}) s = s.replace("{" + k + "}", vars[k]); return s; }
  function h(tag, attrs, kids) {
    var el = document.createElement(tag);
    for (var k in attrs || {}) {
      var v = attrs[k];
      if (v == null || v === false) continue;
      if (k.slice(0, 2) === "on") el.addEventListener(k.slice(2), v);
      else if (k === "text") el.textContent = v;
      else if (k === "html") el.innerHTML = v; /* server-sanitised HTML only */
      else el.setAttribute(k, v === true ? "" : v);
    }
    [].concat(kids || []).forEach(function (c) { if (c != null) el.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return el;
  }
  function uuid() {
    var c = window.crypto || {};
    if (typeof c.randomUUID === "function") return c.randomUUID();
    var a = new Uint8Array(16);
    if (c.getRandomValues) c.getRandomValues(a); else for (var i = 0; i < 16; i++) a[i] = Math.random() * 256;
    a[6] = (a[6] & 15) | 64; a[8] = (a[8] & 63) | 128;
    var x = Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    return x.slice(0, 8) + "-" + x.slice(8, 12) + "-" + x.slice(12, 16) + "-" + x.slice(16, 20) + "-" + x.slice(20);
  }
  function send(evt) {
    evt.id = uuid();
    evt.unit_id = unit.id; evt.title = unit.title; evt.page = location.pathname; evt.ts = Date.now();
    call("POST", "events", { events: [evt] }).catch(function () { /* best effort */ });
  }
  var pending = {};
  window.Unstuck = window.Unstuck || {};
  window.Unstuck._definePlayers = function (players) {
    send({ type: "unit_viewed", trigger: "help-center" });
    players.render(box, unit, { t: t, h: h, send: send,
      saveTicks: function (ticks) { return call("PUT", "checklists/" + unit.id, { ticked: ticks }); },
      answer: function (question, ids) {
        // One id per attempt: a retried request is recorded once.
        var key = question + ":" + ids.join(","), body = pending[key] ||
          (pending[key] = { id: uuid(), question: question, choice_ids: ids, page: location.pathname, ts: Date.now() });
        return call("POST", "answers/" + unit.id, body).then(function (r) { delete pending[key]; return r; });
      } });
    var out = h("div", { class: "row", role: "group", "aria-label": t("helpful") }, [h("span", { text: t("helpful") })]);
    [["yes", true], ["no", false]].forEach(function (p) {
      out.appendChild(h("button", { class: "k s", type: "button", text: t(p[0]), onclick: function () {
        send({ type: "helpful", helpful: p[1] }); out.textContent = t("thanks");
      } }));
    });
    box.appendChild(out);
  };
})();
