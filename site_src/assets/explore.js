/* Explore and Compare: filters, sorting and ticking on /explore/, the side-by-side table on /compare/.
   Plain JavaScript with no dependencies, loaded on every page (mkdocs.yml extra_javascript); it does
   nothing on pages without #om-explore or #om-compare. The pages are rendered by the generator
   (templates/explore.md.j2, compare.md.j2), which also supplies every string shown here, translated. */
(function () {
  "use strict";

  var FILTERS = ["q", "family", "kind", "license", "osi", "lesson", "osaid", "mof", "min_score", "disagrees"];
  var lang = document.documentElement.lang || undefined;

  /* "{shown} of {total} models" with the values put in. */
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  /* Comma-separated Hub ids, without blanks and repeats, in the order given. */
  function idList(value) {
    var seen = {};
    return (value || "").split(",").map(function (s) { return s.trim(); }).filter(function (id) {
      if (!id || seen[id]) return false;
      seen[id] = true;
      return true;
    });
  }

  /* A query string that keeps Hub ids readable: "/" and "," need no escaping in a query. */
  function query(pairs) {
    var parts = pairs.filter(function (p) { return p[1] !== ""; }).map(function (p) {
      return p[0] + "=" + encodeURIComponent(p[1]).replace(/%2F/gi, "/").replace(/%2C/gi, ",");
    });
    return parts.length ? "?" + parts.join("&") : "";
  }

  function element(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function modelUrl(id) {
    return "../models/" + id.replace("/", "__") + "/";
  }

  /* ---- Explore ---- */

  function explore(root) {
    var form = document.getElementById("om-explore-filters");
    var table = document.getElementById("om-explore-table");
    var count = document.getElementById("om-explore-count");
    var compareLink = document.getElementById("om-compare-link");
    var picked = document.getElementById("om-explore-picked");
    var tbody = table.tBodies[0];
    var rows = Array.prototype.slice.call(tbody.rows);
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var boxes = rows.map(function (row) { return row.querySelector(".om-pick input"); });
    var sortKey = "";
    var picks = [];
    // A site built without tracker data has no "disagrees" control: that filter is left out.
    var filters = FILTERS.filter(function (name) { return form.elements[name]; });

    rows.forEach(function (row, i) { row.dataset.index = String(i); });
    form.hidden = false;
    root.querySelector(".om-explore-pick").hidden = false;
    Array.prototype.forEach.call(root.querySelectorAll(".om-pick"), function (cell) { cell.hidden = false; });

    function header(key) {
      return headers.filter(function (th) { return th.dataset.key === key; })[0];
    }

    /* The URL's state, with values no control offers left out. */
    function readUrl() {
      var params = new URLSearchParams(location.search);
      filters.forEach(function (name) {
        var control = form.elements[name];
        var value = params.get(name) || "";
        if (control.type === "checkbox") {
          control.checked = value === "1";
        } else if (control.tagName === "SELECT") {
          var known = Array.prototype.some.call(control.options, function (o) { return o.value === value; });
          control.value = known ? value : "";
        } else if (name === "min_score") {
          var number = Number(value);
          control.value = value !== "" && number >= 0 && number <= 100 ? String(number) : "";
        } else {
          control.value = value;
        }
      });
      var sort = params.get("sort") || "";
      sortKey = header(sort.replace(/^-/, "")) ? sort : "";
      var ids = rows.map(function (row) { return row.dataset.modelId; });
      picks = idList(params.get("models")).filter(function (id) { return ids.indexOf(id) >= 0; });
    }

    function writeUrl() {
      var pairs = filters.map(function (name) {
        var control = form.elements[name];
        return [name, control.type === "checkbox" ? (control.checked ? "1" : "") : control.value.trim()];
      });
      pairs.push(["sort", sortKey], ["models", picks.join(",")]);
      var url = location.pathname + query(pairs) + location.hash;
      if (url !== location.pathname + location.search + location.hash) history.replaceState(history.state, "", url);
    }

    function matches(row, f, terms, minScore) {
      var d = row.dataset;
      return (!f.family || d.family === f.family) && (!f.kind || d.kind === f.kind) &&
        (!f.license || d.license === f.license) && (!f.osi || d.osi === "1") &&
        (!f.lesson || d.lesson === f.lesson) && (!f.osaid || d.osaid === f.osaid) &&
        (!f.mof || d.mof === f.mof) && (!f.disagrees || d.disagrees === "1") &&
        (minScore === null || (d.score !== "" && Number(d.score) * 100 >= minScore)) &&
        terms.every(function (term) { return d.text.indexOf(term) >= 0; });
    }

    function compareRows(key, descending) {
      var th = header(key);
      var column = th.cellIndex;
      var numeric = th.dataset.type === "number";
      return function (a, b) {
        var x = a.cells[column].dataset.sort, y = b.cells[column].dataset.sort;
        var order;
        if (numeric && (x === "" || y === "")) {
          order = x === y ? 0 : (x === "" ? 1 : -1);  // missing values last, either way
        } else {
          order = numeric ? Number(x) - Number(y) : x.localeCompare(y, lang, {numeric: true, sensitivity: "base"});
          if (descending) order = -order;
        }
        return order || Number(a.dataset.index) - Number(b.dataset.index);
      };
    }

    function apply() {
      var f = {};
      filters.forEach(function (name) {
        var control = form.elements[name];
        f[name] = control.type === "checkbox" ? control.checked : control.value.trim();
      });
      var terms = f.q.toLowerCase().split(/\s+/).filter(Boolean);
      var minScore = f.min_score === "" || isNaN(Number(f.min_score)) ? null : Number(f.min_score);
      var shown = 0;
      rows.forEach(function (row) {
        row.hidden = !matches(row, f, terms, minScore);
        if (!row.hidden) shown += 1;
      });
      var key = sortKey.replace(/^-/, "");
      var ordered = rows.slice().sort(key ? compareRows(key, sortKey.charAt(0) === "-") : function (a, b) {
        return Number(a.dataset.index) - Number(b.dataset.index);
      });
      ordered.forEach(function (row) { tbody.appendChild(row); });
      headers.forEach(function (th) {
        if (!th.dataset.key) return;
        if (th.dataset.key === key) th.setAttribute("aria-sort", sortKey.charAt(0) === "-" ? "descending" : "ascending");
        else th.removeAttribute("aria-sort");
      });
      var text = fill(root.dataset.count, {shown: shown, total: rows.length});
      if (count.textContent !== text) count.textContent = text;
      showPicks();
      writeUrl();
    }

    function showPicks() {
      boxes.forEach(function (box) { box.checked = picks.indexOf(box.value) >= 0; });
      var ready = picks.length >= 2 && picks.length <= 4;
      var text = picks.length ? fill(root.dataset.picked, {count: picks.length}) : "";
      picked.textContent = ready ? text : (text ? text + ". " : "") + root.dataset.pickHint;
      if (ready) {
        compareLink.setAttribute("href", compareLink.dataset.href + query([["models", picks.join(",")]]));
        compareLink.removeAttribute("aria-disabled");
      } else {
        compareLink.removeAttribute("href");
        compareLink.setAttribute("aria-disabled", "true");
      }
    }

    headers.forEach(function (th) {
      if (!th.dataset.key) return;
      var button = element("button", {type: "button", "class": "om-sort"});
      while (th.firstChild) button.appendChild(th.firstChild);
      button.appendChild(element("span", {"class": "om-sort-arrow", "aria-hidden": "true"}));
      th.appendChild(button);
      button.addEventListener("click", function () {
        var key = th.dataset.key;
        // A new column starts with the most open / largest first for numbers, A to Z for text.
        if (sortKey === key) sortKey = "-" + key;
        else if (sortKey === "-" + key) sortKey = key;
        else sortKey = th.dataset.type === "number" ? "-" + key : key;
        apply();
      });
    });
    boxes.forEach(function (box) {
      box.addEventListener("change", function () {
        picks = picks.filter(function (id) { return id !== box.value; });
        if (box.checked) picks.push(box.value);
        apply();
      });
    });
    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("reset", function () {
      // The controls take their reset values after this event; apply once they have.
      window.setTimeout(apply, 0);
    });
    readUrl();
    apply();
  }

  /* ---- Compare ---- */

  function compare(root) {
    var strings = JSON.parse(document.getElementById("om-compare-strings").textContent);
    var ui = strings.ui;
    var message = document.getElementById("om-compare-message");
    var result = document.getElementById("om-compare-result");
    var only = document.getElementById("om-compare-only-differing");
    var source = document.getElementById("om-compare-data");
    var ids = idList(new URLSearchParams(location.search).get("models"));
    var notes = [];
    var numbers = {
      percent: new Intl.NumberFormat(lang, {style: "percent"}),
      compact: new Intl.NumberFormat(lang, {notation: "compact", maximumFractionDigits: 1})
    };

    if (ids.length < 2) {
      message.textContent = ui.choose;
      return;
    }
    if (ids.length > 4) {
      notes.push(fill(ui.too_many, {count: ids.length}));
      ids = ids.slice(0, 4);
    }
    fetch(source.href).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    }).then(function (doc) {
      var byId = {};
      doc.models.forEach(function (m) { byId[m.id.toLowerCase()] = m; });
      var unknown = ids.filter(function (id) { return !byId[id.toLowerCase()]; });
      var models = ids.filter(function (id) { return byId[id.toLowerCase()]; }).map(function (id) {
        return byId[id.toLowerCase()];
      });
      if (unknown.length) notes.push(fill(ui.unknown, {ids: unknown.join(", ")}));
      if (models.length < 2) {
        notes.push(ui.choose);
        message.textContent = notes.join(" ");
        return;
      }
      var differing = draw(models);
      notes.push(fill(ui.summary, {count: differing, total: strings.components.length + 6}));
      message.textContent = notes.join(" ");
    }).catch(function () {
      message.textContent = ui.failed;
    });

    function level(model, component) {
      var entry = model.components[component.key];
      var def = strings.levels[entry.level];
      // The stylesheet draws the level's icon before its label (assets/levels.css).
      var cell = [element("span", {"class": "om-level om-" + entry.level}, [def.label])];
      entry.evidence.forEach(function (url, i) {
        if (!/^https?:\/\//i.test(url)) return;  // the catalog allows only these; never a script link
        cell.push(" ", element("a", {"class": "om-evidence", href: url,
          title: ui.evidence + " " + (i + 1) + ": " + model.name + ", " + component.label}, ["[" + (i + 1) + "]"]));
      });
      return cell;
    }

    function verdict(classes, text) {
      return [element("span", {"class": "om-verdict " + classes}, [text])];
    }

    /* Every row: its label, the value compared across models, and the cell drawn for each model. */
    function rowsFor() {
      var v = strings.verdicts;
      var rows = strings.components.map(function (c) {
        return {label: c.label, value: function (m) { return m.components[c.key].level; },
                cell: function (m) { return level(m, c); }};
      });
      return rows.concat([
        {label: ui.license, value: function (m) { return m.license.id; }, cell: function (m) {
          return [m.license.id + " ", element("small", {}, ["(" + (m.license.osi_approved ? ui.osi : ui.not_osi) + ")"])];
        }},
        {label: ui.parameters, value: function (m) { return m.parameters; }, cell: function (m) {
          return [m.parameters ? numbers.compact.format(m.parameters) : ui.not_recorded];
        }},
        {label: ui.score, value: function (m) { return m.score; }, cell: function (m) {
          return [m.score === null ? "–" : numbers.percent.format(Math.round(m.score * 100) / 100)];
        }},
        {label: v.lesson_criteria, value: function (m) { return m.verdicts.lesson_criteria; }, cell: function (m) {
          return m.verdicts.lesson_criteria ? verdict("om-yes", ui.yes) : verdict("om-no", ui.no);
        }},
        {label: v.osaid, value: function (m) { return m.verdicts.osaid; }, cell: function (m) {
          var o = m.verdicts.osaid;
          return verdict("om-osaid-" + o, o === "likely" ? ui.likely : o === "unlikely" ? ui.unlikely : ui.unknown_verdict);
        }},
        {label: v.mof_class, value: function (m) { return m.verdicts.mof_class; }, cell: function (m) {
          return [m.verdicts.mof_class ? ui["class"] + " " + m.verdicts.mof_class : ui.none];
        }}
      ]);
    }

    /* Draws the table; returns how many rows differ. */
    function draw(models) {
      var names = models.map(function (m) { return m.name; });
      var head = element("tr", {}, [element("th", {scope: "col"}, [ui.row])].concat(models.map(function (m) {
        return element("th", {scope: "col", "data-model-id": m.id}, [
          element("a", {href: modelUrl(m.id)}, [m.name]), element("br"), element("small", {}, [m.id])]);
      })));
      var body = element("tbody");
      var differing = 0;
      rowsFor().forEach(function (row) {
        var values = models.map(function (m) { return JSON.stringify(row.value(m)); });
        var differs = values.some(function (value) { return value !== values[0]; });
        if (differs) differing += 1;
        var label = element("th", {scope: "row"}, [row.label]);
        if (differs) {
          label.appendChild(element("span", {"class": "om-differs-tag"}, [
            element("span", {"aria-hidden": "true"}, ["≠ "]), ui.differs]));
        }
        body.appendChild(element("tr", {"class": differs ? "om-differs" : "om-same"}, [label].concat(models.map(function (m) {
          return element("td", {}, row.cell(m));
        }))));
      });
      var table = element("table", {id: "om-compare-table"}, [
        element("caption", {}, [fill(ui.caption, {models: names.join(", ")})]), element("thead", {}, [head]), body]);
      result.textContent = "";
      result.appendChild(table);
      result.hidden = false;
      only.closest(".om-compare-only").hidden = false;
      only.addEventListener("change", function () { result.classList.toggle("om-only-differing", only.checked); });
      return differing;
    }
  }

  var exploreRoot = document.getElementById("om-explore");
  if (exploreRoot) explore(exploreRoot);
  var compareRoot = document.getElementById("om-compare");
  if (compareRoot) compare(compareRoot);
})();
