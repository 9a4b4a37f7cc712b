/* Unstuck players: one renderer per unit kind, shared by the widget and the help center.
 * Loaded lazily by widget.js the first time a unit opens; registers itself through
 * window.Unstuck._definePlayers (the only global the widget owns).
 * render(box, unit, ctx): ctx = {t, h, send(event, soon), saveTicks(ticks) -> Promise}. */
(function () {
  "use strict";
  var U = window.Unstuck;
  if (!U || !U._definePlayers) return;

  function html(h, markup) { return h("div", { class: "md", html: markup || "" }); }
  /* Media paths live on the Unstuck server (ctx.base), not on the host page's origin. */
  var BASE = "";
  function mediaUrl(src) {
    if (/^(https?:|data:|blob:|\/\/)/.test(src)) return src;
    return BASE + (src.charAt(0) === "/" ? src : "/media/" + src);
  }
  function fmt(s) { s = Math.floor(s || 0); return Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2); }
  function cues(vtt) {
    var out = [], lines = String(vtt || "").replace(/\r/g, "").split("\n"), i;
    function secs(t) { var p = t.trim().split(":").map(parseFloat); return p.reduce(function (a, b) { return a * 60 + b; }, 0); }
    for (i = 0; i < lines.length; i++) {
      var m = lines[i].match(/([\d:.]+)\s*-->\s*([\d:.]+)/);
      if (!m) continue;
      var text = [];
      while (++i < lines.length && lines[i].trim()) text.push(lines[i]);
      out.push({ start: secs(m[1]), end: secs(m[2]), text: text.join(" ").replace(/<[^>]+>/g, "") });
    }
    return out;
  }

  function printView(title, node) {
    var w = window.open("", "_blank", "noopener=no");
    if (!w) return;
    w.document.title = title;
    var style = w.document.createElement("style");
    style.textContent = "body{font:14px/1.5 system-ui,sans-serif;max-width:720px;margin:24px auto;color:#000}h1{font-size:20px}li{margin:4px 0}";
    w.document.head.appendChild(style);
    var h1 = w.document.createElement("h1"); h1.textContent = title;
    w.document.body.appendChild(h1);
    w.document.body.appendChild(w.document.importNode(node, true));
    w.focus(); w.print();
  }

  var players = {
    guide: function (box, unit, c) {
      var steps = unit.payload.steps || [], i = 0, h = c.h;
      var view = h("div"), nav = h("div", { class: "row" });
      box.appendChild(view); box.appendChild(nav);
      function show() {
        var s = steps[i] || {};
        view.textContent = "";
        view.appendChild(h("p", { class: "m", text: c.t("step", { n: i + 1, total: steps.length }) }));
        view.appendChild(h("h4", { text: s.title || "" }));
        view.appendChild(s.body_html ? html(h, s.body_html) : h("p", { text: s.body || "" }));
        if (s.image) view.appendChild(h("img", { src: mediaUrl(s.image), alt: s.title || "" }));
        nav.textContent = "";
        if (i > 0) nav.appendChild(h("button", { class: "k s", type: "button", text: c.t("previous"), onclick: function () { i--; show(); } }));
        nav.appendChild(h("button", { class: "k", type: "button", text: i < steps.length - 1 ? c.t("next") : c.t("done"), onclick: function () {
          if (i < steps.length - 1) { i++; show(); } else { c.send({ type: "unit_completed" }, true); nav.textContent = c.t("thanks"); }
        } }));
        c.send({ type: "step_viewed", step: i });
      }
      if (unit.body_html) box.insertBefore(html(h, unit.body_html), view);
      show();
    },

    video: function (box, unit, c) { media(box, unit, c, "video"); },
    audio: function (box, unit, c) { media(box, unit, c, "audio"); },

    checklist: function (box, unit, c) {
      var h = c.h, items = unit.payload.items || [], ticked = {}, status = h("p", { class: "m", "aria-live": "polite" });
      (unit.ticked || []).forEach(function (n) { ticked[n] = true; });
      if (unit.body_html) box.appendChild(html(h, unit.body_html));
      var list = h("ul");
      function count() {
        var n = Object.keys(ticked).filter(function (k) { return ticked[k]; }).length;
        status.textContent = c.t("of_done", { n: n, total: items.length });
        return n;
      }
      items.forEach(function (it, n) {
        var id = "ck" + unit.id.slice(0, 8) + n;
        var cb = h("input", { type: "checkbox", id: id, checked: !!ticked[n], "data-item": String(n), style: "width:auto" });
        cb.addEventListener("change", function () {
          ticked[n] = cb.checked;
          var done = count();
          c.saveTicks(Object.keys(ticked).filter(function (k) { return ticked[k]; }).map(Number)).catch(function () { status.textContent = c.t("error"); });
          c.send({ type: "checklist_ticked", step: n, done: cb.checked });
          if (done === items.length) c.send({ type: "unit_completed" }, true);
        });
        list.appendChild(h("li", { class: "row" }, [cb, h("label", { for: id, text: it.text + (it.required ? " *" : "") }),
          it.details_html ? html(h, it.details_html) : null]));
      });
      box.appendChild(list); box.appendChild(status); count();
      if (unit.payload.printable !== false) box.appendChild(h("button", { class: "k s", type: "button", text: c.t("print"), onclick: function () { printView(unit.title, list); } }));
    },

    process_map: function (box, unit, c) {
      var h = c.h, nodes = unit.payload.nodes || [], edges = unit.payload.edges || [];
      var NS = "http://www.w3.org/2000/svg", out = {}, level = {}, byLevel = [];
      edges.forEach(function (e) { (out[e.from] = out[e.from] || []).push(e.to); });
      var start = (nodes.filter(function (n) { return n.type === "start"; })[0] || nodes[0] || {}).id, queue = [start];
      level[start] = 0;
      while (queue.length) {
        var id = queue.shift();
        (out[id] || []).forEach(function (to) { if (level[to] === undefined) { level[to] = level[id] + 1; queue.push(to); } });
      }
      nodes.forEach(function (n) { var l = level[n.id] === undefined ? 0 : level[n.id]; (byLevel[l] = byLevel[l] || []).push(n); });
      var W = 340, RH = 74, pos = {};
      byLevel.forEach(function (row, l) { row.forEach(function (n, i) { pos[n.id] = { x: (W / (row.length + 1)) * (i + 1), y: 30 + l * RH }; }); });
      function el(tag, attrs, text) { var e = document.createElementNS(NS, tag); for (var k in attrs) e.setAttribute(k, attrs[k]); if (text) e.textContent = text; return e; }
      var svg = el("svg", { viewBox: "0 0 " + W + " " + (byLevel.length * RH + 10), width: "100%", role: "img", "aria-label": unit.title });
      var defs = el("defs"), mk = el("marker", { id: "ar", viewBox: "0 0 10 10", refX: "10", refY: "5", markerWidth: "6", markerHeight: "6", orient: "auto" });
      mk.appendChild(el("path", { d: "M0,0L10,5L0,10z", fill: "#374151" })); defs.appendChild(mk); svg.appendChild(defs);
      edges.forEach(function (e) {
        var a = pos[e.from], b = pos[e.to]; if (!a || !b) return;
        var down = b.y > a.y;
        svg.appendChild(el("line", { x1: a.x, y1: a.y + (down ? 18 : -18), x2: b.x, y2: b.y + (down ? -20 : 20), stroke: "#374151", "stroke-width": "1.5", "marker-end": "url(#ar)" }));
        if (e.label) svg.appendChild(el("text", { x: (a.x + b.x) / 2 + 6, y: (a.y + b.y) / 2, "font-size": "10", fill: "#1f2937" }, e.label));
      });
      nodes.forEach(function (n) {
        var p = pos[n.id], g = el("g");
        var fill = { start: "#dcfce7", end: "#fee2e2", decision: "#fef3c7" }[n.type] || "#dbeafe";
        if (n.type === "decision") g.appendChild(el("polygon", { points: [p.x, p.y - 20, p.x + 70, p.y, p.x, p.y + 20, p.x - 70, p.y].join(","), fill: fill, stroke: "#374151" }));
        else g.appendChild(el("rect", { x: p.x - 70, y: p.y - 18, width: 140, height: 36, rx: n.type === "step" ? 4 : 18, fill: fill, stroke: "#374151" }));
        g.appendChild(el("text", { x: p.x, y: p.y + 4, "text-anchor": "middle", "font-size": "11", fill: "#111827" }, n.label.length > 24 ? n.label.slice(0, 23) + "…" : n.label));
        g.appendChild(el("title", {}, n.label));
        svg.appendChild(g);
      });
      if (unit.body_html) box.appendChild(html(h, unit.body_html));
      box.appendChild(svg);
      var ol = h("ol", { class: "m" });
      nodes.forEach(function (n) { ol.appendChild(h("li", { text: n.label + (n.description ? " — " + n.description : "") })); });
      box.appendChild(h("details", null, [h("summary", { text: c.t("transcript") }), ol]));
      c.send({ type: "unit_completed" });
    },

    quick_reference: function (box, unit, c) {
      var h = c.h, all = h("div");
      if (unit.body_html) all.appendChild(html(h, unit.body_html));
      (unit.payload.sections || []).forEach(function (s) {
        all.appendChild(h("section", null, [h("h4", { text: s.title }), s.body_html ? html(h, s.body_html) : h("p", { text: s.body })]));
      });
      box.appendChild(all);
      if (unit.payload.printable !== false) box.appendChild(h("button", { class: "k s", type: "button", text: c.t("print"), onclick: function () { printView(unit.title, all); } }));
      c.send({ type: "unit_completed" });
    },

    /* Graded on the server (c.answer posts the chosen ids): the page never holds the key. */
    quiz: function (box, unit, c) {
      var h = c.h, qs = unit.payload.questions || [], answered = 0;
      qs.forEach(function (q, qi) {
        var fb = h("p", { class: "m", "aria-live": "polite" }), row = h("div", { role: "group", "aria-label": q.prompt, class: "pl" });
        var keys = (q.choices || []).map(function (ch, ci) { return ch.id || String(ci); });
        function lock(on) { [].forEach.call(row.querySelectorAll("button,input"), function (b) { b.disabled = on; }); }
        function submit(ids) {
          if (!ids.length) return;
          lock(true); fb.textContent = c.t("loading");
          c.answer(qi, ids).then(function (r) {
            answered++;
            fb.textContent = (r.correct ? c.t("correct") : c.t("incorrect")) + " " + (r.feedback || "");
            if (r.explanation_html) fb.appendChild(html(h, r.explanation_html));
            (r.correct_choice_ids || []).forEach(function (id) {
              var el = row.querySelector('[data-choice="' + keys.indexOf(id) + '"]');
              if (el) el.setAttribute("data-correct", "");
            });
            if (answered === qs.length) c.send({ type: "unit_completed" }, true);
          }, function () { fb.textContent = c.t("error"); lock(false); });
        }
        (q.choices || []).forEach(function (ch, ci) {
          if (q.multiple) {
            row.appendChild(h("label", { class: "u", "data-choice": String(ci) }, [h("input", { type: "checkbox", value: keys[ci] }), " ", h("span", { text: ch.text })]));
          } else {
            row.appendChild(h("button", { class: "u", type: "button", "data-choice": String(ci), onclick: function () { submit([keys[ci]]); } }, h("span", { text: ch.text })));
          }
        });
        if (q.multiple) {
          row.appendChild(h("button", { class: "k", type: "button", text: c.t("check"), onclick: function () {
            submit([].filter.call(row.querySelectorAll("input:checked"), function () { return true; }).map(function (i) { return i.value; }));
          } }));
        }
        box.appendChild(h("fieldset", { style: "border:0;padding:0" }, [h("legend", { text: (qi + 1) + ". " + q.prompt }), row, fb]));
      });
    },

    scenario: function (box, unit, c) {
      var h = c.h, p = unit.payload, nodes = {}, view = h("div", { class: "pl", "aria-live": "polite" });
      (p.nodes || []).forEach(function (n) { nodes[n.id] = n; });
      var first = p.start || ((p.nodes || [])[0] || {}).id;
      function show(id, feedback) {
        var n = nodes[id]; view.textContent = "";
        if (feedback) view.appendChild(h("p", { class: "m", text: feedback }));
        if (!n) return;
        view.appendChild(h("p", null, [n.speaker ? h("b", { text: n.speaker + ": " }) : null, n.text]));
        (n.choices || []).forEach(function (ch, i) {
          view.appendChild(h("button", { class: "u", type: "button", text: ch.text, onclick: function () {
            c.send({ type: "scenario_choice", node: n.id, choice: ch.id || String(i), correct: ch.outcome ? ch.outcome === "good" : undefined });
            if (ch.outcome) {
              view.textContent = "";
              if (ch.feedback) view.appendChild(h("p", { class: "m", text: ch.feedback }));
              view.appendChild(h("p", null, h("b", { text: (p.outcomes || {})[ch.outcome] || ch.outcome })));
              view.appendChild(h("button", { class: "k s", type: "button", text: c.t("restart"), onclick: function () { show(first); } }));
              c.send({ type: "unit_completed" }, true);
            } else show(ch.next, ch.feedback);
          } }));
        });
      }
      if (unit.body_html) box.appendChild(html(h, unit.body_html));
      box.appendChild(view); show(first);
    }
  };

  function media(box, unit, c, tag) {
    var h = c.h, p = unit.payload, m = h(tag, { controls: true, preload: "metadata", src: mediaUrl(p.source || ""), poster: p.poster || null });
    if (unit.body_html) box.appendChild(html(h, unit.body_html));
    box.appendChild(m);
    m.addEventListener("ended", function () { c.send({ type: "unit_completed" }, true); });
    if ((p.chapters || []).length) {
      box.appendChild(h("h4", { text: c.t("chapters") }));
      box.appendChild(h("ul", null, p.chapters.map(function (ch) {
        return h("li", null, h("button", { class: "u", type: "button", text: fmt(ch.start_s) + " " + ch.title, onclick: function () { m.currentTime = ch.start_s; m.play && m.play().catch(function () {}); } }));
      })));
    }
    var list = cues(p.transcript_vtt);
    if (list.length || p.transcript) {
      var tr = h("div", { class: "m" });
      if (list.length) list.forEach(function (q) {
        tr.appendChild(h("p", null, [h("a", { tabindex: "0", role: "button", text: fmt(q.start), onclick: function () { m.currentTime = q.start; } }), " " + q.text]));
      });
      else tr.appendChild(h("p", { text: p.transcript }));
      box.appendChild(h("details", null, [h("summary", { text: c.t("transcript") }), tr]));
    }
  }

  U._definePlayers({
    kinds: players,
    render: function (box, unit, ctx) {
      var h = ctx.h;
      BASE = ctx.base || "";
      box.appendChild(h("h3", { text: unit.title, style: "font-size:16px;text-transform:none;color:#111827" }));
      if (unit.summary) box.appendChild(h("p", { class: "m", text: unit.summary }));
      (players[unit.kind] || function (b, u) { b.appendChild(html(h, u.body_html)); })(box, unit, ctx);
    }
  });
})();
