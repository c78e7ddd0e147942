/* The dashboard's charts: an enhancement over the tables the page already shows.

   <div class="chart-canvas" hidden data-table="by-month-table" data-label="..."> sits
   above a table whose rows are the data: the row's heading is the month ("2026-01"), and
   the cell marked data-series holds the count in its data-value. This script reads those
   rows (so the chart shows exactly what the table says, which is what the API answered),
   draws them with uPlot (vendored, static/vendor/uplot) and shows the chart; the table
   stays below it for reading and for screen readers. Without scripts, or if anything
   fails, the table with its CSS bars is the chart. Texts come from the page (data-*). */
(function () {
  "use strict";

  function monthStart(key) {
    var match = /^(\d{4})-(\d{2})$/.exec(key.trim());
    return match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, 1) / 1000 : null;
  }

  function rowsOf(table) {
    var xs = [];
    var ys = [];
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var heading = row.querySelector("th");
      var cell = row.querySelector("[data-series]");
      var at = heading ? monthStart(heading.textContent) : null;
      var value = cell ? Number(cell.dataset.value) : NaN;
      if (at !== null && isFinite(value)) {
        xs.push(at);
        ys.push(value);
      }
    });
    return [xs, ys];
  }

  function draw(holder) {
    var table = document.getElementById(holder.dataset.table);
    if (!table || typeof uPlot === "undefined") return;
    var data = rowsOf(table);
    if (data[0].length < 2) return; // one month is a figure, not a line
    var style = getComputedStyle(holder);
    var ink = style.color;
    var accent = style.getPropertyValue("--accent").trim() || ink;
    var numbers = new Intl.NumberFormat(document.documentElement.lang || "uk");
    var months = new Intl.DateTimeFormat(document.documentElement.lang || "uk", {
      month: "short",
      year: "2-digit",
      timeZone: "UTC",
    });
    holder.hidden = false;
    var width = function () {
      return Math.max(240, holder.clientWidth);
    };
    var chart = new uPlot(
      {
        width: width(),
        height: 240,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: false } },
        axes: [
          {
            stroke: ink,
            values: function (u, ticks) {
              return ticks.map(function (t) {
                return months.format(new Date(t * 1000));
              });
            },
          },
          {
            stroke: ink,
            size: 60,
            values: function (u, ticks) {
              return ticks.map(function (t) {
                return numbers.format(t);
              });
            },
          },
        ],
        series: [{}, { label: holder.dataset.label, stroke: accent, width: 2, fill: null }],
      },
      data,
      holder
    );
    holder.dataset.points = String(data[0].length);
    window.addEventListener("resize", function () {
      chart.setSize({ width: width(), height: 240 });
    });
  }

  document.querySelectorAll(".chart-canvas[data-table]").forEach(function (holder) {
    try {
      draw(holder);
    } catch (error) {
      holder.hidden = true; // the table stays the chart
    }
  });
})();
