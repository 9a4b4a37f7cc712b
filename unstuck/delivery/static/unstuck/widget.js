/* Unstuck widget core: the help button, the panel, tooltips/hotspots/error tips, Unstuck.track.
 * Plain JS, no build step. Everything renders in a Shadow DOM; every entry point is
 * wrapped so nothing is ever thrown into the host page; the only global is window.Unstuck.
 * Players for unit kinds live in players.js, loaded the first time a unit is opened. */
(function () {
  "use strict";
  var W = window, D = document;
  var prev = W.Unstuck;
  if (prev && prev.version) return;
  var early = (prev && prev.q) || [];
  var PLAYERS_URL = "__PLAYERS_URL__";
  var TIMEOUT = 5000, RETRIES = [200, 500, 1000, 2000, 4000];

  function safe(fn) {
    return function () {
      try { return fn.apply(this, arguments); } catch (e) { try { console.warn("Unstuck:", e); } catch (_) { /* */ } }
    };
  }
  function store(kind, key, value) {
    try {
      var s = W[kind];
      if (value === undefined) return s.getItem(key);
      s.setItem(key, value);
    } catch (e) { return null; }
  }
  function rid() {
    var a = new Uint8Array(12);
    (W.crypto || {}).getRandomValues ? W.crypto.getRandomValues(a) : a.forEach(function (_, i) { a[i] = Math.random() * 256; });
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  /* An event's id (its xAPI statement id): a resent batch is recorded once. randomUUID needs
   * a secure context; elsewhere a v4 UUID is made from getRandomValues (or Math.random). */
  function uuid() {
    var c = W.crypto || {};
    if (typeof c.randomUUID === "function") { try { return c.randomUUID(); } catch (e) { /* fall back */ } }
    var a = new Uint8Array(16);
    if (c.getRandomValues) c.getRandomValues(a); else for (var i = 0; i < 16; i++) a[i] = Math.random() * 256;
    a[6] = (a[6] & 15) | 64; a[8] = (a[8] & 63) | 128;
    var x = Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    return x.slice(0, 8) + "-" + x.slice(8, 12) + "-" + x.slice(12, 16) + "-" + x.slice(16, 20) + "-" + x.slice(20);
  }

  var script = D.currentScript || D.querySelector("script[data-app][src*='widget.js']");
  if (!script) return;
  var ds = script.dataset;
  var BASE = (ds.api || new URL(script.src, location.href).origin).replace(/\/$/, "");
  var APP = ds.app || "", TOKEN = ds.token || "";
  var ANON = TOKEN ? "" : (store("localStorage", "unstuck.anon") || "");
  if (!TOKEN && !ANON) { ANON = rid(); store("localStorage", "unstuck.anon", ANON); }
  var SESSION = store("sessionStorage", "unstuck.session") || rid();
  store("sessionStorage", "unstuck.session", SESSION);
  var FALLBACK = /^hu/i.test(ds.locale || D.documentElement.lang || navigator.language || "")
    ? { button: "Segítség, elakadtam!", unavailable: "A súgó most nem érhető el", close: "Bezárás", loading: "Betöltés…" }
    : { button: "Help, I'm stuck!", unavailable: "Help is unavailable right now", close: "Close help", loading: "Loading…" };

  var S = { ctx: null, strings: FALLBACK, down: false, field: "", fieldEl: null, open: false, queue: [],
    anchors: {}, tips: {}, dismissed: {}, shownErrors: {}, missing: {}, path: location.pathname, players: null, lastFocus: null };

  function t(key, vars) {
    var s = (S.strings && S.strings[key]) || FALLBACK[key] || key;
    for (var k in vars || {}) s = s.replace("{" + k + "}", vars[k]);
    return s;
  }

  /* --- network ------------------------------------------------------------------------- */
  function api(path, opts) {
    opts = opts || {};
    var ctl = new AbortController();
    var timer = setTimeout(function () { ctl.abort(); }, opts.timeout || TIMEOUT);
    var headers = { "X-Unstuck-App": APP };
    if (TOKEN) headers.Authorization = "Bearer " + TOKEN; else headers["X-Unstuck-Anon"] = ANON;
    if (opts.body !== undefined) headers["Content-Type"] = "application/json";
    return fetch(BASE + "/widget/v1/" + path, {
      method: opts.method || "GET", headers: headers, signal: ctl.signal, credentials: "omit", mode: "cors",
      referrerPolicy: "strict-origin-when-cross-origin",
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body)
    }).then(function (r) {
      clearTimeout(timer);
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) {
          var err = new Error((data.error && data.error.message) || "HTTP " + r.status);
          err.status = r.status; err.code = data.error && data.error.code;
          throw err;
        }
        return data;
      });
    }, function (e) { clearTimeout(timer); throw e; });
  }

  function base(evt) {
    evt.id = evt.id || uuid();
    evt.ts = evt.ts || Date.now();
    evt.page = evt.page || location.pathname;
    evt.session = SESSION;
    if (evt.field === undefined && S.field) evt.field = S.field;
    return evt;
  }
  function send(evt, soon) {
    S.queue.push(base(evt));
    if (soon || S.queue.length >= 20) flush();
    else if (!S.flushTimer) S.flushTimer = setTimeout(flush, 4000);
  }
  var flush = safe(function () {
    clearTimeout(S.flushTimer); S.flushTimer = null;
    if (!S.queue.length || !APP) return;
    var batch = S.queue.splice(0, 100);
    store("sessionStorage", "unstuck.sent", "1");
    api("events", { method: "POST", body: { events: batch } }).then(safe(function (res) {
      (res.nudges || []).forEach(showNudge);
      if (res.pulse) showPulse(res.pulse);
    }), function (e) {
      // Keep the batch for the next try (bounded) unless the server refused it outright.
      if (!e.status || e.status >= 500) S.queue = batch.concat(S.queue).slice(-200);
      if (S.queue.length && !S.flushTimer) S.flushTimer = setTimeout(flush, 8000);
    });
  });
  var beacon = safe(function () {
    if (!S.queue.length || !navigator.sendBeacon) return;
    var body = JSON.stringify({ app: APP, token: TOKEN || undefined, anon_id: TOKEN ? undefined : ANON, events: S.queue.splice(0, 100) });
    store("sessionStorage", "unstuck.sent", "1");
    navigator.sendBeacon(BASE + "/widget/v1/events", new Blob([body], { type: "text/plain" }));
  });

  /* --- DOM helpers ----------------------------------------------------------------------- */
  function h(tag, attrs, kids) {
    var el = D.createElement(tag);
    for (var k in attrs || {}) {
      var v = attrs[k];
      if (v == null || v === false) continue;
      if (k.slice(0, 2) === "on") el.addEventListener(k.slice(2), safe(v));
      else if (k === "text") el.textContent = v;
      else if (k === "html") el.innerHTML = v; /* only server-sanitised HTML */
      else el.setAttribute(k, v === true ? "" : v);
    }
    [].concat(kids || []).forEach(function (c) { if (c != null) el.appendChild(typeof c === "string" ? D.createTextNode(c) : c); });
    return el;
  }
  function visible(el) { return !!(el && el.isConnected && el.getClientRects().length); }

  var TEXT_TAGS = "label,button,a,legend,th,h1,h2,h3,h4,h5,h6,[role=button],span,p,div";
  function byText(text) {
    var want = text.trim().toLowerCase(), list = D.querySelectorAll(TEXT_TAGS);
    for (var i = 0; i < list.length; i++) {
      var el = list[i];
      if (el.closest("unstuck-widget") || el.children.length > 2) continue;
      if ((el.textContent || "").trim().toLowerCase() === want) {
        if (el.tagName === "LABEL" && el.control) return el.control;
        return el;
      }
    }
    return null;
  }
  function q(sel) { try { return D.querySelector(sel); } catch (e) { return null; } }
  function findOne(sel) {
    if (!sel) return null;
    var E = W.CSS && CSS.escape ? CSS.escape : function (s) { return s.replace(/["\\]/g, "\\$&"); };
    if (sel.id) return D.getElementById(sel.id);
    if (sel.name) return q('[name="' + E(sel.name) + '"]');
    if (sel.aria_label) return q('[aria-label="' + E(sel.aria_label) + '"]');
    if (sel.data) return q("[data-" + sel.data.attr + (sel.data.value != null ? '="' + E(sel.data.value) + '"' : "") + "]");
    if (sel.text) return byText(sel.text);
    if (sel.css) return q(sel.css);
    return null;
  }
  function find(selectors) {
    for (var i = 0; i < (selectors || []).length; i++) {
      var el = findOne(selectors[i]);
      if (el && visible(el)) return el;
    }
    return null;
  }

  /* --- the shadow root ----------------------------------------------------------------- */
  var host, root, btn, panel, body, live, layer;
  var CSS_TEXT = ":host{all:initial!important;position:fixed!important;z-index:2147483000!important;top:0!important;left:0!important;width:0!important;height:0!important;display:block!important}" +
    ".r{all:initial;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#111827;letter-spacing:normal;text-align:left;text-transform:none;word-spacing:normal;white-space:normal;visibility:visible}" +
    ".r *{box-sizing:border-box;font:inherit;color:inherit;margin:0;letter-spacing:inherit;text-transform:none}" +
    ".b{position:fixed;z-index:3;display:flex;align-items:center;gap:6px;padding:10px 16px;border:0;border-radius:999px;background:var(--c);color:#fff;font-weight:600;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25)}" +
    ".b[aria-disabled=true]{background:#4b5563}" +
    ".br{right:20px;bottom:20px}.bl{left:20px;bottom:20px}.tr{right:20px;top:20px}.tl{left:20px;top:20px}" +
    "button,a,input,textarea,[tabindex]{outline:none}" +
    ":focus-visible{outline:3px solid #f59e0b!important;outline-offset:2px}" +
    ".p{position:fixed;z-index:4;width:min(400px,calc(100vw - 24px));max-height:min(640px,calc(100vh - 90px));display:flex;flex-direction:column;background:#fff;border:1px solid #d1d5db;border-radius:12px;box-shadow:0 12px 40px rgba(0,0,0,.3);overflow:hidden}" +
    ".p[hidden],[hidden]{display:none!important}" +
    ".ph{display:flex;align-items:center;justify-content:space-between;padding:12px 14px;background:var(--c);color:#fff}.ph h2{font-size:16px;font-weight:700}" +
    ".x{background:transparent;border:0;color:inherit;font-size:20px;line-height:1;cursor:pointer;padding:2px 8px;border-radius:6px}" +
    ".pb{overflow:auto;padding:12px 14px;display:flex;flex-direction:column;gap:12px}" +
    "h3{font-size:12px;font-weight:700;text-transform:uppercase;color:#4b5563}" +
    "ul{list-style:none;padding:0;display:flex;flex-direction:column;gap:6px}" +
    ".u{display:block;width:100%;text-align:left;background:#f9fafb;border:1px solid #e5e7eb;border-radius:8px;padding:8px 10px;cursor:pointer}" +
    ".u:hover{background:#eef2ff}.u b{display:block;font-weight:600;color:#1e3a8a}.u small,.m{font-size:12px;color:#4b5563}" +
    "input,textarea{width:100%;padding:8px 10px;border:1px solid #6b7280;border-radius:8px;background:#fff;color:#111827}" +
    ".k{display:inline-block;padding:6px 12px;border-radius:8px;border:1px solid var(--c);background:var(--c);color:#fff;cursor:pointer;font-weight:600}" +
    ".k.s{background:#fff;color:var(--c)}" +
    ".row{display:flex;gap:8px;align-items:center;flex-wrap:wrap}a{color:#1d4ed8;text-decoration:underline;cursor:pointer}" +
    ".tip{position:fixed;z-index:2;max-width:300px;background:#111827;color:#f9fafb;border-radius:8px;padding:10px 12px;box-shadow:0 6px 20px rgba(0,0,0,.3)}" +
    ".tip b{display:block;margin-bottom:4px}.tip .k{margin-top:8px;border-color:#93c5fd;background:#93c5fd;color:#111827}.tip .x{position:absolute;top:4px;right:4px;color:#f9fafb}" +
    ".tip.e{background:#7f1d1d}" +
    ".hs{position:fixed;z-index:2;width:18px;height:18px;border-radius:50%;background:var(--c);border:2px solid #fff;cursor:pointer;box-shadow:0 0 0 4px rgba(29,78,216,.35)}" +
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}" +
    ".pl{display:flex;flex-direction:column;gap:10px}.pl img,.pl video{max-width:100%}";

  function mount() {
    host = D.createElement("unstuck-widget");
    host.setAttribute("data-unstuck", "");
    root = host.attachShadow({ mode: "open" });
    root.appendChild(h("style", { text: CSS_TEXT }));
    var r = h("div", { class: "r" });
    layer = h("div");
    live = h("div", { class: "sr", "aria-live": "polite" });
    btn = h("button", { class: "b br", type: "button", "aria-haspopup": "dialog", "aria-expanded": "false", onclick: toggle },
      [h("span", { "aria-hidden": "true", text: "?" }), h("span", { class: "bt", text: t("loading") })]);
    panel = h("div", { class: "p", role: "dialog", "aria-modal": "true", "aria-labelledby": "uh", hidden: true, onkeydown: trap });
    body = h("div", { class: "pb" });
    panel.appendChild(h("div", { class: "ph" }, [h("h2", { id: "uh", text: "Unstuck" }),
      h("button", { class: "x", type: "button", "aria-label": t("close"), onclick: close, text: "×" })]));
    panel.appendChild(body);
    r.appendChild(layer); r.appendChild(btn); r.appendChild(panel); r.appendChild(live);
    root.appendChild(r);
    r.style.setProperty("--c", "#1d4ed8");
    S.r = r;
    (D.body || D.documentElement).appendChild(host);
  }

  function applySettings() {
    var st = (S.ctx && S.ctx.settings) || {};
    var pos = { "bottom-left": "bl", "top-right": "tr", "top-left": "tl" }[st.position] || "br";
    btn.className = "b " + pos;
    panel.style.cssText = pos[0] === "b" ? "bottom:76px;" + (pos[1] === "l" ? "left:20px" : "right:20px") : "top:76px;" + (pos[1] === "l" ? "left:20px" : "right:20px");
    if (/^#[0-9a-f]{3,8}$/i.test(st.color || "")) S.r.style.setProperty("--c", st.color);
    panel.querySelector("h2").textContent = t("panel_title");
    panel.querySelector(".x").setAttribute("aria-label", t("close"));
    label();
  }
  function label() {
    var st = (S.ctx && S.ctx.settings) || {};
    btn.querySelector(".bt").textContent = S.down ? t("unavailable") : (st.label || t("button"));
    btn.setAttribute("aria-disabled", S.down ? "true" : "false");
    if (st.shortcut && !S.down) btn.title = t("shortcut_hint", { key: st.shortcut });
  }

  /* --- context --------------------------------------------------------------------------- */
  var loadContext = safe(function () {
    S.path = location.pathname;
    // After sending events, ask for nudges fresh: they may have been made from those events.
    var fresh = store("sessionStorage", "unstuck.sent") ? "&fresh=1" : "";
    store("sessionStorage", "unstuck.sent", "");
    return api("context?url=" + encodeURIComponent(location.pathname + location.search) + fresh).then(safe(function (ctx) {
      S.ctx = ctx; S.strings = ctx.strings || FALLBACK; S.down = false;
      S.tips = {}; S.dismissed = {}; S.shownErrors = {}; S.missing = {}; S.focusHandled = null; layer.textContent = "";
      applySettings(); scan(); retry(0);
      (ctx.nudges || []).forEach(showNudge);
      if (S.open) renderHome();
    }), safe(function (e) {
      S.down = true; S.ctx = null; label();
      if (e && e.status) console.warn("Unstuck: help is unavailable: " + e.message);
    }));
  });

  function placements() { return (S.ctx && S.ctx.placements) || []; }

  /* --- tooltips, hotspots, error tips ------------------------------------------------- */
  function place(box, el) {
    var r = el.getBoundingClientRect();
    var top = r.bottom + 8, left = Math.max(8, Math.min(r.left, innerWidth - 310));
    if (top + 120 > innerHeight) top = Math.max(8, r.top - 8 - (box.offsetHeight || 100));
    box.style.top = top + "px"; box.style.left = left + "px";
  }
  function card(p, el, kind) {
    if (S.tips[p.id]) return S.tips[p.id];
    var u = p.unit;
    var box = h("div", { class: "tip" + (kind === "error" ? " e" : ""), role: kind === "error" ? "alert" : "tooltip", id: "t" + p.id }, [
      h("button", { class: "x", type: "button", "aria-label": t("dismiss"), text: "×", onclick: function () { S.dismissed[p.id] = 1; hide(p.id); } }),
      h("b", { text: u.title }), h("span", { text: u.summary || "" }), h("br"),
      h("button", { class: "k", type: "button", text: t("open"), onclick: function () { openUnit(u, p, kind === "error" ? "error-tip" : "tooltip"); } })
    ]);
    layer.appendChild(box);
    S.tips[p.id] = { box: box, el: el };
    if (el) place(box, el); else { box.style.bottom = "80px"; box.style.right = "20px"; }
    if (p.auto !== false) send({ type: "placement_shown", placement_id: p.id });
    return S.tips[p.id];
  }
  function hide(id) { var tp = S.tips[id]; if (tp) { tp.box.remove(); delete S.tips[id]; } }
  function hotspot(p, el) {
    var key = "h" + p.id;
    if (S.tips[key]) { S.tips[key].el = el; return; }
    var dot = h("button", { class: "hs", type: "button", "aria-label": t("tip") + ": " + p.unit.title, onclick: function () { openUnit(p.unit, p, "hotspot"); } });
    layer.appendChild(dot);
    S.tips[key] = { box: dot, el: el, hs: true };
    reposition();
  }
  var reposition = safe(function () {
    for (var id in S.tips) {
      var tp = S.tips[id];
      if (!tp.el) continue;
      if (!visible(tp.el)) { tp.box.hidden = true; continue; }
      tp.box.hidden = false;
      if (tp.hs) { var r = tp.el.getBoundingClientRect(); tp.box.style.top = (r.top - 9) + "px"; tp.box.style.left = (r.right - 9) + "px"; }
      else place(tp.box, tp.el);
    }
  });

  /* Find the placed elements; called on load, DOM changes (debounced) and retries. */
  var scan = safe(function () {
    placements().forEach(function (p) {
      if (p.element && p.element.length) {
        var el = find(p.element);
        S.anchors[p.id] = el;
        if (el && p.presentation === "hotspot" && p.trigger === "page_shown") hotspot(p, el);
        if (el && p.presentation === "tooltip" && p.trigger === "page_shown" && p.auto !== false && !S.tips[p.id] && !S.dismissed[p.id]) card(p, el);
        if (S.tips[p.id]) S.tips[p.id].el = el || S.tips[p.id].el;
      }
      if (p.trigger === "error_shown") checkError(p);
    });
    // A field focused before its placement's element was found (late render, SPA).
    var active = D.activeElement;
    if (active && active !== D.body && active !== host && active !== S.focusHandled) onFocus({ target: active });
    reposition();
  });
  function retry(i) {
    if (i >= RETRIES.length) {
      placements().forEach(function (p) {
        if (p.element && p.element.length && !S.anchors[p.id] && !S.missing[p.id] && p.trigger !== "error_shown") {
          S.missing[p.id] = 1;
          send({ type: "target_missing", placement_id: p.id, unit_id: p.unit.id, field: p.field });
        }
      });
      flush();
      return;
    }
    S.retryTimer = setTimeout(function () { scan(); retry(i + 1); }, RETRIES[i]);
  }
  function checkError(p) {
    var cfg = p.trigger_config || {}, el = null;
    if (cfg.selector) {
      el = findOne(cfg.selector);
      if (el && (!visible(el) || (cfg.text && (el.textContent || "").toLowerCase().indexOf(cfg.text.toLowerCase()) < 0))) el = null;
    } else if (cfg.text && (D.body.textContent || "").toLowerCase().indexOf(cfg.text.toLowerCase()) >= 0) {
      el = byContains(cfg.text);
    }
    if (el && !S.shownErrors[p.id]) { S.shownErrors[p.id] = 1; errorTip(p, el, { trigger: "error-shown" }); }
    if (!el && S.shownErrors[p.id]) { S.shownErrors[p.id] = 0; hide(p.id); }
  }
  function byContains(text) {
    var want = text.toLowerCase(), walker = D.createTreeWalker(D.body, NodeFilter.SHOW_TEXT), n;
    while ((n = walker.nextNode())) {
      if (n.nodeValue.toLowerCase().indexOf(want) >= 0 && visible(n.parentElement)) return n.parentElement;
    }
    return null;
  }
  function errorTip(p, el) {
    var anchor = S.anchors[p.id] || find(p.element) || el;
    hide(p.id);
    card(p, anchor, "error");
  }

  /* --- Unstuck.track and the host's signals ---------------------------------------------- */
  function tasks(v) {
    if (v === undefined) { try { return JSON.parse(store("sessionStorage", "unstuck.tasks") || "{}"); } catch (e) { return {}; } }
    store("sessionStorage", "unstuck.tasks", JSON.stringify(v));
  }
  var track = safe(function (name, data) {
    data = data && typeof data === "object" ? data : {};
    name = String(name || "");
    var evt = { data: data, field: data.field, task: data.task };
    if (/^task_(started|completed|failed)$/.test(name)) {
      var all = tasks(), key = String(data.task || "");
      if (!key) return;
      evt.type = name;
      if (name === "task_started") all[key] = Date.now();
      else {
        if (typeof data.duration_ms === "number") evt.duration_ms = data.duration_ms;
        else if (all[key]) evt.duration_ms = Date.now() - all[key];
        delete all[key];
      }
      tasks(all);
    } else if (name === "error") {
      evt.type = "error"; evt.code = data.code; evt.message = data.message;
    } else {
      evt.type = "custom"; evt.name = name;
    }
    send(evt, name !== "task_started");
    placements().forEach(function (p) {
      var cfg = p.trigger_config || {};
      if ((p.trigger === "error_event" && name === "error" && cfg.code === data.code) ||
          (p.trigger === "custom_event" && cfg.name === name)) errorTip(p, null);
    });
  });

  /* Which placed field has focus: its tooltips show and the panel lists it first. */
  var onFocus = safe(function (e) {
    var target = e.target;
    if (!target || target === host) return;
    S.focusHandled = target;
    var hit = null;
    placements().forEach(function (p) {
      var el = S.anchors[p.id];
      if (!hit && el && (el === target || el.contains(target)) && p.field) hit = p.field;
    });
    S.field = hit || "";
    S.fieldEl = hit ? target : null;
    placements().forEach(function (p) {
      if (p.trigger !== "field_focused") return;
      var el = S.anchors[p.id];
      if (el && (el === target || el.contains(target))) {
        if (p.presentation === "tooltip" || p.presentation === "hotspot" || p.presentation === "error_tip") card(p, el);
      } else if (S.tips[p.id] && !S.shownErrors[p.id]) hide(p.id);
    });
  });

  /* --- the panel ------------------------------------------------------------------------ */
  function focusables() {
    return [].filter.call(panel.querySelectorAll("button,a[href],input,textarea,select,[tabindex]:not([tabindex='-1'])"), function (el) { return !el.disabled && el.getClientRects().length; });
  }
  function trap(e) {
    if (e.key === "Escape") { e.stopPropagation(); close(); return; }
    if (e.key !== "Tab") return;
    var f = focusables(); if (!f.length) return;
    var first = f[0], last = f[f.length - 1], active = root.activeElement;
    if (e.shiftKey && (active === first || !panel.contains(active))) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && (active === last || !panel.contains(active))) { e.preventDefault(); first.focus(); }
  }
  function toggle() { S.open ? close() : openPanel("stuck-button"); }
  var openPanel = safe(function (trigger) {
    if (S.down) { live.textContent = t("unavailable"); loadContext(); return; }
    if (!S.open) S.lastFocus = D.activeElement;
    S.open = true; panel.hidden = false; btn.setAttribute("aria-expanded", "true");
    renderHome();
    if (trigger === "stuck-button") send({ type: "help_pressed", trigger: trigger }, true);
    var f = focusables(); if (f.length) (f[1] || f[0]).focus();
    loadPlayers();
  });
  var close = safe(function () {
    S.open = false; panel.hidden = true; btn.setAttribute("aria-expanded", "false");
    var back = S.lastFocus && S.lastFocus.isConnected && S.lastFocus !== D.body ? S.lastFocus : null;
    if (back && back.focus) back.focus(); else btn.focus();
  });
  function unitItem(u, p, trigger) {
    var mins = u.duration_s >= 60 ? t("minutes", { n: Math.round(u.duration_s / 60) }) : t("seconds", { n: u.duration_s || 0 });
    return h("li", null, h("button", { class: "u", type: "button", onclick: function () { openUnit(u, p, trigger); } },
      [h("b", { text: u.title }), h("small", { text: (p && p.is_release_note ? t("new") + " · " : "") + mins + (u.summary ? " · " + u.summary : "") })]));
  }
  function renderHome() {
    body.textContent = "";
    var ps = placements(), seen = {}, field = [], page = [];
    ps.forEach(function (p) {
      if (seen[p.unit.id]) return;
      if (S.field && p.field === S.field) { field.push(p); seen[p.unit.id] = 1; }
    });
    ps.forEach(function (p) { if (!seen[p.unit.id]) { page.push(p); seen[p.unit.id] = 1; } });
    if (field.length) body.appendChild(h("section", null, [h("h3", { text: t("for_this_field") }), h("ul", null, field.map(function (p) { return unitItem(p.unit, p, "panel"); }))]));
    body.appendChild(h("section", null, [h("h3", { text: t("for_this_page") }), page.length ? h("ul", null, page.map(function (p) { return unitItem(p.unit, p, "panel"); })) : h("p", { class: "m", text: t("nothing_placed") })]));
    var results = h("ul", { "aria-live": "polite" });
    var input = h("input", { type: "search", "aria-label": t("search"), placeholder: t("search_placeholder") });
    var timer;
    input.addEventListener("input", safe(function () {
      clearTimeout(timer);
      timer = setTimeout(function () { search(input.value, results); }, 250);
    }));
    body.appendChild(h("section", { role: "search" }, [h("h3", { text: t("search") }), input, results]));
    var today = h("section", null, [h("h3", { text: t("today") })]);
    body.appendChild(today);
    api("today").then(safe(function (d) { renderToday(today, d); }), function () { today.hidden = true; });
    var answer = h("div", { "aria-live": "polite" }), qbox = h("input", { type: "text", "aria-label": t("ask_placeholder"), placeholder: t("ask_placeholder") });
    body.appendChild(h("section", null, [h("h3", { text: t("ask") }), h("form", { class: "row", onsubmit: function (e) { e.preventDefault(); ask(qbox.value, answer); } }, [qbox, h("button", { class: "k", type: "submit", text: t("ask_button") })]), answer]));
    body.appendChild(stillStuck());
  }
  function stillStuck() {
    var url = (S.ctx && S.ctx.help_center_url) || "";
    if (!url) return null;
    url += TOKEN ? "?token=" + encodeURIComponent(TOKEN) : "?app=" + encodeURIComponent(APP) + "&anon=" + encodeURIComponent(ANON);
    return h("p", null, h("a", { href: url, target: "_blank", rel: "noopener", text: t("still_stuck") }));
  }
  function search(text, list) {
    text = text.trim();
    if (!text) { list.textContent = ""; return; }
    api("search?q=" + encodeURIComponent(text)).then(safe(function (d) {
      list.textContent = "";
      if (!d.results.length) list.appendChild(h("li", { class: "m", text: t("no_results") }));
      d.results.forEach(function (r) { list.appendChild(unitItem(r.unit, null, "search")); });
    }), function () { list.textContent = t("error"); });
  }
  function renderToday(box, d) {
    var items = (d && d.items) || [];
    if (!items.length) { box.appendChild(h("p", { class: "m", text: t("today_empty") })); return; }
    items.forEach(function (c) {
      var fb = h("p", { class: "m", "aria-live": "polite" }), row = h("div", { class: "row" });
      function answer(ids) {
        if (!ids.length) return;
        api("today/" + encodeURIComponent(c.card_id), { method: "POST", body: { choice_id: ids.join(",") } }).then(safe(function (r) {
          fb.textContent = (r.correct ? t("correct") : t("incorrect")) + " " + (r.feedback || "");
        }), function () { fb.textContent = t("error"); });
      }
      (c.choices || []).forEach(function (ch) {
        row.appendChild(c.multiple
          ? h("label", null, [h("input", { type: "checkbox", value: ch.id, style: "width:auto" }), " " + ch.text])
          : h("button", { class: "k s", type: "button", text: ch.text, onclick: function () { answer([ch.id]); } }));
      });
      if (c.multiple) row.appendChild(h("button", { class: "k", type: "button", text: t("check"), onclick: function () {
        answer([].map.call(row.querySelectorAll("input:checked"), function (i) { return i.value; }));
      } }));
      box.appendChild(h("div", null, [h("p", { text: c.question }), row, fb]));
    });
  }
  function ask(question, out) {
    if (!question.trim()) return;
    out.textContent = t("loading");
    api("ask", { method: "POST", body: { question: question } }).then(safe(function (d) {
      out.textContent = "";
      out.appendChild(h("p", { text: d.found ? d.answer : t("no_answer") }));
      if ((d.citations || []).length) out.appendChild(h("ul", null, d.citations.map(function (c) { return unitItem({ id: c.unit_id, title: c.title }, null, "assistant"); })));
    }), function () { out.textContent = t("error"); });
  }

  /* --- opening a unit ------------------------------------------------------------------- */
  function loadPlayers() {
    if (S.playersLoading) return S.playersLoading;
    S.playersLoading = new Promise(function (ok, fail) {
      if (S.players) return ok();
      var s = D.createElement("script");
      s.src = PLAYERS_URL.charAt(0) === "/" ? BASE + PLAYERS_URL : PLAYERS_URL;
      s.async = true;
      s.onload = function () { S.players ? ok() : fail(new Error("players")); };
      s.onerror = function () { S.playersLoading = null; fail(new Error("players")); };
      (D.head || D.documentElement).appendChild(s);
    });
    return S.playersLoading;
  }
  var openUnit = safe(function (u, p, trigger) {
    if (!S.open) { S.lastFocus = D.activeElement; S.open = true; panel.hidden = false; btn.setAttribute("aria-expanded", "true"); }
    if (p) { S.dismissed[p.id] = 1; hide(p.id); }
    body.textContent = "";
    var back = h("button", { class: "k s", type: "button", text: "← " + t("back"), onclick: renderHome });
    var box = h("div", { class: "pl", "aria-busy": "true" }, h("p", { class: "m", text: t("loading") }));
    body.appendChild(back); body.appendChild(box);
    back.focus();
    var ctx = { placement_id: p ? p.id : undefined, field: (p && p.field) || S.field || undefined, trigger: trigger };
    Promise.all([api("units/" + encodeURIComponent(u.id)), loadPlayers()]).then(safe(function (res) {
      var unit = res[0], answers = {};
      box.textContent = ""; box.removeAttribute("aria-busy");
      var evt = function (e, soon) { for (var k in ctx) if (e[k] === undefined) e[k] = ctx[k]; e.unit_id = unit.id; e.title = unit.title; send(e, soon); };
      evt({ type: "unit_viewed" });
      S.players.render(box, unit, {
        t: t, h: h, send: evt, base: BASE,
        saveTicks: function (ticks) { return api("checklists/" + unit.id, { method: "PUT", body: { ticked: ticks } }); },
        answer: function (question, ids) {
          // One id per attempt: a retried request is recorded once.
          var key = question + ":" + ids.join(","), e = answers[key] || (answers[key] = base({ question: question, choice_ids: ids }));
          for (var k in ctx) if (e[k] === undefined) e[k] = ctx[k];
          return api("units/" + encodeURIComponent(unit.id) + "/answers", { method: "POST", body: e }).then(function (r) {
            delete answers[key];
            (r.nudges || []).forEach(showNudge);
            return r;
          });
        }
      });
      box.appendChild(helpful(evt));
      box.appendChild(stillStuck());
    }), function () { box.textContent = t("error"); });
  });
  function helpful(evt) {
    var out = h("div", { class: "row", role: "group", "aria-label": t("helpful") });
    function rate(yes) { evt({ type: "helpful", helpful: yes }, true); out.textContent = t("thanks"); }
    out.appendChild(h("span", { text: t("helpful") }));
    out.appendChild(h("button", { class: "k s", type: "button", text: t("yes"), onclick: function () { rate(true); } }));
    out.appendChild(h("button", { class: "k s", type: "button", text: t("no"), onclick: function () { rate(false); } }));
    return out;
  }
  function showNudge(n) {
    if (!n || !n.unit_id || S.tips["n" + n.id]) return;
    var shown = (store("sessionStorage", "unstuck.nudges") || "").split(",");
    if (shown.indexOf(String(n.id)) >= 0) return;
    store("sessionStorage", "unstuck.nudges", shown.concat(String(n.id)).slice(-50).join(","));
    var box = h("div", { class: "tip", role: "status" }, [
      h("button", { class: "x", type: "button", "aria-label": t("dismiss"), text: "×", onclick: function () { box.remove(); } }),
      h("b", { text: n.title }), h("span", { text: n.reason || "" }), h("br"),
      h("button", { class: "k", type: "button", text: t("open"), onclick: function () {
        box.remove(); send({ type: "nudge_opened", nudge_id: n.id, unit_id: n.unit_id }, true);
        openUnit({ id: n.unit_id, title: n.title }, null, "nudge");
      } })]);
    box.style.right = "20px"; box.style.bottom = "80px";
    layer.appendChild(box);
    S.tips["n" + n.id] = { box: box, el: null };
    send({ type: "nudge_shown", nudge_id: n.id, unit_id: n.unit_id });
  }
  function showPulse(pl) {
    var box = h("div", { class: "tip", role: "group", "aria-label": pl.question || t("pulse") }, [h("b", { text: pl.question || t("pulse") })]);
    var row = h("div", { class: "row" });
    [1, 2, 3, 4, 5].forEach(function (n) {
      row.appendChild(h("button", { class: "k", type: "button", text: String(n), onclick: function () {
        send({ type: "pulse_answered", pulse_id: pl.id, confidence: n, task: pl.task, unit_id: pl.unit_id }, true); box.remove();
      } }));
    });
    box.appendChild(row); box.appendChild(h("button", { class: "x", type: "button", "aria-label": t("dismiss"), text: "×", onclick: function () { box.remove(); } }));
    box.style.right = "20px"; box.style.bottom = "80px";
    layer.appendChild(box);
  }

  /* --- keyboard shortcut, SPA navigation, DOM changes ---------------------------------- */
  function shortcutMatches(e) {
    var sc = ((S.ctx && S.ctx.settings && S.ctx.settings.shortcut) || "").toLowerCase().split("+");
    var key = sc.pop();
    if (!key) return false;
    var code = e.code || "";
    return (e.key || "").toLowerCase() === key || code.toLowerCase() === "key" + key || code.toLowerCase() === "digit" + key ?
      e.altKey === sc.indexOf("alt") >= 0 && e.ctrlKey === sc.indexOf("ctrl") >= 0 &&
      e.shiftKey === sc.indexOf("shift") >= 0 && e.metaKey === sc.indexOf("meta") >= 0 : false;
  }
  var onKey = safe(function (e) {
    if (shortcutMatches(e)) { e.preventDefault(); toggle(); }
  });
  var navigated = safe(function () {
    if (location.pathname === S.path) return;
    clearTimeout(S.retryTimer);
    flush(); loadContext();
  });
  var pending = 0;
  var onMutate = safe(function () {
    if (pending) return;
    pending = setTimeout(function () { pending = 0; scan(); }, 120);
  });

  var start = safe(function () {
    if (!D.body) { D.addEventListener("DOMContentLoaded", start); return; }
    mount();
    ["pushState", "replaceState"].forEach(function (m) {
      var orig = history[m];
      if (typeof orig !== "function") return;
      history[m] = function () { var r = orig.apply(this, arguments); setTimeout(navigated, 0); return r; };
    });
    W.addEventListener("popstate", navigated);
    W.addEventListener("hashchange", navigated);
    D.addEventListener("focusin", onFocus, true);
    D.addEventListener("keydown", onKey);
    W.addEventListener("scroll", reposition, true);
    W.addEventListener("resize", reposition);
    W.addEventListener("pagehide", beacon);
    D.addEventListener("visibilitychange", function () { if (D.visibilityState === "hidden") beacon(); });
    if (W.MutationObserver) new MutationObserver(onMutate).observe(D.body, { childList: true, subtree: true, characterData: true });
    loadContext();
  });

  W.Unstuck = {
    version: "1",
    track: track,
    open: safe(function () { openPanel("api"); }),
    close: close,
    setToken: safe(function (token) { TOKEN = String(token || ""); loadContext(); }),
    flush: flush,
    _definePlayers: function (p) { S.players = p; }
  };
  early.forEach(function (call) { try { W.Unstuck[call[0]].apply(null, call[1]); } catch (e) { /* ignore */ } });
  start();
})();
