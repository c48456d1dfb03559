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
  function setup() { setupMoved(); setupCite(); setupMatrix(); setupScrolling(); }
  if (window.document$) window.document$.subscribe(setup);
  else document.addEventListener("DOMContentLoaded", setup);
})();
