// The back office's maps of problem reports (Leaflet): the map of open reports beside their
// list, reloaded from the GeoJSON of the visible area when it moves, and the small map of one
// report's point on its case page. No inline script or style: data comes from data-*
// attributes; points are SVG circles, so no marker image is needed.
(function () {
  "use strict";

  var FRANCE = window.GuichetMaps.FRANCE;
  var ready = window.GuichetMaps.ready;
  var COLOURS = { past: "#c9191e", near: "#b34000", "": "#000091" };

  var baseMap = window.GuichetMaps.base;

  function popup(feature, texts) {
    var p = feature.properties;
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = p.url;
    link.textContent = p.public_id + " — " + p.category;
    box.appendChild(link);
    var line = document.createElement("div");
    line.textContent = p.status_label + (p.place ? " · " + p.place : "");
    box.appendChild(line);
    if (p.due_label) {
      // The promise as the server words it: a day, or a day and an hour for an urgent one.
      var due = document.createElement("div");
      due.textContent = p.due_label + (p.due_state ? " (" + texts[p.due_state] + ")" : "");
      box.appendChild(due);
    }
    return box;
  }

  function setupOverview(element) {
    var L = window.L;
    var map = baseMap(element, "28rem");
    var texts = {
      past: element.getAttribute("data-past-text"),
      near: element.getAttribute("data-near-text")
    };
    var layer = L.geoJSON(null, {
      pointToLayer: function (feature, latlng) {
        var colour = COLOURS[feature.properties.due_state || ""];
        return L.circleMarker(latlng, {
          radius: feature.properties.due_state ? 9 : 7,
          color: colour,
          weight: 2,
          fillColor: colour,
          fillOpacity: 0.6
        });
      },
      onEachFeature: function (feature, marker) {
        marker.bindPopup(popup(feature, texts));
        marker.on("popupopen", function () {
          element.setAttribute("data-open-report", feature.properties.public_id);
        });
      }
    }).addTo(map);
    var baseUrl = element.getAttribute("data-geojson-url");
    var first = true;

    function load(bbox) {
      var url = baseUrl + (baseUrl.indexOf("?") < 0 ? "?" : "&") +
        (bbox ? "bbox=" + encodeURIComponent(bbox) : "");
      return fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          layer.clearLayers();
          layer.addData(data);
          element.setAttribute("data-count", String(data.features.length));
          var status = document.getElementById("reports-map-status");
          if (status) {
            var note = data.truncated ? element.getAttribute("data-truncated-text") : "";
            if (status.getAttribute("data-truncated-note") !== note) {
              status.setAttribute("data-truncated-note", note);
              status.textContent = note || status.getAttribute("data-initial") || "";
            }
          }
          if (first) {
            first = false;
            var bounds = layer.getBounds();
            if (bounds.isValid()) {
              map.fitBounds(bounds, { maxZoom: 16, padding: [20, 20] });
            }
          }
        });
    }

    map.fitBounds(FRANCE);
    // First every point (to frame them), then the visible area as the agent moves.
    load("").then(function () {
      map.on("moveend", function () { load(map.getBounds().toBBoxString()); });
    });
  }

  function setupPoint(element) {
    var L = window.L;
    var lat = parseFloat(element.getAttribute("data-lat"));
    var lon = parseFloat(element.getAttribute("data-lon"));
    if (isNaN(lat) || isNaN(lon)) { return; }
    var map = baseMap(element, "12rem");
    map.setView([lat, lon], 16);
    L.circleMarker([lat, lon], { radius: 8, color: "#000091", fillOpacity: 0.6 }).addTo(map);
  }

  ready(function () {
    if (!window.L) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("[data-reports-map]"), setupOverview);
    Array.prototype.forEach.call(document.querySelectorAll("[data-report-point]"), setupPoint);
  });
})();
