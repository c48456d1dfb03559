// Cite buttons on numbered paragraphs, and the filter of the national comparison matrix.
// Works with Material's instant navigation (document$ fires on every page load).
(function () {
  function citation(data, para, anchor) {
    var url = location.origin + location.pathname + "#" + anchor;
    var parts = [data.publisher + " (" + data.year + ") " + data.title + ", para. " + para + "."];
    if (data.date) parts.push(data.date);
    parts.push(url);
    return parts.join(" ");
  }
  function setupCite() {
    var holder = document.getElementById("cite-data");
    if (!holder) return;
    var data = holder.dataset;
    document.querySelectorAll("p.para[data-para]").forEach(function (p) {
      if (p.querySelector(".cite-button")) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "cite-button";
      button.textContent = "Cite";
      button.setAttribute("aria-label", "Cite paragraph " + p.dataset.para);
      var status = document.createElement("span");
      status.className = "cite-status";
      status.setAttribute("role", "status");
      button.addEventListener("click", function () {
        var text = citation(data, p.dataset.para, p.id);
        button.dataset.citation = text;
        var done = function () { status.textContent = "Citation copied"; };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(done, function () { status.textContent = text; });
        } else {
          status.textContent = text;
        }
      });
      p.appendChild(button);
      p.appendChild(status);
    });
  }
  function setupMatrix() {
    // The matrix's filter, and the Authorities page's (its rows in a table per region; a
    // region's heading matches all of its rows).
    var input = document.getElementById("matrix-filter") || document.getElementById("authority-filter");
    if (!input) return;
    var tables = input.id === "matrix-filter" ? [document.getElementById("matrix")]
      : Array.from(document.querySelectorAll("article table"));
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      tables.forEach(function (table) {
        if (!table) return;
        var heading = table.closest(".md-typeset__scrollwrap, .md-typeset__table") || table;
        var h = heading.previousElementSibling;
        while (h && !/^H[1-6]$/.test(h.tagName)) h = h.previousElementSibling;
        var region = h ? h.textContent.toLowerCase() : "";
        table.querySelectorAll("tbody tr").forEach(function (row) {
          row.hidden = q && region.indexOf(q) === -1 && row.textContent.toLowerCase().indexOf(q) === -1;
        });
      });
    });
  }
  function setupMoved() {
    // Permanent ids: a link to a paragraph id that changed (or to a document that moved) is
    // sent to where those words are now, from the redirect map built into the page.
    var holder = document.getElementById("moved-ids");
    if (!holder) return;
    var moved = JSON.parse(holder.dataset.moved || "{}");
    var hash = decodeURIComponent(location.hash.slice(1));
    var to = hash && Object.prototype.hasOwnProperty.call(moved, hash) ? moved[hash] : null;
    if (holder.dataset.page) {
      location.replace(new URL(to || holder.dataset.page + (hash ? "#" + hash : ""), location.href).href);
      return;
    }
    if (!to || document.getElementById(hash)) return;
    var url = new URL(to, location.href);
    if (url.pathname !== location.pathname) { location.replace(url.href); return; }
    history.replaceState(null, "", url.hash);
    var target = document.getElementById(decodeURIComponent(url.hash.slice(1)));
    if (!target) return;
    var note = document.createElement("p");
    note.className = "moved-note";
    note.setAttribute("role", "status");
    note.textContent = "The paragraph id in your link (" + hash + ") has changed; this is where its words are now.";
    target.parentNode.insertBefore(note, target);
    target.scrollIntoView();
  }
  function setupScrolling() {
    // The theme wraps Markdown tables in a scrolling box: one that scrolls on this screen is
    // made reachable by keyboard and named after its table, so a keyboard user can scroll it.
    function mark() {
      document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (box) {
        var scrolls = box.scrollWidth > box.clientWidth + 1;
        if (scrolls && !box.hasAttribute("tabindex")) {
          var h = box.previousElementSibling;
          while (h && !/^H[1-6]$/.test(h.tagName)) h = h.previousElementSibling;
          box.setAttribute("tabindex", "0");
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", "Table" + (h ? ": " + h.textContent.replace(/\u00b6/g, "").trim() : ""));
        } else if (!scrolls && box.getAttribute("role") === "region") {
          box.removeAttribute("tabindex"); box.removeAttribute("role"); box.removeAttribute("aria-label");
        }
      });
    }
    mark();
    if (!window.__archiveScrollResize) {
      window.__archiveScrollResize = true;
      window.addEventListener("resize", mark);
    }
  }
  function setupMatrixSortAndYear() {
    // Sort by any column (grades by their place on the common scale), and show the grades as
    // they stood at the end of a year, from the history the page carries.
    var table = document.getElementById("matrix");
    var blob = document.getElementById("matrix-history");
    if (!table || !blob || table.dataset.ready) return;
    table.dataset.ready = "1";
    var data = JSON.parse(blob.textContent);
    var WORDS = { 4: "Outstanding", 3: "Good", 2: "Requires improvement (adequate)", 1: "Inadequate" };
    function cell(td, entry) {
      td.textContent = "";
      if (!entry) { td.dataset.scale = "-1"; td.textContent = "\u2014"; return; }
      var span = document.createElement("span");
      span.className = "grade grade-" + entry[1];
      var text = entry[2];
      span.textContent = text.charAt(0).toUpperCase() + text.slice(1);
      td.dataset.scale = String(entry[1]);
      td.appendChild(span);
      td.appendChild(document.createElement("br"));
      var small = document.createElement("small");
      small.textContent = entry[0].slice(0, 4);
      td.appendChild(small);
    }
    document.getElementById("matrix-year").addEventListener("change", function (e) {
      var year = e.target.value;
      table.querySelectorAll("tbody tr").forEach(function (row) {
        var h = data.history[row.dataset.slug] || {};
        var tds = row.querySelectorAll("td");
        data.areas.forEach(function (area, i) {
          var steps = (h[area] || []).filter(function (s) { return !year || s[0].slice(0, 4) <= year; });
          cell(tds[i + 1], steps.length ? steps[steps.length - 1] : null);
        });
      });
    });
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, col) {
      var button = th.querySelector("button");
      if (!button) return;
      button.addEventListener("click", function () {
        // Names sort A to Z first; grades best first (descending on the common scale).
        var first = col < 2 ? "ascending" : "descending";
        var now = th.getAttribute("aria-sort");
        var order = now === first ? (first === "ascending" ? "descending" : "ascending") : first;
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", order);
        var rows = Array.from(table.querySelectorAll("tbody tr"));
        rows.sort(function (a, b) {
          var x = a.children[col], y = b.children[col];
          var k = col < 2 ? x.textContent.localeCompare(y.textContent)
            : parseInt(x.dataset.scale, 10) - parseInt(y.dataset.scale, 10);
          if (k === 0) return a.children[0].textContent.localeCompare(b.children[0].textContent);
          return order === "descending" ? -k : k;
        });
        var body = table.querySelector("tbody");
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }
  function setup() { setupMoved(); setupCite(); setupMatrix(); setupScrolling(); setupMatrixSortAndYear(); }
  if (window.document$) window.document$.subscribe(setup);
  else document.addEventListener("DOMContentLoaded", setup);
})();
