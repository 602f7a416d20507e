// What every map of Guichet shares (Leaflet): waiting for the page, the base map with the
// configured tile server (none: the points alone, on a plain background, for a town hall
// whose network is closed), framed on France until the page's own script frames it. Loaded
// before the map scripts; no inline script or style: sizes are set through the DOM.
(function () {
  "use strict";

  var FRANCE = [[41.3, -5.2], [51.1, 9.6]];

  function ready(callback) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback);
    } else {
      callback();
    }
  }

  function base(element, height) {
    var L = window.L;
    element.style.height = height;
    element.style.background = "#eef0f3";
    element.style.marginBottom = "1rem";
    var map = L.map(element, { scrollWheelZoom: false });
    element.guichetMap = map;
    var tileUrl = element.getAttribute("data-tile-url");
    if (tileUrl) {
      L.tileLayer(tileUrl, {
        maxZoom: 19,
        attribution: element.getAttribute("data-tile-attribution") || ""
      }).addTo(map);
    }
    map.fitBounds(FRANCE);
    return map;
  }

  window.GuichetMaps = { FRANCE: FRANCE, ready: ready, base: base };
})();
