/* The portal's maps: an enhancement over what the page already shows without scripts.

   <div class="map" hidden data-density-url="/api/v1/appeals/density" ...> inside a figure
   whose SVG is the map without JavaScript. This script asks the public API for the cells
   (so the map shows exactly what the API answers: cells below k are absent there, and
   here), draws them as rectangles over the basemap and hides the SVG. If anything fails,
   the SVG stays. A pool's page has <div class="map" hidden data-pool-url=...>: the pool's
   projects that have a point, from the same public API, each linking to its entry in the
   page's list (which is the page without scripts). Texts come from the page (data-*
   attributes, from the catalogues). */
(function () {
  "use strict";

  var LEVELS = 5; // as the SVG's: darker means more appeals

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return "&#" + c.charCodeAt(0) + ";";
    });
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole;
    });
  }

  function baseMap(element) {
    var map = L.map(element, { zoomControl: false, scrollWheelZoom: false });
    L.control
      .zoom({ zoomInTitle: element.dataset.zoomIn, zoomOutTitle: element.dataset.zoomOut })
      .addTo(map);
    if (element.dataset.tiles) {
      L.tileLayer(element.dataset.tiles, {
        maxZoom: 19,
        // Leaflet writes attributions as HTML: the setting is plain text.
        attribution: escapeHtml(element.dataset.attribution || ""),
      }).addTo(map);
    }
    return map;
  }

  function drawDensity(element, density) {
    var half = density.cell_degrees / 2;
    var most = 0;
    density.cells.forEach(function (cell) {
      most = Math.max(most, cell.count);
    });
    var numbers = new Intl.NumberFormat(document.documentElement.lang || "uk");
    var map = baseMap(element);
    var cells = L.featureGroup();
    density.cells.forEach(function (cell) {
      var level = Math.max(1, Math.ceil((cell.count / most) * LEVELS));
      var label = document.createElement("span");
      label.textContent = fill(element.dataset.cellLabel || "{count}", {
        lat: String(cell.lat),
        lon: String(cell.lon),
        count: numbers.format(cell.count),
      });
      L.rectangle(
        [
          [cell.lat - half, cell.lon - half],
          [cell.lat + half, cell.lon + half],
        ],
        { className: "cell d" + level, weight: 1 }
      )
        .bindTooltip(label, { sticky: true })
        .addTo(cells);
    });
    cells.addTo(map);
    map.fitBounds(cells.getBounds(), { padding: [8, 8], maxZoom: 15 });
    element.dataset.cells = String(density.cells.length);
  }

  function densityMap(element) {
    var figure = element.closest("figure") || element.parentNode;
    fetch(element.dataset.densityUrl, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("density: HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (density) {
        if (!density.cells || density.cells.length === 0) {
          return; // nothing to draw: the page says so already
        }
        // Shown before Leaflet starts: it measures the element.
        element.hidden = false;
        figure.classList.add("has-map");
        drawDensity(element, density);
      })
      .catch(function (error) {
        element.hidden = true;
        figure.classList.remove("has-map");
        console.warn("map: the SVG stays", error);
      });
  }

  function drawProjects(element, pool) {
    var numbers = new Intl.NumberFormat(document.documentElement.lang || "uk");
    var map = baseMap(element);
    var points = L.featureGroup();
    pool.projects.forEach(function (project) {
      if (project.lat === null || project.lon === null) {
        return;
      }
      var label = document.createElement("span");
      label.textContent = fill(element.dataset.projectLabel || "{title}", {
        title: project.title,
        cost: numbers.format(project.cost),
      });
      L.circleMarker([project.lat, project.lon], { className: "project", radius: 8 })
        .bindTooltip(label)
        .on("click", function () {
          // The project's entry in the list: its description, and its field on a ballot.
          window.location.hash = "project-" + project.code;
        })
        .addTo(points);
    });
    if (points.getLayers().length === 0) {
      return false;
    }
    points.addTo(map);
    map.fitBounds(points.getBounds(), { padding: [16, 16], maxZoom: 16 });
    element.dataset.projects = String(points.getLayers().length);
    return true;
  }

  function poolMap(element) {
    fetch(element.dataset.poolUrl, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("pool: HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (pool) {
        element.hidden = false; // before Leaflet starts: it measures the element
        if (!drawProjects(element, pool)) {
          element.hidden = true;
        }
      })
      .catch(function (error) {
        element.hidden = true;
        console.warn("map: the list stays", error);
      });
  }

  if (typeof L === "undefined" || !window.fetch) {
    return; // the SVG, or the list, stays
  }
  document.querySelectorAll(".map[data-density-url]").forEach(densityMap);
  document.querySelectorAll(".map[data-pool-url]").forEach(poolMap);
})();
