// Draws a GeoJSON layer of units on a blank base (no tile server needed; set
// data-tiles to a tile URL template to add one). Colours come from feature properties.
(function () {
  function draw(el) {
    var map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
    if (el.dataset.tiles) { L.tileLayer(el.dataset.tiles).addTo(map); }
    fetch(el.dataset.src, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var layer = L.geoJSON(data, {
          style: function (f) {
            if (f.properties.value !== undefined) {
              var v = f.properties.value, heat = ["#f2f4f7", "#fef0c7", "#fedf89", "#fdb022", "#f04438", "#b42318"];
              return { color: "#98a2b3", weight: 0.5, fillColor: heat[Math.min(v, heat.length - 1)], fillOpacity: 0.85 };
            }
            var ok = f.properties.covered;
            return { color: ok ? "#067647" : "#b42318", weight: 1, fillColor: ok ? "#abefc6" : "#fecdca", fillOpacity: 0.7 };
          },
          onEachFeature: function (f, shape) {
            var name = (document.documentElement.lang === "en" && f.properties.name_en) || f.properties.name;
            var mark = f.properties.value !== undefined ? ": " + f.properties.value : (f.properties.covered ? " ✓" : " ✗");
            shape.bindTooltip(name + mark);
          }
        }).addTo(map);
        if (layer.getLayers().length) { map.fitBounds(layer.getBounds(), { padding: [8, 8] }); }
        else { map.setView([30, 110], 4); }
      });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-unit-map]").forEach(draw);
  });
})();
