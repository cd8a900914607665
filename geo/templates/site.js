(function () {
  "use strict";
  // Leaflet's marker images are in assets/images/ beside this script (Leaflet's own guess looks for
  // a leaflet.css link, which the atlas folds into site.css).
  var me = document.currentScript;
  if (window.L && me && me.src) { L.Icon.Default.imagePath = me.src.replace(/site\.js([?#].*)?$/, "images/"); }
  var MARKER = {radius: 6, color: "#111111", weight: 2, fillColor: "#ffffff", fillOpacity: 1};
  function text(s) { var e = document.createElement("span"); e.textContent = s; return e; }
  // Unit names on the map (features with ``l``), larger units first; a name that would cover one placed
  // before it is hidden until the reader zooms in.
  function declutter(map, labels) {
    var kept = [];
    labels.forEach(function (el) {
      el.style.visibility = "visible";
      var r = el.getBoundingClientRect();
      var free = kept.every(function (k) {
        return r.right <= k.left || k.right <= r.left || r.bottom <= k.top || k.bottom <= r.top;
      });
      el.style.visibility = free ? "visible" : "hidden";
      if (free) { kept.push(r); }
    });
  }
  function legend(el, entries) {
    var fig = el.parentNode, next = fig.nextElementSibling;
    if (!entries.length || (next && next.classList.contains("legend"))) { return; }
    var ul = document.createElement("ul");
    ul.className = "legend map-legend";
    entries.sort(function (a, b) { return a.n.localeCompare(b.n, "da"); }).forEach(function (e) {
      var li = document.createElement("li"), sw = document.createElement("span");
      sw.className = "swatch";
      sw.style.background = /^#[0-9a-fA-F]{6}$/.test(e.c) ? e.c : "#cccccc";
      li.appendChild(sw);
      li.appendChild(text(e.n));
      ul.appendChild(li);
    });
    fig.parentNode.insertBefore(ul, fig.nextSibling);
  }
  function draw(el, gj) {
    var map = L.map(el, {zoomSnap: 0.25, attributionControl: false});
    var link = el.getAttribute("data-link"), focus = [], labels = [], entries = [];
    gj = {type: "FeatureCollection", features: gj.features.filter(function (f) {
      if (f.properties.l) {
        var span = text(f.properties.l);
        span.className = "unit-label";
        labels.push({rank: f.properties.r || 0, span: span, ll: [f.geometry.coordinates[1], f.geometry.coordinates[0]]});
        entries.push(f.properties);
        return false;
      }
      return true;
    })};
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
    labels.sort(function (a, b) { return a.rank - b.rank; });
    var spans = labels.map(function (lb) {
      L.marker(lb.ll, {icon: L.divIcon({html: lb.span, className: "unit-label-icon", iconSize: [0, 0]}),
                       interactive: false, keyboard: false}).addTo(map);
      return lb.span;
    });
    declutter(map, spans);
    map.on("zoomend moveend", function () { declutter(map, spans); });
    legend(el, entries);
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
