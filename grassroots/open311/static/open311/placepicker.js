// The portal's place picker: the jurisdiction's villages on a blank base (set
// data-tiles to add a tile layer); a click sets latitude and longitude and a marker.
(function () {
  function picker(el) {
    var map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
    if (el.dataset.tiles) { L.tileLayer(el.dataset.tiles).addTo(map); }
    var lat = document.getElementById("id_latitude"), lon = document.getElementById("id_longitude");
    var shown = document.getElementById("picked"), marker = null;
    function place(latlng) {
      if (marker) { marker.setLatLng(latlng); } else { marker = L.circleMarker(latlng, { radius: 8, color: "#b42318" }).addTo(map); }
      lat.value = latlng.lat.toFixed(6); lon.value = latlng.lng.toFixed(6);
      shown.textContent = lat.value + ", " + lon.value;
    }
    map.on("click", function (e) { place(e.latlng); });
    fetch(el.dataset.src, { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var layer = L.geoJSON(data, {
          style: function () { return { color: "#98a2b3", weight: 1, fillColor: "#eef4ff", fillOpacity: 0.6 }; },
          onEachFeature: function (f, shape) {
            var name = (document.documentElement.lang === "en" && f.properties.name_en) || f.properties.name;
            shape.bindTooltip(name);
            shape.on("click", function (e) { place(e.latlng); });
          }
        }).addTo(map);
        if (layer.getLayers().length) { map.fitBounds(layer.getBounds(), { padding: [8, 8] }); } else { map.setView([30, 110], 4); }
        if (lat.value && lon.value) { place(L.latLng(parseFloat(lat.value), parseFloat(lon.value))); }
      });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-place-picker]").forEach(picker);
  });
})();
