/* Maillage — draws the report charts with ECharts (served from our origin, no CDN).
 *
 * Each `[data-chart]` element names the `json_script` that holds its data (charts.py); the
 * table beside each chart holds every figure and is its accessible alternative. Masked figures
 * are not in the data. Tooltips are drawn inside the SVG (richText), so nothing injects
 * inline styles the Content-Security-Policy would refuse. After an htmx swap the new results
 * are drawn again.
 */
(function () {
  "use strict";

  var PALETTE = ["#0b5e55", "#8a3b12", "#3b4f9a", "#6b4a00", "#7a2a66", "#2f6b1d"];
  var TEXT = "#1e1e24";
  var MUTED = "#55565e";
  var FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif";

  function formatNumber(value) {
    if (value === null || value === undefined) {
      return "";
    }
    var lang = document.documentElement.lang || "fr";
    return Number(value).toLocaleString(lang, { maximumFractionDigits: 1 });
  }

  function base() {
    return {
      animation: false,
      color: PALETTE,
      textStyle: { color: TEXT, fontFamily: FONT, fontSize: 13 },
      tooltip: {
        renderMode: "richText",
        backgroundColor: "#ffffff",
        borderColor: MUTED,
        textStyle: { color: TEXT },
      },
    };
  }

  // Room on each side of the Sankey for the structures' names (wrapped, never cut).
  var SANKEY_LABEL_WIDTH = 170;

  function sankey(data) {
    var labels = {};
    data.nodes.forEach(function (node) {
      labels[node.name] = node.label;
    });
    var option = base();
    option.tooltip.trigger = "item";
    option.tooltip.formatter = function (params) {
      if (params.dataType === "edge") {
        return labels[params.data.source] + " → " + labels[params.data.target] + " : " +
          formatNumber(params.data.value);
      }
      return labels[params.name];
    };
    option.series = [{
      type: "sankey",
      left: SANKEY_LABEL_WIDTH + 8,
      right: SANKEY_LABEL_WIDTH + 8,
      top: 8,
      bottom: 8,
      nodeGap: 14,
      emphasis: { focus: "adjacency" },
      lineStyle: { color: "gradient", opacity: 0.45 },
      label: {
        color: TEXT,
        width: SANKEY_LABEL_WIDTH,
        overflow: "break",
        formatter: function (params) {
          return labels[params.name];
        },
      },
      // Sources ("s…") are named on their left, targets ("t…") on their right: outside the bands.
      data: data.nodes.map(function (node) {
        var source = node.name.charAt(0) === "s";
        return {
          name: node.name,
          label: { position: source ? "left" : "right", align: source ? "right" : "left" },
        };
      }),
      links: data.links,
    }];
    return option;
  }

  // The persons per stage, one bar each: people enter the pathway at any stage, so a funnel
  // (each stage narrower than the one before) would draw what the data is not.
  function funnel(data, width) {
    return bars({
      series: data.series,
      labels: data.items.map(function (item) { return item.name; }),
      values: data.items.map(function (item) { return item.value; }),
    }, width);
  }

  function months(data) {
    var option = base();
    option.tooltip.trigger = "axis";
    option.legend = { top: 0, textStyle: { color: TEXT } };
    option.grid = { left: 48, right: 48, top: 56, bottom: 16, containLabel: true };
    option.xAxis = {
      type: "category",
      data: data.labels,
      axisLabel: { color: TEXT, rotate: 40 },
    };
    option.yAxis = data.series.map(function (serie) {
      return {
        type: "value",
        name: serie.name,
        nameTextStyle: { color: MUTED },
        axisLabel: { color: MUTED, formatter: formatNumber },
        splitLine: { show: serie.type === "bar" },
      };
    });
    option.series = data.series.map(function (serie, index) {
      return {
        name: serie.name,
        type: serie.type,
        yAxisIndex: index,
        connectNulls: false,
        data: serie.values,
      };
    });
    return option;
  }

  // Horizontal bars, their names on the left in a column of fixed width where long names wrap
  // (never cut): at most 40 % of the chart's width, 200 px on a laptop.
  function bars(data, width) {
    var labelWidth = Math.min(200, Math.round((width || 500) * 0.4));
    var option = base();
    option.tooltip.trigger = "axis";
    option.grid = { left: labelWidth + 16, right: 48, top: 8, bottom: 32, containLabel: false };
    option.xAxis = { type: "value", axisLabel: { color: MUTED, formatter: formatNumber } };
    option.yAxis = {
      type: "category",
      inverse: true,
      data: data.labels,
      axisLabel: { color: TEXT, width: labelWidth, overflow: "break", margin: 8, lineHeight: 16 },
    };
    option.series = [{
      name: data.series,
      type: "bar",
      data: data.values,
      label: { show: true, position: "right", color: TEXT, formatter: function (params) {
        return formatNumber(params.value);
      } },
    }];
    return option;
  }

  var BUILDERS = { sankey: sankey, funnel: funnel, months: months, bars: bars };

  function draw(root) {
    if (!window.echarts) {
      return;
    }
    document.documentElement.classList.add("js-charts");
    root.querySelectorAll("[data-chart]").forEach(function (element) {
      var source = document.getElementById(element.getAttribute("data-chart"));
      if (!source) {
        return;
      }
      var data = JSON.parse(source.textContent);
      var build = BUILDERS[data.kind];
      if (!build) {
        return;
      }
      var previous = window.echarts.getInstanceByDom(element);
      if (previous) {
        previous.dispose();
      }
      // SVG: crisp when printed, and its labels are text a test (and a reader) can select.
      var chart = window.echarts.init(element, null, { renderer: "svg" });
      chart.setOption(build(data, element.clientWidth));
    });
  }

  function dispose(root) {
    if (!window.echarts) {
      return;
    }
    root.querySelectorAll("[data-chart]").forEach(function (element) {
      var chart = window.echarts.getInstanceByDom(element);
      if (chart) {
        chart.dispose();
      }
    });
  }

  function resizeAll() {
    if (!window.echarts) {
      return;
    }
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var chart = window.echarts.getInstanceByDom(element);
      if (chart) {
        chart.resize();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    draw(document);
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    dispose(event.detail.target || document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    draw(event.detail.target || document);
  });
  var resizeTimer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(resizeAll, 150);
  });
})();
