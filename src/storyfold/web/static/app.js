// storyfold pages: small niceties on top of pages that work without JavaScript.
"use strict";
(function () {
  // "/" jumps to the search box (unless typing somewhere already).
  document.addEventListener("keydown", function (ev) {
    var t = ev.target, typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" ||
      t.tagName === "SELECT" || t.isContentEditable);
    if (ev.key === "/" && !typing && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
      var box = document.getElementById("site-q");
      if (box) { ev.preventDefault(); box.focus(); box.select(); }
    }
  });

  // Times are stored and printed in UTC; show the reader's local time on hover.
  document.querySelectorAll("time[datetime]").forEach(function (el) {
    var v = el.getAttribute("datetime");
    if (!v) return;
    var d = new Date(v);
    if (!isNaN(d.getTime())) el.title = d.toLocaleString() + " (your time) · " + v + " (UTC)";
  });

  // Hovering an article in the timeline, the graph or a quote highlights it everywhere.
  function mark(id, on) {
    document.querySelectorAll('[data-article="' + CSS.escape(id) + '"]').forEach(function (el) {
      el.classList.toggle("hl", on);
    });
  }
  document.querySelectorAll("svg [data-article], figure[data-article]").forEach(function (el) {
    var id = el.getAttribute("data-article");
    el.addEventListener("mouseenter", function () { mark(id, true); });
    el.addEventListener("mouseleave", function () { mark(id, false); });
  });

  // One button to open or close every article's clean text on a story page.
  var list = document.querySelector("ol.article-list");
  if (list && list.querySelector("details")) {
    var btn = document.createElement("button");
    btn.type = "button";
    btn.className = "toggle-all";
    btn.textContent = "Open all texts";
    btn.addEventListener("click", function () {
      var all = list.querySelectorAll("details"), open = btn.textContent.indexOf("Open") === 0;
      all.forEach(function (d) { d.open = open; });
      btn.textContent = open ? "Close all texts" : "Open all texts";
    });
    list.parentNode.insertBefore(btn, list);
  }
})();
