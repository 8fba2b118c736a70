// The console's own script (no inline script anywhere: see the Content-Security-Policy).
// It draws each <canvas data-chart="{label, labels, values}"> with Chart.js, on the first
// load and on every page htmx swaps in. The same figures are in a table beside each chart.
// A <button data-print> opens the print dialog.
(function () {
  "use strict";

  function draw(root) {
    if (typeof Chart === "undefined") {
      return;
    }
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (Chart.getChart(canvas)) {
        return;
      }
      var figures = JSON.parse(canvas.dataset.chart);
      new Chart(canvas, {
        type: "bar",
        data: {
          labels: figures.labels,
          datasets: [{label: figures.label, data: figures.values, backgroundColor: "#1d5ca8"}]
        },
        options: {
          animation: false,
          maintainAspectRatio: false,
          plugins: {legend: {display: false}},
          scales: {y: {beginAtZero: true, ticks: {precision: 0}}}
        }
      });
    });
  }

  // <button data-print>: the browser's print dialog (the page's print style hides the rest)
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("button[data-print]")) {
      window.print();
    }
  });

  document.addEventListener("htmx:load", function (event) {
    draw(event.target);
  });
  document.addEventListener("DOMContentLoaded", function () {
    draw(document);
  });
})();
