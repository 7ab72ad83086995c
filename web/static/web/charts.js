// Draws every chart on the page with Chart.js (build/chart.umd.min.js, loaded before this; both deferred).
// Each chart is a hidden box with a canvas, naming in an attribute the json_script block that holds its data:
// data-chart for the Gateway funnel (gateway/_funnel.html), data-dashboard-chart for the dashboard's charts
// (dashboard/dashboard.html). A box is shown only once its chart is drawn; the tables below give the same
// figures without JavaScript. The box's height comes from its class (frontend/app.scss).
(function () {
  "use strict";
  if (!window.Chart) { return; }
  var Chart = window.Chart;
  var palette = ["#1d70b8", "#28a197", "#4c2c92", "#f47738", "#00703c", "#d53880"];
  var blue = "#1d70b8", teal = "#28a197", interval = "rgba(29, 112, 184, 0.25)";

  function dataFor(box, attribute) {
    return JSON.parse(document.getElementById(box.getAttribute(attribute)).textContent);
  }

  function draw(box, config) {
    box.hidden = false;
    new Chart(box.querySelector("canvas"), config);
  }

  function percentTick(value) { return value + "%"; }
  function poundsTick(value) { return "£" + Number(value).toLocaleString("en-GB"); }

  // The Gateway funnel: people at each stage, one dataset (overall) or one per group (district, sector).
  function funnelChart(data) {
    var single = data.datasets.length === 1;
    data.datasets.forEach(function (set, index) {
      set.backgroundColor = single ? palette : palette[index % palette.length];
    });
    return {
      type: "bar",
      data: data,
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { display: !single, position: "bottom" } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "People" } } }
      }
    };
  }

  // The reoffending rate of each quarter, with its 95% interval as a bar behind the point.
  function intervalChart(data) {
    return {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { type: "line", label: "Reoffending rate", data: data.rates, borderColor: blue, backgroundColor: blue, pointRadius: 4, spanGaps: false, order: 0 },
          { type: "bar", label: "95% interval", data: data.intervals, backgroundColor: interval, borderColor: interval, barPercentage: 0.4, order: 1 }
        ]
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: {
          legend: { position: "bottom" },
          tooltip: { callbacks: { label: function (item) {
            var value = item.raw;
            if (value === null || value === undefined) { return item.dataset.label + ": suppressed"; }
            return Array.isArray(value) ? item.dataset.label + ": " + value[0] + "% to " + value[1] + "%" : item.dataset.label + ": " + value + "%";
          } } }
        },
        scales: { y: { min: 0, max: 100, ticks: { callback: percentTick }, title: { display: true, text: "Reoffended within a year" } } }
      }
    };
  }

  // The year before and the year after adoption, by offence category (offences, or their cost in pounds).
  function barsChart(data) {
    data.datasets.forEach(function (set, index) { set.backgroundColor = index ? teal : blue; });
    var ticks = data.money ? { callback: poundsTick } : { precision: 0 };
    return {
      type: "bar",
      data: { labels: data.labels, datasets: data.datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { position: "bottom" } },
        scales: { y: { beginAtZero: true, ticks: ticks, title: { display: true, text: data.axis } } }
      }
    };
  }

  document.querySelectorAll("[data-chart]").forEach(function (box) {
    draw(box, funnelChart(dataFor(box, "data-chart")));
  });
  document.querySelectorAll("[data-dashboard-chart]").forEach(function (box) {
    var data = dataFor(box, "data-dashboard-chart");
    draw(box, data.kind === "interval" ? intervalChart(data) : barsChart(data));
  });
})();
