// The Evidence search page: calls /api/search when the archive is served with its search
// service, and says plainly when it is not. Text from reports is only ever set as text.
(function () {
  var state = { hits: [] };
  function root() { return (window.__md_scope || new URL("/", location)); }
  function api(path) { return new URL("." + path, root()); }
  // How a hit is named (as the API's citations name it): "para. 27", or its section when the
  // entry has no number.
  function heading(h) { return h.title + (h.paragraph ? ", para. " + h.paragraph : " — " + h.section); }
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
    understood(data.understood);
    expanded(data.expanded || []);
    renderCouncils(data.councils || []);
    var more = data.more || {};
    var last = {};
    data.hits.forEach(function (h, n) { last[h.id] = n; });
    data.hits.forEach(function (h, n) {
      var li = hitItem(h);
      // The report's other paragraphs among the best matches, folded under its last hit.
      if (last[h.id] === n && more[h.id] && more[h.id].length) {
        var fold = document.createElement("details");
        fold.className = "es-fold";
        var summary = document.createElement("summary");
        summary.textContent = more[h.id].length + " more from this report";
        fold.appendChild(summary);
        var inner = document.createElement("ol");
        inner.className = "es-results";
        more[h.id].forEach(function (m) { inner.appendChild(hitItem(m)); });
        fold.appendChild(inner);
        li.appendChild(fold);
      }
      list.appendChild(li);
    });
  }
  function headLink(h) {
    // A hit's or match's first line: its place in the report, a link to the paragraph.
    var head = document.createElement("p");
    var link = document.createElement("a");
    link.href = h.url;
    link.textContent = heading(h);
    head.appendChild(link);
    return head;
  }
  function hitItem(h) {
    var li = document.createElement("li");
    li.className = "es-hit";
    var head = headLink(h);
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
    return li;
  }
  function renderCouncils(councils) {
    // Facets first: the councils whose reports hold the best matches, one click to filter.
    var box = document.getElementById("es-facets");
    box.textContent = "";
    var form = document.getElementById("es-form");
    if (councils.length < 2 || form.elements.authority.value) { box.hidden = true; return; }
    var h = document.createElement("h3");
    h.id = "es-facet-council";
    h.textContent = "Councils with the best matches";
    var list = document.createElement("ul");
    list.setAttribute("aria-labelledby", h.id);
    councils.slice(0, 12).forEach(function (c) {
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button"; b.className = "es-facet-value";
      b.textContent = c.name + " (" + c.paragraphs + ")";
      b.addEventListener("click", function () {
        form.elements.authority.value = c.authority;
        run(form, true);
      });
      li.appendChild(b);
      list.appendChild(li);
    });
    var group = document.createElement("div");
    group.className = "es-facet";
    group.appendChild(h); group.appendChild(list);
    var note = document.createElement("p");
    note.className = "es-citation";
    note.textContent = "Counts are of the paragraphs that hold your words; the councils whose " +
      "paragraphs rank highest come first.";
    box.appendChild(note); box.appendChild(group);
    box.hidden = false;
  }
  function expanded(list) {
    // Synonyms and long forms of abbreviations searched for besides the words typed.
    var note = document.getElementById("es-expanded");
    note.textContent = "";
    note.hidden = !list.length;
    if (!list.length) return;
    note.textContent = "Also searching for " + list.map(function (e) {
      var also = e.also.slice(0, 4).join(", ") + (e.also.length > 4 ? ", …" : "");
      return also + " (for \u201c" + e.typed + "\u201d)";
    }).join("; ") + ". Tick exact words to search for your words alone.";
  }
  function understood(u) {
    // A council the query names, whose paragraphs the API put first: say so, offer the filter.
    var note = document.getElementById("es-understood");
    note.textContent = "";
    note.hidden = !u;
    if (!u) return;
    // What the query named: councils, or a region; and a year or a window of years.
    var where = u.named.join(" and ") ||
      (u.region_name ? (u.region_name === "London" ? "" : "the ") + u.region_name : "");
    var years = u.from === undefined ? "" :
      (u.from === u.to ? " from " + u.from : " from " + u.from + " to " + u.to);
    var named = ((where || "reports") + years).trim();
    note.appendChild(document.createTextNode(
      "Paragraphs of " + named + " first, as your search names it. "));
    var only = document.createElement("button");
    only.type = "button"; only.className = "es-button"; only.id = "es-only";
    only.textContent = "Search only " + named;
    only.addEventListener("click", function () {
      var form = document.getElementById("es-form");
      if (u.authority.length) form.elements.authority.value = u.authority[0];
      if (u.region) form.elements.region.value = u.region_name;
      if (u.from !== undefined) { form.elements.from.value = u.from; form.elements.to.value = u.to; }
      form.elements.q.value = u.rest;
      run(form, true);
    });
    note.appendChild(only);
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
    links.hidden = false;
    var status = document.getElementById("es-status");
    status.textContent = "Searching…";
    document.getElementById("es-understood").hidden = true;
    document.getElementById("es-expanded").hidden = true;
    detect().then(function (mode) {
      var feed = document.getElementById("es-feed-item");
      feed.hidden = mode !== "api";
      if (mode !== "api") { runStatic(form, params); return; }
      document.getElementById("es-facets").hidden = true;
      document.getElementById("es-more").hidden = true;
      document.getElementById("es-feed").href = api("/api/feed?" + params.toString()).href;
      runApi(params, status);
    });
  }
  function runApi(params, status) {
    fetch(api("/api/search?" + params.toString())).then(function (r) {
      if (r.status === 400) return r.json().then(function (e) { throw new Error(e.error.message); });
      if (!r.ok || !(r.headers.get("content-type") || "").includes("json")) throw new Error("no-api");
      return r.json();
    }).then(render).catch(function (err) {
      document.getElementById("es-results").textContent = "";
      status.textContent = err.message === "no-api" || err.name === "TypeError"
        ? "The archive's search service did not answer; reload the page to search with the " +
          "site's static index."
        : err.message;
    });
  }

  // --- which backend: the archive's API (evidence serve) or the site's static index ----------
  var backend = null;
  function detect() {
    if (backend) return backend;
    // evidence serve answers search-backend.json; a static host has no such file. Nothing is
    // asked of /api until the API has said it is there.
    // HEAD: a static host's "not found" page is not downloaded.
    backend = fetch(new URL("search-backend.json", root()), { method: "HEAD" }).then(function (r) {
      return r.ok && (r.headers.get("content-type") || "").includes("json") ? "api" : "static";
    }).catch(function () { return "static"; });
    return backend;
  }
  var labels = null;
  function loadLabels() {
    if (!labels) labels = fetch(new URL("data/search-labels.json", root())).then(function (r) {
      return r.ok ? r.json() : {};
    }).catch(function () { return {}; });
    return labels;
  }
  // --- the static index (site/static_search.py writes it) -------------------------------------
  // Every file but parts.json is gzip; the page reads it with the browser's DecompressionStream
  // (or as it came, when a host has already decoded it).
  function packed(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status + " for " + url.pathname);
      return r.arrayBuffer();
    }).then(function (buf) {
      var bytes = new Uint8Array(buf);
      if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
      var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
      return new Response(stream).arrayBuffer().then(function (b) { return new Uint8Array(b); });
    });
  }
  function packedJson(url) {
    return packed(url).then(function (b) { return JSON.parse(new TextDecoder().decode(b)); });
  }
  var WORD = /[\p{L}\p{N}_]+/gu;  // as static_search.WORD
  var staticIndex = null;
  function loadStatic() {
    // The index is a base part and, after incremental builds, a small part of the reports
    // added or changed since (parts.json: the parts, and the base's documents left out).
    // parts.json is asked for again at every page load ("no-cache": a conditional request); every
    // other file carries its part's version in its address, so a cached one is never stale.
    if (!staticIndex) staticIndex = fetch(new URL("static-search/parts.json", root()), { cache: "no-cache" }).then(function (r) {
      if (!r.ok) throw new Error("no static index here");
      return r.json();
    }).then(function (parts) {
      // The format this page reads (static_files.FORMAT); another is a site half updated.
      if (parts.format !== 1) throw new Error("the static index is of another format");
      var hide = new Set(parts.hide || []);
      return Promise.all(parts.parts.map(function (path, n) {
        var part = { base: new URL("static-search/" + path, root()), version: parts.versions[n] };
        return packedJson(fileOf(part, "meta.bin")).then(function (meta) {
          return openPart(part, meta, n === 0 ? hide : new Set());
        });
      }));
    });
    return staticIndex;
  }
  function fileOf(part, path) {
    return new URL(path + "?v=" + encodeURIComponent(part.version), part.base);
  }
  function openPart(where, meta, hide) {
    // Which document each section belongs to, and its number within the document.
    var docs = meta.docs, ofSection = new Int32Array(meta.sections), local = new Int32Array(meta.sections);
    var s = 0;
    docs.n.forEach(function (count, d) {
      for (var k = 0; k < count; k++) { ofSection[s] = d; local[s] = k; s++; }
    });
    var hidden = docs.id.map(function (id) { return hide.has(id); });
    return { base: where.base, version: where.version, meta: meta, ofSection: ofSection,
             local: local, hidden: hidden, chunks: {}, files: {} };
  }
  function chunkOf(part, n) {
    if (!part.chunks[n]) part.chunks[n] = packedJson(fileOf(part, "words/" + n + ".bin"));
    return part.chunks[n];
  }
  function firstAtMost(list, value) {
    // The last place in a sorted list whose value is at most value (-1: none).
    var lo = 0, hi = list.length - 1, at = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (list[mid] <= value) { at = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return at;
  }
  function stemsOf(part, word) {
    // The stems of a word ('adopt*': of every word that begins so), from the word chunks.
    var prefix = word.charAt(word.length - 1) === "*";
    var w = prefix ? word.slice(0, -1) : word;
    var first = Math.max(0, firstAtMost(part.meta.words, w));
    var last = prefix ? Math.max(first, firstAtMost(part.meta.words, w + "\uffff")) : first;
    var wanted = [];
    for (var n = first; n <= last && n < first + 8; n++) wanted.push(chunkOf(part, n));
    return Promise.all(wanted).then(function (chunks) {
      var stems = new Set();
      chunks.forEach(function (c) {
        c.words.forEach(function (x, i) {
          if (x === w || (prefix && x.lastIndexOf(w, 0) === 0)) stems.add(c.stems[i]);
        });
      });
      return Array.from(stems);
    });
  }
  function postingsFile(part, n) {
    if (!part.files[n]) part.files[n] = packed(fileOf(part, "postings/" + n + ".bin"));
    return part.files[n];
  }
  function readStem(bytes, first, stem) {
    // A stem's record in its postings file: sections (as gaps), weight steps, printed forms.
    var pos = 0;
    function varint() {
      var n = 0, mul = 1, b;
      do { b = bytes[pos++]; n += (b & 0x7f) * mul; mul *= 128; } while (b >= 0x80);
      return n;
    }
    for (var id = first; id < stem; id++) { var skip = varint(); pos += skip; }  // not pos += varint()
    varint();
    var count = varint(), top = varint() / 1000, forms = [], nforms = varint();
    for (var f = 0; f < nforms; f++) {
      var len = varint();
      forms.push(new TextDecoder().decode(bytes.subarray(pos, pos + len)));
      pos += len;
    }
    var secs = new Int32Array(count), last = 0;
    for (var k = 0; k < count; k++) { last = varint() + (k ? last : 0); secs[k] = last; }
    var weights = new Float64Array(count);
    for (k = 0; k < count; k++) weights[k] = bytes[pos + k] * top / 255;
    return { secs: secs, weights: weights, forms: forms };
  }
  function postingsOf(part, stem) {
    var n = firstAtMost(part.meta.postings, stem);
    return postingsFile(part, n).then(function (bytes) {
      return readStem(bytes, part.meta.postings[n], stem);
    });
  }
  function queryWords(q) {
    // The words searched for as the index holds them: lowercased, a trailing '*' kept (a
    // prefix); quotes and other marks are not words.
    var out = [], m, re = new RegExp(WORD.source + "\\*?", "gu");
    while ((m = re.exec(q.toLowerCase()))) {
      if (out.indexOf(m[0]) === -1) out.push(m[0]);
    }
    return out;
  }
  function matchPart(part, words) {
    // Every section of the part that holds each word (any of its stems), with its score: the
    // sum over the words of the word's best stem weight in the section.
    return Promise.all(words.map(function (w) {
      return stemsOf(part, w).then(function (stems) {
        return Promise.all(stems.map(function (s) { return postingsOf(part, s); }));
      });
    })).then(function (perWord) {
      var forms = [], scores = null;
      perWord.forEach(function (records) {
        var mine = new Map();
        records.forEach(function (r) {
          forms = forms.concat(r.forms);
          for (var k = 0; k < r.secs.length; k++) {
            var was = mine.get(r.secs[k]);
            if (was === undefined || was < r.weights[k]) mine.set(r.secs[k], r.weights[k]);
          }
        });
        if (scores === null) { scores = mine; return; }
        var both = new Map();
        scores.forEach(function (v, sec) { var x = mine.get(sec); if (x !== undefined) both.set(sec, v + x); });
        scores = both;
      });
      return { scores: scores || new Map(), forms: forms };
    });
  }
  function docFilter(params, lab) {
    // Whether a part's document passes the page's filters (authority, region, kind,
    // framework, years, a judgement on the common scale).
    var want = {};
    if (params.get("authority")) {
      var slug = params.get("authority").toLowerCase();
      var name = Object.keys(lab.council || {}).find(function (n) { return lab.council[n] === slug; });
      want.council = name || params.get("authority");
    }
    ["region", "kind", "framework"].forEach(function (k) { if (params.get(k)) want[k] = params.get(k); });
    var from = parseInt(params.get("from") || "0", 10), to = parseInt(params.get("to") || "0", 10);
    var grade = (params.get("grade") || "").split(":");
    var gradeValue = grade.length === 2 ? (grade[0] || "any") + ":" + grade[1] : null;
    return function (part, d) {
      var docs = part.meta.docs, values = part.meta.values;
      for (var k in want) {
        if (docs[k][d] < 0 || values[k][docs[k][d]] !== want[k]) return false;
      }
      if (from || to) {
        var y = docs.year[d] < 0 ? 0 : parseInt(values.year[docs.year[d]], 10);
        if (!y || (from && y < from) || (to && y > to)) return false;
      }
      if (gradeValue !== null) {
        if (!docs.grade[d].some(function (g) { return values.grade[g] === gradeValue; })) return false;
      }
      return true;
    };
  }
  var FACETS = [["council", "Council"], ["region", "Region"], ["kind", "Kind"], ["year", "Year"],
                ["judgement", "Overall judgement"]];
  function staticSearch(parts, params, lab) {
    // Every matching section of every part (the base's out-of-date documents left out), the
    // counts of each filter's values among them, sorted as asked.
    var words = queryWords(params.get("q") || "");
    var passes = docFilter(params, lab);
    if (!words.length) return Promise.resolve({ results: [], counts: {}, forms: [] });
    return Promise.all(parts.map(function (part) { return matchPart(part, words); })).then(function (found) {
      var results = [], counts = {}, forms = [];
      FACETS.forEach(function (f) { counts[f[0]] = {}; });
      found.forEach(function (got, p) {
        var part = parts[p], docs = part.meta.docs, values = part.meta.values, ok = {};
        forms = forms.concat(got.forms);
        got.scores.forEach(function (score, sec) {
          var d = part.ofSection[sec];
          if (part.hidden[d]) return;
          if (ok[d] === undefined) ok[d] = passes(part, d);
          if (!ok[d]) return;
          results.push({ part: part, sec: sec, doc: d, score: score, date: docs.date[d] });
          FACETS.forEach(function (f) {
            var v = docs[f[0]][d];
            if (v >= 0) { var name = values[f[0]][v]; counts[f[0]][name] = (counts[f[0]][name] || 0) + 1; }
          });
        });
      });
      var sort = params.get("sort");
      results.sort(function (a, b) {
        if (sort === "newest" || sort === "oldest") {
          if (!a.date !== !b.date) return a.date ? -1 : 1;  // undated last
          if (a.date !== b.date) return (a.date < b.date ? -1 : 1) * (sort === "newest" ? -1 : 1);
        }
        if (a.score !== b.score) return b.score - a.score;
        if (a.date !== b.date) return a.date < b.date ? 1 : -1;
        var ia = a.part.meta.docs.id[a.doc], ib = b.part.meta.docs.id[b.doc];
        return ia < ib ? -1 : ia > ib ? 1 : a.sec - b.sec;
      });
      return { results: results, counts: counts, forms: forms };
    });
  }
  function label(kind, value, lab) {
    if (kind === "kind" && lab.kind && lab.kind[value]) return lab.kind[value];
    return value;
  }
  function renderFacets(filters, lab, form) {
    var box = document.getElementById("es-facets");
    box.textContent = "";
    FACETS.forEach(function (f) {
      var counts = filters[f[0]] || {};
      var values = Object.keys(counts).filter(function (v) { return counts[v] > 0; });
      if (!values.length) return;
      values.sort(function (a, b) { return counts[b] - counts[a] || (a < b ? -1 : 1); });
      var group = document.createElement("div");
      group.className = "es-facet";
      var h = document.createElement("h3");
      h.id = "es-facet-" + f[0];
      h.textContent = f[1];
      var list = document.createElement("ul");
      list.setAttribute("aria-labelledby", h.id);
      values.slice(0, 12).forEach(function (v) {
        var li = document.createElement("li");
        var b = document.createElement("button");
        b.type = "button"; b.className = "es-facet-value";
        b.textContent = label(f[0], v, lab) + " (" + counts[v] + ")";
        b.addEventListener("click", function () {
          if (f[0] === "council") form.elements.authority.value = (lab.council || {})[v] || v;
          else if (f[0] === "year") { form.elements.from.value = v; form.elements.to.value = v; }
          else if (f[0] === "judgement") {
            var scale = { "outstanding": "4", "good": "3", "requires improvement (adequate)": "2",
                          "inadequate": "1", "not given under this framework": "not-given" }[v];
            document.getElementById("es-grade-area").value = "overall";
            document.getElementById("es-grade-value").value = scale || "";
          } else if (form.elements[f[0]]) form.elements[f[0]].value = v;
          run(form, true);
        });
        li.appendChild(b);
        list.appendChild(li);
      });
      group.appendChild(h); group.appendChild(list);
      box.appendChild(group);
    });
    if (box.childNodes.length) {
      var note = document.createElement("p");
      note.className = "es-citation";
      note.textContent = "Counts are of the sections that hold your words.";
      box.insertBefore(note, box.firstChild);
    }
    box.hidden = !box.childNodes.length;
  }
  function humanDate(iso) {
    // '2022-05-20' -> '20 May 2022' (day, month or year precision, as the archive's dates are)
    if (!iso) return "";
    var parts = iso.split("-");
    var months = ["January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December"];
    if (parts.length === 1) return parts[0];
    var month = months[parseInt(parts[1], 10) - 1] || "";
    return (parts.length === 3 ? parseInt(parts[2], 10) + " " : "") + month + " " + parts[0];
  }
  function excerpt(el, text, marked) {
    // About 36 words of the section around the most words searched for, those words marked;
    // set as text nodes and <mark> elements (nothing from a report is read as markup).
    var spans = [], m, re = new RegExp(WORD.source, "gu");
    while ((m = re.exec(text))) spans.push([m.index, m.index + m[0].length, marked.has(m[0].toLowerCase())]);
    var size = 36, best = 0, bestHits = -1, hits = 0;
    for (var i = 0; i < spans.length; i++) {
      hits += spans[i][2] ? 1 : 0;
      if (i >= size) hits -= spans[i - size][2] ? 1 : 0;
      if (hits > bestHits) { bestHits = hits; best = Math.max(0, i - size + 1); }
    }
    var shownSpans = spans.slice(best, best + size);
    if (!shownSpans.length) { el.textContent = text.slice(0, 240); return; }
    var at = shownSpans[0][0], end = shownSpans[shownSpans.length - 1][1];
    if (best > 0) el.appendChild(document.createTextNode("… "));
    shownSpans.forEach(function (s) {
      if (!s[2]) return;
      if (s[0] > at) el.appendChild(document.createTextNode(text.slice(at, s[0])));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(s[0], s[1]);
      el.appendChild(mark);
      at = s[1];
    });
    if (end > at) el.appendChild(document.createTextNode(text.slice(at, end)));
    if (end < text.length) el.appendChild(document.createTextNode(" …"));
  }
  function renderStatic(search, shown, form, lab) {
    // A result is a section of a report: its heading, the report, where and when, the words
    // found in it, and a link to that section of the report page.
    var list = document.getElementById("es-results");
    var status = document.getElementById("es-status");
    var total = search.results.length;
    var page = search.results.slice(shown, shown + 10);
    var marked = new Set(search.forms);
    return Promise.all(page.map(function (r) {
      var id = r.part.meta.docs.id[r.doc];
      return packedJson(fileOf(r.part, "sections/" + id + "/" + r.part.local[r.sec] + ".bin"));
    })).then(function (items) {
      items.forEach(function (d) {
        var li = document.createElement("li");
        li.className = "es-hit";
        var head = document.createElement("p");
        var link = document.createElement("a");
        link.href = new URL(d.target, root()).href;
        link.textContent = d.report + " — " + d.heading;
        head.appendChild(link);
        var meta = document.createElement("p");
        meta.className = "es-citation";
        meta.textContent = [d.council, humanDate(d.date), d.kind].filter(Boolean).join(" · ");
        var quote = document.createElement("blockquote");
        excerpt(quote, [d.heading].concat(d.paragraphs).join(" "), marked);
        li.appendChild(head); li.appendChild(meta); li.appendChild(quote);
        list.appendChild(li);
      });
      var shownNow = shown + items.length;
      status.textContent = total + (total === 1 ? " section of a report matches" : " sections of reports match") +
        (shownNow < total ? " (showing " + shownNow + ")" : "") + ".";
      var moreButton = document.getElementById("es-more");
      moreButton.hidden = shownNow >= total;
      moreButton.onclick = function () { renderStatic(search, shownNow, form, lab); };
    });
  }
  function runStatic(form, params) {
    var status = document.getElementById("es-status");
    document.getElementById("es-results").textContent = "";
    document.getElementById("es-export").hidden = true;
    Promise.all([loadStatic(), loadLabels()]).then(function (got) {
      var lab = got[1];
      return staticSearch(got[0], params, lab).then(function (search) {
        renderFacets(search.counts, lab, form);
        return renderStatic(search, 0, form, lab);
      });
    }).catch(function (err) {
      status.textContent = "The static search index could not be read (" + err.message + ").";
    });
  }
  function showMode(mode) {
    var note = document.getElementById("es-mode");
    if (note) note.textContent = mode === "api"
      ? "Searching paragraph by paragraph with the archive's search service."
      : "Searching the reports with this site's static index: it finds the sections of " +
        "reports that hold your words. Paragraph-level search, exact words, the quote check and " +
        "Atom feeds of searches need the archive's search service (evidence serve).";
    document.body.dataset.searchBackend = mode;
    document.getElementById("es-sort-row").hidden = mode === "api";
    document.getElementById("es-exact-label").hidden = mode !== "api";
    var qc = document.getElementById("qc-form");
    if (qc && mode !== "api") {
      qc.hidden = true;
      document.getElementById("qc-status").textContent =
        "The quote check needs the archive's search service (evidence serve), and this copy of " +
        "the site is hosted without it.";
    }
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
          var head = headLink(m);
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
    detect().then(showMode);
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
