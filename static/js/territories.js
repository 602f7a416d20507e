// The territories' map (Leaflet, with Leaflet-Geoman to draw): every outline of the
// authority, and on a territory's page its own outline, drawn or edited on the map and kept
// in sync with the GeoJSON field, which stays the source of truth (the form works without
// this script). No inline script or style: data comes from data-* attributes and the
// GeoJSON export; sizes are set through the DOM, which the Content-Security-Policy allows.
(function () {
  "use strict";

  var OTHER_STYLE = { color: "#5b5f6b", weight: 1, fillOpacity: 0.08, dashArray: "4 3" };
  var OWN_STYLE = { color: "#000091", weight: 3, fillOpacity: 0.2 };

  var ready = window.GuichetMaps.ready;

  // The outline written in the field: a Polygon or MultiPolygon (possibly in a Feature or a
  // collection of one Feature), or null when empty; false when unreadable.
  function parseOutline(text) {
    text = (text || "").trim();
    if (!text) { return null; }
    var data;
    try { data = JSON.parse(text); } catch (e) { return false; }
    if (data && data.type === "FeatureCollection" && data.features && data.features.length === 1) {
      data = data.features[0];
    }
    if (data && data.type === "Feature") { data = data.geometry; }
    if (!data || (data.type !== "Polygon" && data.type !== "MultiPolygon")) { return false; }
    return data;
  }

  // One GeoJSON geometry from the drawn layers: a Polygon, or a MultiPolygon for several.
  function outlineOf(group) {
    var polygons = [];
    group.eachLayer(function (layer) {
      if (!layer.toGeoJSON) { return; }
      var geometry = layer.toGeoJSON(7).geometry;
      if (geometry.type === "Polygon") { polygons.push(geometry.coordinates); }
      if (geometry.type === "MultiPolygon") { polygons = polygons.concat(geometry.coordinates); }
    });
    if (!polygons.length) { return null; }
    if (polygons.length === 1) { return { type: "Polygon", coordinates: polygons[0] }; }
    return { type: "MultiPolygon", coordinates: polygons };
  }

  function setup(element) {
    var L = window.L;
    if (!L) { return; }
    var map = window.GuichetMaps.base(element, "28rem");

    var currentId = element.getAttribute("data-current-id");
    var others = L.geoJSON(null, {
      style: OTHER_STYLE,
      pmIgnore: true,
      onEachFeature: function (feature, layer) {
        layer.bindTooltip(feature.properties.nom + " (" + feature.properties.libelleType + ")");
      }
    }).addTo(map);
    var field = element.getAttribute("data-outline-field");
    field = field ? document.getElementById(field) : null;
    var own = L.featureGroup().addTo(map);
    var status = document.getElementById("territory-map-status");
    var invalidText = element.getAttribute("data-invalid-text");
    var helpText = status ? status.textContent : "";

    function fit() {
      var bounds = own.getLayers().length ? own.getBounds() : others.getBounds();
      if (bounds.isValid()) { map.fitBounds(bounds, { maxZoom: 16, padding: [20, 20] }); }
    }

    function writeField() {
      var outline = outlineOf(own);
      field.value = outline ? JSON.stringify(outline) : "";
      field.dispatchEvent(new Event("change", { bubbles: true }));
      if (status) { status.textContent = helpText; }
    }

    function watch(layer) {
      layer.on("pm:edit pm:update pm:dragend pm:cut pm:rotateend", writeField);
    }

    function readField() {
      var outline = parseOutline(field.value);
      if (outline === false) {
        element.setAttribute("data-outline-state", "invalid");
        if (status) { status.textContent = invalidText; }
        return;
      }
      own.clearLayers();
      if (outline) {
        L.geoJSON(outline, { style: OWN_STYLE }).eachLayer(function (layer) {
          own.addLayer(layer);
          watch(layer);
        });
      }
      element.setAttribute("data-outline-state", outline ? "shown" : "empty");
      if (status) { status.textContent = helpText; }
    }

    fetch(element.getAttribute("data-geojson-url"), {
      credentials: "same-origin",
      headers: { Accept: "application/geo+json" }
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (collection) {
        if (!collection) { return; }
        collection.features.forEach(function (feature) {
          if (feature.geometry && String(feature.id) !== currentId) { others.addData(feature); }
        });
        element.setAttribute("data-others", String(others.getLayers().length));
        if (!own.getLayers().length) { fit(); }
      });

    if (!field) { return; }
    readField();
    fit();
    var timer = null;
    field.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { readField(); fit(); }, 300);
    });

    if (!map.pm) { return; }
    map.pm.setLang("fr");
    map.pm.setGlobalOptions({ pathOptions: OWN_STYLE, snappable: true });
    map.pm.addControls({
      position: "topleft",
      drawMarker: false,
      drawCircleMarker: false,
      drawPolyline: false,
      drawCircle: false,
      drawText: false,
      rotateMode: false
    });
    map.on("pm:create", function (event) {
      own.addLayer(event.layer);
      watch(event.layer);
      writeField();
      element.setAttribute("data-outline-state", "shown");
    });
    map.on("pm:cut", function (event) {
      own.removeLayer(event.originalLayer);
      own.addLayer(event.layer);
      watch(event.layer);
      writeField();
    });
    map.on("pm:remove", function (event) {
      own.removeLayer(event.layer);
      writeField();
    });
  }

  ready(function () {
    document.querySelectorAll("[data-territory-map]").forEach(setup);
  });
})();
