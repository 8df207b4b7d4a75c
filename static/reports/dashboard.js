/* The dashboard page (数据看板): draws the charts of reports/dashboard.html with the vendored
 * ECharts from the JSON the page embeds (#dashboard-data, #dashboard-labels, #dashboard-text).
 * Every chart is a <div class="chart" data-chart="<group>-<children|pie|trend>">; a click on a
 * child's bar opens that child's dashboard. No requests leave the page. */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function json(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  var data = json("dashboard-data");
  var labels = json("dashboard-labels") || {};
  var text = json("dashboard-text") || {};
  if (!data || typeof echarts === "undefined") {
    return;
  }

  var year = String(data.year);
  var years = data.years.map(String);
  var totals = data.totals;
  var now = totals[year] || {};
  var children = data.children || [];

  // The year selector submits itself; its button is for browsers without JavaScript.
  var select = document.getElementById("dashboard-year-select");
  if (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  }

  /* ---- numbers ------------------------------------------------------------------------- */

  var lang = document.documentElement.lang || "zh-CN";
  function formatter(options) {
    try {
      return new Intl.NumberFormat(lang, options);
    } catch (e) {
      return new Intl.NumberFormat("zh-CN", options);
    }
  }
  var plain = formatter({ maximumFractionDigits: 2 });
  var oneDecimal = formatter({ minimumFractionDigits: 1, maximumFractionDigits: 1 });
  var compact = formatter({ notation: "compact", maximumFractionDigits: 1 });

  function num(value) {
    if (value === null || value === undefined || value === "") {
      return null;
    }
    var n = Number(value);
    return isNaN(n) ? null : n;
  }

  // kind: "percent" | "money" | "count" | "age"
  function show(value, kind) {
    if (value === null || value === undefined || value === "-") {
      return "—";
    }
    if (kind === "percent") {
      return oneDecimal.format(value) + "%";
    }
    if (kind === "money") {
      return plain.format(value) + " " + (text.yuan || "");
    }
    if (kind === "age") {
      return oneDecimal.format(value);
    }
    return plain.format(value);
  }

  function label(key) {
    return labels[key] || key;
  }

  /* ---- common options ------------------------------------------------------------------ */

  var FONT = 14;
  var COLORS = ["#c23531", "#2f4554", "#d48265", "#61a0a8", "#ca8622", "#749f83", "#6e7074", "#bda29a"];
  var charts = []; // {chart, relayout}

  // stacks: for each series, its stack name or undefined; a stack's total closes the list.
  // Rich text treats {…|…} as markup: names never carry it.
  function richSafe(value) {
    return String(value).replace(/[{}|]/g, " ");
  }

  function axisTooltip(kinds, stacks) {
    return {
      trigger: "axis",
      axisPointer: { type: "shadow" },
      confine: true,
      // Drawn on the canvas: the HTML tooltip's colour markers are style attributes, which the
      // Content-Security-Policy (style-src 'self') blocks.
      renderMode: "richText",
      textStyle: { fontSize: FONT, rich: { head: { fontWeight: "bold", fontSize: FONT } } },
      formatter: function (params) {
        if (!params.length) {
          return "";
        }
        var lines = ["{head|" + richSafe(params[0].axisValueLabel) + "}"];
        var totals = {};
        params.forEach(function (p) {
          lines.push(p.marker + richSafe(p.seriesName) + "：" + show(num(p.value), kinds[p.seriesIndex]));
          var stack = stacks && stacks[p.seriesIndex];
          if (stack) {
            totals[stack] = totals[stack] || { sum: 0, n: 0, kind: kinds[p.seriesIndex] };
            totals[stack].sum += num(p.value) || 0;
            totals[stack].n += 1;
          }
        });
        Object.keys(totals).forEach(function (stack) {
          if (totals[stack].n > 2) {
            lines.push((text.total || "Σ") + "：" + show(totals[stack].sum, totals[stack].kind));
          }
        });
        return lines.join("\n");
      },
    };
  }

  function valueAxis(kind, extra) {
    var axis = {
      type: "value",
      axisLabel: {
        fontSize: FONT,
        hideOverlap: true,
        formatter: function (v) { return kind === "percent" ? v + "%" : compact.format(v); },
      },
      splitLine: { lineStyle: { color: "#e6e6e6" } },
      minInterval: kind === "count" ? 1 : 0,
    };
    if (kind === "percent") {
      axis.min = 0;
      axis.max = 100;
      axis.interval = 25;
    }
    return Object.assign(axis, extra || {});
  }

  var fontFamily = getComputedStyle(document.body).fontFamily;
  var measure = document.createElement("canvas").getContext("2d");
  measure.font = FONT + "px " + fontFamily;

  // ECharts does not make room for a legend that wraps; the rows a plain legend needs in a
  // given width are counted here, so that the plot starts below it (on a phone as well).
  var LEGEND_ROW = 22;
  var LEGEND_GAP = 8;
  function legendText(width) {
    return Math.max(60, width - 50); // a longer name is cut short with "…"
  }

  function legendHeight(names, width) {
    var available = width - 10;
    var rows = 1;
    var x = 0;
    names.forEach(function (name) {
      var w = 16 + 5 + Math.min(measure.measureText(name).width, legendText(width));
      if (x && x + w > available) {
        rows += 1;
        x = 0;
      }
      x += w + 10;
    });
    return 5 + rows * LEGEND_ROW + (rows - 1) * LEGEND_GAP;
  }

  function legend(width, position) {
    var l = {
      type: "plain", left: "center", itemGap: 10, itemWidth: 16, itemHeight: 10,
      textStyle: { fontSize: FONT, lineHeight: LEGEND_ROW, width: legendText(width), overflow: "truncate" },
      tooltip: { show: true },
    };
    l[position || "top"] = 0;
    return l;
  }

  // chart: {el, option(width) → option}; drawn now and again, relaid out, when the window resizes.
  function draw(el, build) {
    var chart = echarts.init(el, null, { renderer: "canvas" });
    function option() {
      var o = build(el.clientWidth);
      o.color = o.color || COLORS;
      o.textStyle = { fontSize: FONT, fontFamily: fontFamily };
      o.animationDuration = 400;
      return o;
    }
    chart.setOption(option());
    charts.push({ chart: chart, relayout: function () { chart.setOption(option()); chart.resize(); } });
    return chart;
  }

  function empty(el, height, message) {
    el.classList.add("chart-empty");
    if (height) {
      el.style.height = height + "px";
    }
    return draw(el, function () {
      return {
        graphic: {
          type: "text", left: "center", top: "middle",
          style: { text: message || text.no_data || "—", fontSize: FONT, fill: "#888" },
        },
      };
    });
  }

  function allEmpty(values) {
    return values.every(function (v) { return v === null || v === 0; });
  }

  function find(name) {
    return document.querySelector('.chart[data-chart="' + name + '"]');
  }

  /* ---- chart kinds --------------------------------------------------------------------- */

  // One horizontal bar per child (names read down the left, as in the table below); a click
  // on a bar or a name opens the child's dashboard.
  function childrenChart(name, series, kind) {
    var el = find(name);
    if (!el) {
      return;
    }
    var kinds = series.map(function (s) { return s.kind || kind; });
    var names = series.map(function (s) { return label(s.key); });
    var values = series.map(function (s) {
      return children.map(function (c) { return num(c.figures[s.key]); });
    });
    if (allEmpty([].concat.apply([], values))) {
      empty(el, 120);
      return;
    }
    var bars = series.filter(function (s) { return !s.stack || s.stackFirst; }).length;
    var perChild = bars > 1 ? 38 : 30;
    function fit(width) {
      el.style.height = Math.max(150, children.length * perChild + legendHeight(names, width) + 48) + "px";
    }
    fit(el.clientWidth);
    var chart = draw(el, function (width) {
      fit(width);
      return {
        legend: legend(width),
        tooltip: axisTooltip(kinds, series.map(function (s) { return s.stack; })),
        grid: { left: 8, right: 28, top: legendHeight(names, width) + 8, bottom: 8, containLabel: true },
        xAxis: valueAxis(kind, { position: "top", splitNumber: width < 600 ? 3 : 5 }),
        yAxis: {
          type: "category",
          inverse: true,
          triggerEvent: true,
          data: children.map(function (c) { return c.name; }),
          axisLabel: { fontSize: FONT, color: "#1a4f8b" },
          axisTick: { show: false },
        },
        series: series.map(function (s, i) {
          return {
            name: names[i],
            type: "bar",
            stack: s.stack,
            barMaxWidth: 22,
            emphasis: { focus: "series" },
            data: values[i],
          };
        }),
      };
    });
    chart.on("click", function (params) {
      var index = params.dataIndex;
      if (params.componentType === "yAxis") {
        index = children.findIndex(function (c) { return c.name === params.value; });
      }
      if (index !== undefined && index >= 0 && children[index] && !children[index].own) {
        open(children[index].code);
      }
    });
  }

  // The node's totals over the years: bars and/or lines, optionally a second axis on the right.
  function trendChart(name, series, kind, rightKind) {
    var el = find(name);
    if (!el) {
      return;
    }
    var kinds = series.map(function (s) { return s.right ? rightKind : (s.kind || kind); });
    var names = series.map(function (s) { return label(s.key); });
    var values = series.map(function (s) {
      return years.map(function (y) { return num((totals[y] || {})[s.key]); });
    });
    if (allEmpty([].concat.apply([], values))) {
      empty(el, null, text.no_data_years);
      return;
    }
    draw(el, function (width) {
      var yAxis = [valueAxis(kind)];
      if (rightKind) {
        yAxis.push(valueAxis(rightKind, { splitLine: { show: false } }));
      }
      return {
        legend: legend(width),
        tooltip: axisTooltip(kinds, series.map(function (s) { return s.stack; })),
        grid: { left: 8, right: 8, top: legendHeight(names, width) + 16, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: years, axisLabel: { fontSize: FONT }, axisTick: { alignWithLabel: true } },
        yAxis: yAxis,
        series: series.map(function (s, i) {
          return {
            name: names[i],
            type: s.type || "line",
            stack: s.stack,
            yAxisIndex: s.right ? 1 : 0,
            barMaxWidth: 28,
            symbolSize: 8,
            connectNulls: false,
            lineStyle: { width: 3 },
            data: values[i],
          };
        }),
      };
    });
  }

  // The node's own structure for the year.
  function pieChart(name, keys, kind) {
    var el = find(name);
    if (!el) {
      return;
    }
    var items = keys.map(function (k) {
      var value = num(now[k]) || 0;
      var item = { name: label(k), value: value };
      if (!value) { // in the legend, but no label pointing at nothing
        item.label = { show: false };
        item.labelLine = { show: false };
      }
      return item;
    });
    if (allEmpty(items.map(function (i) { return i.value; }))) {
      empty(el);
      return;
    }
    var names = items.map(function (i) { return i.name; });
    draw(el, function (width) {
      var bottom = legendHeight(names, width);
      var height = el.clientHeight - bottom;
      return {
        legend: legend(width, "bottom"),
        tooltip: {
          trigger: "item",
          confine: true,
          renderMode: "richText",
          textStyle: { fontSize: FONT },
          formatter: function (p) {
            return p.marker + richSafe(p.name) + "：" + show(p.value, kind) + "（" + oneDecimal.format(p.percent) + "%）";
          },
        },
        series: [{
          type: "pie",
          radius: ["28%", "52%"],
          center: ["50%", Math.round(height / 2) + 4],
          avoidLabelOverlap: true,
          label: {
            fontSize: FONT,
            overflow: "none",
            formatter: function (p) { return p.value ? oneDecimal.format(p.percent) + "%" : ""; },
          },
          labelLine: { length: 6, length2: 4 },
          labelLayout: { hideOverlap: true },
          data: items,
        }],
      };
    });
  }

  function open(code) {
    var params = new URLSearchParams({ node: code, year: year });
    window.location.href = window.location.pathname + "?" + params.toString();
  }

  /* ---- the cards ------------------------------------------------------------------------- */

  var AGE = ["age_35", "age_36_45", "age_46_55", "age_56"];
  var EDUCATION = ["education_postgraduate", "education_bachelor", "education_college", "education_secondary", "education_junior"];
  var GRADES = ["grade_excellent", "grade_good", "grade_pass", "grade_fail"];
  function stacked(keys, stack) {
    return keys.map(function (k, i) { return { key: k, stack: stack, type: "bar", stackFirst: i === 0 }; });
  }

  // (1) funding and area standards met
  childrenChart("compliance-children", [{ key: "funds_compliance_rate" }, { key: "area_compliance_rate" }], "percent");
  trendChart("compliance-trend", [{ key: "funds_compliance_rate" }, { key: "area_compliance_rate" }], "percent");

  // (2) 一肩挑
  childrenChart("one_shoulder-children", [{ key: "one_shoulder_share" }], "percent");
  trendChart("one_shoulder-trend", [
    { key: "communities", type: "bar" }, { key: "one_shoulder", type: "bar" },
    { key: "one_shoulder_share", right: true },
  ], "count", "percent");

  // (3) working funds per community
  childrenChart("funds-children", [{ key: "funds_per_community" }], "money");
  trendChart("funds-trend", [{ key: "funds_per_community" }], "money");

  // (4) in-service members registered
  childrenChart("members-children", [{ key: "members_registered" }], "count");
  trendChart("members-trend", [{ key: "members_registered", type: "bar" }], "count");

  // (5) agreements and commitments
  childrenChart("agreements-children", [
    { key: "commitments_kept", stack: "commitments", stackFirst: true },
    { key: "commitments_overdue", stack: "commitments" },
    { key: "agreements_in_force" },
  ], "count");
  trendChart("agreements-trend", [
    { key: "commitments_kept", type: "bar", stack: "commitments" },
    { key: "commitments_overdue", type: "bar", stack: "commitments" },
    { key: "agreements_in_force" },
    { key: "commitments_kept_rate", right: true },
  ], "count", "percent");

  // (6) assessment grades
  childrenChart("grades-children", stacked(GRADES, "grades"), "count");
  pieChart("grades-pie", GRADES, "count");
  trendChart("grades-trend", stacked(GRADES, "grades"), "count");

  // (7) age structure of cadres
  childrenChart("age-children", stacked(AGE, "age"), "count");
  pieChart("age-pie", AGE, "count");
  trendChart("age-trend", stacked(AGE, "age").concat([{ key: "average_age", right: true }]), "count", "age");

  // (8) education of cadres
  childrenChart("education-children", stacked(EDUCATION, "education"), "count");
  pieChart("education-pie", EDUCATION, "count");
  trendChart("education-trend", stacked(EDUCATION, "education").concat([{ key: "college_share", right: true }]), "count", "percent");

  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) {
      window.cancelAnimationFrame(pending);
    }
    pending = window.requestAnimationFrame(function () {
      charts.forEach(function (c) { c.relayout(); });
    });
  });
})();
