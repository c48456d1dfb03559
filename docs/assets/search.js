// The Evidence search page: calls /api/search when the archive is served with its search
// service, and says plainly when it is not. Text from reports is only ever set as text.
(function () {
  var state = { hits: [] };
  function root() { return (window.__md_scope || new URL("/", location)); }
  function api(path) { return new URL("." + path, root()); }
  function decode(s) { var t = document.createElement("textarea"); t.innerHTML = s; return t.value; }
  function highlighted(el, html) {
    // The API marks matches with <mark>; everything else is escaped text. Rebuild it as text
    // nodes and <mark> elements so that no markup from a report can run.
    var parts = html.split(/(<mark[^>]*>[\s\S]*?<\/mark>)/);
    parts.forEach(function (part) {
      var m = part.match(/^<mark[^>]*>([\s\S]*?)<\/mark>$/);
      if (m) { var mark = document.createElement("mark"); mark.textContent = decode(m[1]); el.appendChild(mark); }
      else if (part) { el.appendChild(document.createTextNode(decode(part))); }
    });
  }
  function download(name, type, text) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([text], { type: type }));
    a.download = name; document.body.appendChild(a); a.click(); a.remove();
  }
  function csvCell(s) { return '"' + String(s == null ? "" : s).replace(/"/g, '""') + '"'; }
  function render(data) {
    var list = document.getElementById("es-results");
    list.textContent = "";
    state.hits = data.hits;
    var some = data.total - data.all_words;
    document.getElementById("es-status").textContent =
      data.all_words + (data.all_words === 1 ? " paragraph holds" : " paragraphs hold") +
      " every word" + (some > 0 ? "; " + some + " more hold some of them" : "") +
      (data.hits.length < data.total ? " (showing " + data.hits.length + ")" : "") + ".";
    document.getElementById("es-export").hidden = data.hits.length === 0;
    data.hits.forEach(function (h) {
      var li = document.createElement("li");
      li.className = "es-hit";
      var head = document.createElement("p");
      var link = document.createElement("a");
      link.href = h.url;
      link.textContent = h.title + (h.paragraph ? ", para. " + h.paragraph : " — " + h.section);
      head.appendChild(link);
      var quote = document.createElement("blockquote");
      highlighted(quote, h.highlight);
      var cite = document.createElement("p");
      cite.className = "es-citation";
      cite.textContent = h.citation;
      var copy = document.createElement("button");
      copy.type = "button"; copy.className = "es-button"; copy.textContent = "Copy quote and citation";
      copy.addEventListener("click", function () {
        var text = "\u201c" + h.text + "\u201d " + h.citation;
        if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text);
        copy.textContent = "Copied";
      });
      li.appendChild(head); li.appendChild(quote); li.appendChild(cite); li.appendChild(copy);
      list.appendChild(li);
    });
  }
  function gradeParam() {
    // The judgement filter: an area and a grade on the common scale -> "area:grade".
    var area = document.getElementById("es-grade-area").value;
    var grade = document.getElementById("es-grade-value").value;
    return grade ? (area || "any") + ":" + grade : "";
  }
  function run(form, push) {
    var params = new URLSearchParams(new FormData(form));
    Array.from(params.keys()).forEach(function (k) { if (!params.get(k)) params.delete(k); });
    if (gradeParam()) params.set("grade", gradeParam());
    // The page's own URL says "terms": Material's site search claims "q".
    var page = new URLSearchParams(params);
    page.set("terms", page.get("q")); page.delete("q");
    if (push) history.replaceState(null, "", "?" + page.toString());
    var links = document.getElementById("es-links");
    document.getElementById("es-share").href = location.pathname + "?" + page.toString();
    document.getElementById("es-feed").href = api("/api/feed?" + params.toString()).href;
    links.hidden = false;
    var status = document.getElementById("es-status");
    status.textContent = "Searching…";
    fetch(api("/api/search?" + params.toString())).then(function (r) {
      if (r.status === 400) return r.json().then(function (e) { throw new Error(e.error.message); });
      if (!r.ok || !(r.headers.get("content-type") || "").includes("json")) throw new Error("no-api");
      return r.json();
    }).then(render).catch(function (err) {
      document.getElementById("es-results").textContent = "";
      status.textContent = err.message === "no-api" || err.name === "TypeError"
        ? "Evidence search needs the archive's search service, and this copy of the site is " +
          "hosted without it. The search box at the top of every page still finds words in " +
          "every report."
        : err.message;
    });
  }
  function marked(el, html) {
    // The API marks differences with <del> (as printed) and <ins> (as quoted); the rest is
    // escaped text. Rebuild it as text nodes and elements, so no markup from a report runs.
    html.split(/(<del[^>]*>[\s\S]*?<\/del>|<ins>[\s\S]*?<\/ins>)/).forEach(function (part) {
      var m = part.match(/^<(del|ins)([^>]*)>([\s\S]*?)<\/(?:del|ins)>$/);
      if (m) {
        var node = document.createElement(m[1]);
        if (m[2].indexOf("omitted") !== -1) node.className = "omitted";
        node.textContent = decode(m[3]);
        el.appendChild(node);
      } else if (part) { el.appendChild(document.createTextNode(decode(part))); }
    });
  }
  function setupQuoteCheck() {
    var form = document.getElementById("qc-form");
    if (!form) return;
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var status = document.getElementById("qc-status");
      var list = document.getElementById("qc-results");
      list.textContent = "";
      status.textContent = "Checking…";
      var q = document.getElementById("qc-quote").value;
      fetch(api("/api/verify?" + new URLSearchParams({ q: q }).toString())).then(function (r) {
        if (r.status === 400) return r.json().then(function (e) { throw new Error(e.error.message); });
        if (!r.ok || !(r.headers.get("content-type") || "").includes("json")) throw new Error("no-api");
        return r.json();
      }).then(function (data) {
        status.textContent = data.message;
        status.dataset.verbatim = data.verbatim ? "yes" : "no";
        data.matches.forEach(function (m) {
          var li = document.createElement("li");
          li.className = "qc-match";
          var head = document.createElement("p");
          var link = document.createElement("a");
          link.href = m.url;
          link.textContent = m.title + (m.paragraph ? ", para. " + m.paragraph : " — " + m.section);
          head.appendChild(link);
          var flag = document.createElement("strong");
          flag.className = "qc-flag";
          flag.textContent = m.verbatim ? " Verbatim" : (m.same_words ? " Same words, not verbatim" : " Not verbatim");
          head.appendChild(flag);
          var quote = document.createElement("blockquote");
          quote.className = "qc-marked";
          marked(quote, m.marked);
          var diffs = document.createElement("ul");
          m.differences.forEach(function (d) {
            var item = document.createElement("li");
            item.textContent = d.kind + ": quoted \u201c" + d.quote + "\u201d, printed \u201c" + d.source + "\u201d";
            diffs.appendChild(item);
          });
          var cite = document.createElement("p");
          cite.className = "es-citation";
          cite.textContent = m.citation;
          li.appendChild(head); li.appendChild(quote); li.appendChild(diffs); li.appendChild(cite);
          list.appendChild(li);
        });
      }).catch(function (err) {
        status.textContent = err.message === "no-api" || err.name === "TypeError"
          ? "The quote check needs the archive's search service, and this copy of the site is hosted without it."
          : err.message;
      });
    });
  }
  function setup() {
    var form = document.getElementById("es-form");
    if (!form || form.dataset.ready) return;
    form.dataset.ready = "1";
    var params = new URLSearchParams(location.search);
    if (params.get("terms")) { params.set("q", params.get("terms")); params.delete("terms"); }
    params.forEach(function (v, k) {
      var el = form.elements[k];
      if (el && el.type === "checkbox") el.checked = v === "1"; else if (el) el.value = v;
    });
    var grade = (params.get("grade") || "").split(":");
    if (grade.length === 2) {
      document.getElementById("es-grade-area").value = grade[0] === "any" ? "any" : grade[0];
      document.getElementById("es-grade-value").value = grade[1];
    }
    setupQuoteCheck();
    form.addEventListener("submit", function (e) { e.preventDefault(); run(form, true); });
    document.getElementById("es-csv").addEventListener("click", function () {
      var rows = [["quote", "citation", "url"].map(csvCell).join(",")];
      state.hits.forEach(function (h) { rows.push([h.text, h.citation, h.url].map(csvCell).join(",")); });
      download("evidence.csv", "text/csv", rows.join("\n") + "\n");
    });
    document.getElementById("es-md").addEventListener("click", function () {
      download("evidence.md", "text/markdown", state.hits.map(function (h) {
        return "> " + h.text + "\n>\n> \u2014 " + h.citation + "\n";
      }).join("\n"));
    });
    if (params.get("q")) run(form, false);
  }
  if (window.document$) window.document$.subscribe(setup);
  else document.addEventListener("DOMContentLoaded", setup);
})();
