// The console's own script (no inline script anywhere: see the Content-Security-Policy).
// It draws each <canvas data-chart="{label, labels, values}"> with Chart.js, on the first
// load and on every page htmx swaps in. The same figures are in a table beside each chart.
// Rows of a <tbody data-sortable> can be dragged; a <button data-print> opens the print dialog.
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

  // <tbody data-sortable>: its rows with a data-move URL can be dragged to a new place; the
  // drop posts the number of places moved (negative: up) there, and htmx shows the answer.
  // The ↑ ↓ buttons do the same without a mouse.
  function sortable(root) {
    root.querySelectorAll("tbody[data-sortable]").forEach(function (body) {
      if (body.dataset.sortableReady) {
        return;  // htmx:load and DOMContentLoaded both see the first page
      }
      body.dataset.sortableReady = "yes";
      var dragged = null;
      body.querySelectorAll("tr[data-move]").forEach(function (row) {
        row.draggable = true;
        row.addEventListener("dragstart", function (event) {
          dragged = row;
          event.dataTransfer.effectAllowed = "move";
          event.dataTransfer.setData("text/plain", row.id);
        });
        row.addEventListener("dragover", function (event) {
          if (dragged && dragged !== row) {
            event.preventDefault();
          }
        });
        row.addEventListener("drop", function (event) {
          event.preventDefault();
          var rows = Array.prototype.slice.call(body.querySelectorAll("tr[data-move]"));
          var offset = dragged ? rows.indexOf(row) - rows.indexOf(dragged) : 0;
          if (offset !== 0) {
            htmx.ajax("POST", dragged.dataset.move, {
              source: dragged, target: "body", values: {offset: offset}
            });
          }
          dragged = null;
        });
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
    sortable(event.target);
  });
  document.addEventListener("DOMContentLoaded", function () {
    draw(document);
    sortable(document);
  });
})();
