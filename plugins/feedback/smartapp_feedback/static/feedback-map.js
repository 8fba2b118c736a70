// The queue's map: each report a dot (red when overdue) linking to its page. Background
// tiles only when the operator set a tile server on the console's host (map_tile_url):
// the office network may have no internet, and the CSP allows no other origin.
(function () {
  "use strict";

  function draw(root) {
    var element = root.querySelector ? root.querySelector("#feedback-map") : null;
    if (!element || typeof L === "undefined" || element.dataset.drawn) {
      return;
    }
    element.dataset.drawn = "yes";
    var features = JSON.parse(element.dataset.features);
    var b = JSON.parse(element.dataset.bounds); // minlon, minlat, maxlon, maxlat
    var province = L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
    var map = L.map(element, {attributionControl: Boolean(element.dataset.tiles)});
    if (element.dataset.tiles) {
      L.tileLayer(element.dataset.tiles, {maxZoom: 19}).addTo(map);
    }
    L.control.scale({imperial: false}).addTo(map);
    L.rectangle(province, {color: "#767676", weight: 1, fill: false, interactive: false}).addTo(map);
    var points = [];
    features.forEach(function (report) {
      var position = [report.lat, report.lon];
      points.push(position);
      var link = document.createElement("a");
      link.href = element.dataset.reportUrl + report.id;
      link.textContent = "#" + report.id + " " + report.title;
      var text = document.createElement("div");
      text.appendChild(link);
      text.appendChild(document.createTextNode(" — " + report.status +
        (report.overdue ? ", " + element.dataset.overdueLabel : "")));
      L.circleMarker(position, {
        radius: 7, weight: 2, color: report.overdue ? "#b3261e" : "#1d5ca8", fillOpacity: 0.7
      }).bindPopup(text).addTo(map);
    });
    map.fitBounds(points.length ? L.latLngBounds(points).pad(0.2) : province, {maxZoom: 16});
  }

  document.addEventListener("htmx:load", function (event) {
    draw(event.target);
  });
  document.addEventListener("DOMContentLoaded", function () {
    draw(document);
  });
})();
