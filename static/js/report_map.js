// Problem reports: the map of the report form (a touch places the point and fills the
// latitude and longitude fields, which stay the source of truth: the form works without
// this script, without tiles and without a geocoder), the "use my position" button, the
// promised delay of the chosen category, and the public map of reports. No inline script
// or style: data comes from data-* attributes, sizes are set through the DOM.
(function () {
  "use strict";

  var ready = window.GuichetMaps.ready;

  // The town's map: framed on its territories (data-bounds) when they are known.
  function baseMap(element) {
    element.hidden = false;
    var map = window.GuichetMaps.base(element, "18rem");
    var bounds = (element.getAttribute("data-bounds") || "").split(",").map(Number);
    if (bounds.length === 4 && bounds.every(function (n) { return !isNaN(n); })) {
      map.fitBounds([[bounds[0], bounds[1]], [bounds[2], bounds[3]]]);
    }
    return map;
  }

  function number(input) {
    var value = parseFloat((input.value || "").replace(",", "."));
    return isNaN(value) ? null : value;
  }

  function setupForm(element) {
    var latField = document.getElementById(element.getAttribute("data-lat-field"));
    var lonField = document.getElementById(element.getAttribute("data-lon-field"));
    if (!latField || !lonField) { return; }
    var marker = null;
    var map = window.L ? baseMap(element) : null;

    function show(lat, lon, zoom) {
      if (!map) { return; }
      if (marker) { marker.setLatLng([lat, lon]); } else {
        marker = window.L.circleMarker([lat, lon], { radius: 9, color: "#c0392b", weight: 3 }).addTo(map);
      }
      if (zoom) { map.setView([lat, lon], Math.max(map.getZoom(), 17)); }
    }

    function fromFields(zoom) {
      var lat = number(latField), lon = number(lonField);
      if (lat !== null && lon !== null) { show(lat, lon, zoom); }
    }

    // The open reports nearby, shown as soon as the point is known: the person may follow
    // one instead of sending a new report (the server checks again without this script).
    var live = document.getElementById("nearby-live");
    var confirmField = document.getElementById("id_confirm_new");
    var categoryField = document.getElementById("id_category");
    var emailField = document.getElementById("id_email");
    function refreshNearby() {
      var lat = number(latField), lon = number(lonField);
      if (!live || lat === null || lon === null || !categoryField || !categoryField.value) { return; }
      var query = new URLSearchParams({
        category: categoryField.value,
        latitude: String(lat),
        longitude: String(lon),
        email: emailField ? emailField.value : ""
      });
      fetch(live.getAttribute("data-nearby-url") + "?" + query.toString(), {
        credentials: "same-origin"
      })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null) { return; }
          live.innerHTML = html;
          var shown = !!live.querySelector("section");
          if (confirmField) { confirmField.value = shown ? "on" : ""; }
          live.setAttribute("data-state", shown ? "found" : "none");
        });
    }

    function write(lat, lon) {
      latField.value = lat.toFixed(6);
      lonField.value = lon.toFixed(6);
      show(lat, lon, false);
      refreshNearby();
    }

    latField.addEventListener("change", refreshNearby);
    lonField.addEventListener("change", refreshNearby);
    if (categoryField) { categoryField.addEventListener("change", refreshNearby); }
    if (map) {
      map.on("click", function (event) { write(event.latlng.lat, event.latlng.lng); });
      latField.addEventListener("change", function () { fromFields(true); });
      lonField.addEventListener("change", function () { fromFields(true); });
      fromFields(true);
    }

    var button = document.querySelector("[data-locate]");
    if (button && navigator.geolocation) {
      button.hidden = false;
      var status = document.getElementById(button.getAttribute("data-status"));
      button.addEventListener("click", function () {
        navigator.geolocation.getCurrentPosition(
          function (position) {
            write(position.coords.latitude, position.coords.longitude);
            if (map) { map.setView([position.coords.latitude, position.coords.longitude], 18); }
            if (status) { status.textContent = button.getAttribute("data-located-text"); }
          },
          function () {
            if (status) { status.textContent = button.getAttribute("data-failed-text"); }
          },
          { enableHighAccuracy: true, timeout: 15000 }
        );
      });
    }
  }

  // The promised delay shown is the chosen category's.
  function setupDelay() {
    var select = document.getElementById("id_category");
    if (!select) { return; }
    function refresh() {
      document.querySelectorAll("[data-delay-for]").forEach(function (block) {
        block.hidden = block.getAttribute("data-delay-for") !== select.value;
      });
    }
    select.addEventListener("change", refresh);
    refresh();
  }

  // The public map asks for the reports of the area in view each time the person stops
  // moving it, and says (in a live region) when there are too many to show them all.
  function setupList(element) {
    if (!window.L) { return; }
    var L = window.L;
    var map = baseMap(element);
    var status = document.getElementById(element.getAttribute("data-status"));
    var note = document.getElementById("reports-map-note");
    if (note) { note.hidden = false; }
    var layer = L.geoJSON(null, {
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, { radius: 7, color: "#1f4e79", weight: 2 });
      },
      onEachFeature: function (feature, marker) {
        var p = feature.properties;
        var box = document.createElement("div");
        var link = document.createElement("a");
        link.href = p.url;
        link.textContent = p.category + " — " + p.status_label;
        box.appendChild(link);
        if (p.place) {
          var place = document.createElement("div");
          place.textContent = p.place;
          box.appendChild(place);
        }
        marker.bindPopup(box);
      }
    }).addTo(map);
    var baseUrl = element.getAttribute("data-geojson-url");
    var latest = 0;
    var timer = null;

    function say(text) {
      // Only a change is written, so that a screen reader does not repeat the same line
      // at every move of the map.
      if (status && status.textContent !== text) { status.textContent = text; }
    }

    function visibleArea() {
      var b = map.getBounds();
      // Leaflet counts longitudes past ±180 when the world is panned round; the server
      // takes the globe as it is.
      var clamp = function (value, limit) { return Math.max(-limit, Math.min(limit, value)); };
      return [
        clamp(b.getWest(), 180), clamp(b.getSouth(), 90),
        clamp(b.getEast(), 180), clamp(b.getNorth(), 90)
      ].map(function (n) { return n.toFixed(5); }).join(",");
    }

    function load(bbox) {
      var asked = ++latest;
      var url = baseUrl + (baseUrl.indexOf("?") < 0 ? "?" : "&") +
        (bbox ? "bbox=" + encodeURIComponent(bbox) : "");
      element.setAttribute("aria-busy", "true");
      return fetch(url, { headers: { Accept: "application/geo+json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .catch(function () { return null; })
        .then(function (data) {
          // An answer overtaken by a later move is dropped.
          if (asked !== latest) { return null; }
          element.removeAttribute("aria-busy");
          if (!data) {
            say(element.getAttribute("data-failed-text") || "");
            return null;
          }
          layer.clearLayers();
          layer.addData(data);
          element.setAttribute("data-count", String(data.features.length));
          element.setAttribute("data-truncated", data.truncated ? "true" : "false");
          say(data.truncated ? element.getAttribute("data-zoom-text") || "" : "");
          return data;
        });
    }

    function follow() {
      map.on("moveend", function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(function () { load(visibleArea()); }, 300);
      });
    }

    if (element.getAttribute("data-bounds")) {
      // The authority's territory is in view: its reports are asked for straight away.
      follow();
      load(visibleArea());
    } else {
      // No territory known: the newest reports frame the map first.
      load("").then(function (data) {
        var bounds = layer.getBounds();
        if (data && bounds.isValid()) { map.fitBounds(bounds, { maxZoom: 17, padding: [20, 20] }); }
        follow();
        if (data && data.truncated) { load(visibleArea()); }
      });
    }
  }

  ready(function () {
    document.querySelectorAll("[data-report-map]").forEach(setupForm);
    document.querySelectorAll("[data-reports-map]").forEach(setupList);
    setupDelay();
  });
})();
