// Work orders: the map of a team's day (numbered points in route order), a print button,
// and big touch targets on the phone page. No inline script or style: data comes from a
// json_script element and data-* attributes.
(function () {
  "use strict";

  var ready = window.GuichetMaps.ready;

  function drawMap(element) {
    var L = window.L;
    var data = document.getElementById("workorders-points");
    if (!L || !data) {
      return;
    }
    var points = JSON.parse(data.textContent);
    var map = window.GuichetMaps.base(element, "22rem");
    var bounds = [];
    var route = [];
    points.forEach(function (p) {
      var colour = p.done ? "#18753c" : "#000091";
      var marker = L.circleMarker([p.lat, p.lon], {
        radius: 9, color: colour, weight: 2, fillColor: colour, fillOpacity: 0.6
      }).addTo(map);
      var link = document.createElement("a");
      link.href = p.url;
      link.textContent = p.label;
      marker.bindPopup(link);
      marker.bindTooltip(String(p.n), { permanent: true, direction: "center" });
      bounds.push([p.lat, p.lon]);
      route.push([p.lat, p.lon]);
    });
    if (route.length > 1) {
      L.polyline(route, { color: "#000091", weight: 2, dashArray: "4 6" }).addTo(map);
    }
    if (bounds.length === 1) {
      map.setView(bounds[0], 17);
    } else {
      map.fitBounds(bounds, { padding: [24, 24] });
    }
    element.guichetMap = map;
  }

  ready(function () {
    var element = document.querySelector("[data-workorders-map]");
    if (element) {
      drawMap(element);
    }
    document.querySelectorAll("[data-workorders-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    // On paper: the list and the map, without the page's navigation and forms.
    var hidden = [];
    window.addEventListener("beforeprint", function () {
      document.querySelectorAll("header, nav, footer, [data-workorders-noprint]").forEach(
        function (element) {
          hidden.push([element, element.style.display]);
          element.style.display = "none";
        }
      );
    });
    window.addEventListener("afterprint", function () {
      hidden.forEach(function (pair) { pair[0].style.display = pair[1]; });
      hidden = [];
    });
    // Thumbs on a phone: large targets for the field agent.
    document.querySelectorAll("[data-big]").forEach(function (button) {
      button.style.display = "block";
      button.style.width = "100%";
      button.style.minHeight = "3rem";
      button.style.fontSize = "1.15rem";
      button.style.marginBottom = ".5rem";
      button.style.textAlign = "center";
    });
  });
})();
