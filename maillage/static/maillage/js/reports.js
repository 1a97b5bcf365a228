/* Maillage — draws the report charts with ECharts (served from our origin, no CDN).
 *
 * Each `[data-chart]` element names the `json_script` that holds its data (charts.py); the
 * table beside each chart holds every figure and is its accessible alternative. Masked figures
 * are not in the data. Tooltips are drawn inside the canvas (richText), so nothing injects
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
      left: 8,
      right: 120,
      nodeGap: 12,
      emphasis: { focus: "adjacency" },
      lineStyle: { color: "gradient", opacity: 0.45 },
      label: {
        color: TEXT,
        formatter: function (params) {
          return labels[params.name];
        },
      },
      data: data.nodes.map(function (node) {
        return { name: node.name };
      }),
      links: data.links,
    }];
    return option;
  }

  function funnel(data) {
    var option = base();
    var max = Math.max.apply(null, data.items.map(function (item) { return item.value; }));
    option.tooltip.trigger = "item";
    option.tooltip.formatter = function (params) {
      return params.name + " : " + formatNumber(params.value);
    };
    option.series = [{
      name: data.series,
      type: "funnel",
      sort: "none",
      min: 0,
      max: max,
      minSize: "8%",
      gap: 2,
      left: "5%",
      width: "90%",
      label: {
        position: "inside",
        color: "#ffffff",
        formatter: function (params) {
          return params.name + " : " + formatNumber(params.value);
        },
      },
      labelLine: { show: false },
      itemStyle: { color: PALETTE[0], borderColor: "#ffffff" },
      data: data.items,
    }];
    return option;
  }

  function months(data) {
    var option = base();
    option.tooltip.trigger = "axis";
    option.legend = { top: 0, textStyle: { color: TEXT } };
    option.grid = { left: 48, right: 48, top: 56, bottom: 8, containLabel: true };
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

  function bars(data) {
    var option = base();
    option.tooltip.trigger = "axis";
    option.grid = { left: 8, right: 48, top: 8, bottom: 8, containLabel: true };
    option.xAxis = { type: "value", axisLabel: { color: MUTED, formatter: formatNumber } };
    option.yAxis = {
      type: "category",
      inverse: true,
      data: data.labels,
      axisLabel: { color: TEXT, width: 180, overflow: "break" },
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
      var chart = window.echarts.init(element, null, { renderer: "canvas" });
      chart.setOption(build(data));
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
