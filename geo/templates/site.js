(function () {
  "use strict";
  // Leaflet's marker images are in assets/images/ beside this script (Leaflet's own guess looks for
  // a leaflet.css link, which the atlas folds into site.css).
  var me = document.currentScript;
  if (window.L && me && me.src) { L.Icon.Default.imagePath = me.src.replace(/site\.js([?#].*)?$/, "images/"); }
  var MARKER = {radius: 6, color: "#111111", weight: 2, fillColor: "#ffffff", fillOpacity: 1};
  function text(s) { var e = document.createElement("span"); e.textContent = s; return e; }
  function draw(el, gj) {
    var map = L.map(el, {zoomSnap: 0.25, attributionControl: false});
    var link = el.getAttribute("data-link"), focus = [];
    var layer = L.geoJSON(gj, {
      style: function (f) {
        var p = f.properties;
        if (f.geometry.type === "Point") { return MARKER; }
        if (p.o) { return {fill: false, color: "#c00000", weight: 3.5, opacity: 1}; }
        return {fillColor: p.c, color: "#4d4d4d", weight: p.f ? 0.8 : 0.4, fillOpacity: p.f ? 0.88 : 0.3};
      },
      pointToLayer: function (f, ll) {
        return L.circleMarker(ll, MARKER);
      },
      onEachFeature: function (f, l) {
        var p = f.properties;
        if (p.o) { l.options.interactive = false; return; }
        if (p.t) { l.bindTooltip(text(p.t), {sticky: true}); }
        if (p.k && link) { l.on("click", function () { window.location.href = link.replace("KODE", p.k); }); }
        if (p.f) { focus.push(l); }
      }
    }).addTo(map);
    var bounds = focus.length ? L.featureGroup(focus).getBounds() : layer.getBounds();
    map.fitBounds(bounds, {padding: [6, 6]});
    el.setAttribute("data-drawn", "1");
  }
  if (window.L) {
    Array.prototype.forEach.call(document.querySelectorAll(".map[data-geo]"), function (el) {
      var src = el.getAttribute("data-geo");
      if (src.charAt(0) === "#") {
        draw(el, JSON.parse(document.getElementById(src.slice(1)).textContent));
      } else {
        fetch(src).then(function (r) { return r.json(); }).then(function (gj) { draw(el, gj); });
      }
    });
  }
  var box = document.getElementById("finder");
  if (box) {
    var q = document.getElementById("q"), none = document.getElementById("none");
    var items = document.querySelectorAll("#kommuner li");
    box.hidden = false;
    q.addEventListener("input", function () {
      var s = q.value.trim().toLowerCase(), n = 0;
      Array.prototype.forEach.call(items, function (li) {
        var hit = li.textContent.toLowerCase().indexOf(s) >= 0;
        li.hidden = !hit;
        if (hit) { n += 1; }
      });
      none.hidden = n > 0;
    });
  }
})();
