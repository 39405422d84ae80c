// The corridor map: a Natural Earth basemap (world-atlas TopoJSON, shipped with the app, no tiles),
// the network (links by mode and gauge, nodes, facilities with capacities) and overlays for a
// planned route and for study flows and bottlenecks.
import { fmt } from "./api.js";

export const LINK_STYLES = {
  "rail-1435": { color: "#2b6cb0", label: "rail, 1435 mm (standard gauge)" },
  "rail-1520": { color: "#c05621", label: "rail, 1520 mm (broad gauge)" },
  "rail-dual": { color: "#6b46c1", label: "rail, dual gauge (border approach)", dashArray: "6 4" },
  road: { color: "#4a5568", label: "road", dashArray: "2 5" },
  ferry: { color: "#00838f", label: "rail ferry", dashArray: "8 6" },
  feeder: { color: "#0097a7", label: "feeder vessel", dashArray: "3 6" },
  sea: { color: "#1a365d", label: "deep sea", dashArray: "1 6" },
};

export function linkStyleKey(p) {
  if (p.mode !== "rail") return p.mode;
  const g = p.gauge_mm || [];
  return g.length > 1 ? "rail-dual" : g[0] === 1520 ? "rail-1520" : "rail-1435";
}

export class CorridorMap {
  constructor(element) {
    this.map = L.map(element, { zoomSnap: 0.25, worldCopyJump: false, preferCanvas: false }).setView([45, 60], 3.5);
    this.map.attributionControl.addAttribution("Basemap: Natural Earth (public domain) via world-atlas");
    this.layers = {};
    this.control = L.control.layers(null, {}, { collapsed: false }).addTo(this.map);
    this.addLegend();
    this.map.createPane("routes").style.zIndex = 450;
  }

  async loadBasemap(url) {
    const topo = await (await fetch(url)).json();
    const land = topojson.feature(topo, topo.objects.countries);
    this.basemap = L.geoJSON(land, {
      interactive: false,
      style: { color: "#9aa5b1", weight: 0.6, fillColor: "#f4f1e8", fillOpacity: 1 },
    }).addTo(this.map);
    this.basemap.bringToBack();
  }

  setNetwork(geojson) {
    for (const name of ["links", "nodes"]) this.removeLayer(name);
    this.nodeById = {};
    this.linkById = {};
    this.linkLine = {};
    this.facilityNode = {};
    for (const f of geojson.features) {
      const p = f.properties;
      if (p.kind === "link") {
        this.linkById[p.id] = p;
        this.linkLine[p.id] = f.geometry.coordinates;
      }
      if (p.kind !== "node") continue;
      this.nodeById[p.id] = f;
      for (const fac of p.facilities) this.facilityNode[fac.id] = p.id;
    }
    const links = geojson.features.filter((f) => f.properties.kind === "link");
    const nodes = geojson.features.filter((f) => f.properties.kind === "node");
    this.addLayer("links", "links by mode and gauge", L.geoJSON({ type: "FeatureCollection", features: links }, {
      style: (f) => ({ ...LINK_STYLES[linkStyleKey(f.properties)], weight: f.properties.tracks === 2 ? 3.5 : 2.2, opacity: 0.9 }),
      onEachFeature: (f, layer) => layer.bindTooltip(linkTooltip(f.properties, this.nodeById), { sticky: true }),
    }));
    this.addLayer("nodes", "nodes and facilities", L.geoJSON({ type: "FeatureCollection", features: nodes }, {
      pointToLayer: (f, latlng) => L.circleMarker(latlng, nodeStyle(f.properties)),
      onEachFeature: (f, layer) => layer.bindTooltip(nodeTooltip(f.properties)),
    }));
    const bounds = this.layers.nodes.getBounds();
    if (bounds.isValid()) this.map.fitBounds(bounds, { padding: [20, 20] });
  }

  coords(nodeId) {
    const f = this.nodeById && this.nodeById[nodeId];
    return f ? [f.geometry.coordinates[1], f.geometry.coordinates[0]] : null;
  }

  // A leg's line as [lat, lon]s: its link's geometry (a sea lane follows its lane) in the direction travelled,
  // else the straight line between the nodes.
  legPath(linkId, from, to) {
    const line = linkId && this.linkLine && this.linkLine[linkId];
    if (!line) return [from, to].map((n) => this.coords(n)).filter(Boolean);
    const path = line.map(([lon, lat]) => [lat, lon]);
    return this.linkById[linkId].from === from ? path : path.reverse();
  }

  name(nodeId) {
    const f = this.nodeById && this.nodeById[nodeId];
    return f ? f.properties.name : nodeId;
  }

  // The selected option bold, the other options of the table thin (all of the Pareto set is on the map).
  showRoute(option, others = []) {
    this.removeLayer("route");
    if (!option) return;
    const group = L.layerGroup();
    for (const other of others.filter((o) => o !== option)) {
      for (const leg of other.legs.filter((l) => l.kind === "move")) {
        const path = this.legPath(leg.link_id, leg.from_node, leg.to_node);
        L.polyline(path, { pane: "routes", color: "#7a4d00", weight: 3, opacity: 0.7, dashArray: "4 4", className: "route-alt" }).addTo(group);
      }
    }
    for (const leg of option.legs.filter((l) => l.kind === "move")) {
      const path = this.legPath(leg.link_id, leg.from_node, leg.to_node);
      L.polyline(path, { pane: "routes", color: "#000", weight: 9, opacity: 0.35 }).addTo(group);
      L.polyline(path, { pane: "routes", color: "#ffd400", weight: 5, opacity: 1, className: "route-line" })
        .bindTooltip(`${leg.mode}: ${this.name(leg.from_node)} → ${this.name(leg.to_node)}, ${fmt(leg.distance_km)} km`, { sticky: true }).addTo(group);
    }
    const ends = [option.node_ids[0], option.node_ids[option.node_ids.length - 1]];
    for (const n of ends) L.circleMarker(this.coords(n), { pane: "routes", radius: 8, color: "#000", fillColor: "#ffd400", fillOpacity: 1 }).addTo(group);
    this.addLayer("route", "route options (selected in yellow)", group);
    this.map.fitBounds(L.featureGroup(group.getLayers()).getBounds(), { padding: [30, 30], maxZoom: 6 });
  }

  // flows: [{link_id, from, to, volume_teu}], bottlenecks: [{node_id, label, utilisation}]
  showFlows(flows, bottlenecks) {
    this.removeLayer("flows");
    const group = L.layerGroup();
    const max = Math.max(1, ...flows.map((f) => f.volume_teu));
    for (const f of flows) {
      const path = this.legPath(f.link_id, f.from, f.to);
      if (path.length < 2 || f.volume_teu <= 0) continue;
      L.polyline(path, { pane: "routes", color: "#d53f8c", weight: 2 + 12 * (f.volume_teu / max), opacity: 0.75, className: "flow-line" })
        .bindTooltip(`${f.link_id}: ${fmt(f.volume_teu)} TEU`, { sticky: true }).addTo(group);
    }
    for (const b of bottlenecks) {
      const c = this.coords(b.node_id);
      if (!c) continue;
      L.circleMarker(c, { pane: "routes", radius: 7 + 10 * Math.min(1, b.severity), color: "#7b0000", fillColor: "#e53e3e", fillOpacity: 0.85, className: "bottleneck" })
        .bindTooltip(b.label).addTo(group);
    }
    this.addLayer("flows", "study flows and bottlenecks", group);
  }

  addLayer(name, label, layer) {
    this.layers[name] = layer.addTo(this.map);
    this.control.addOverlay(layer, label);
  }

  removeLayer(name) {
    const layer = this.layers[name];
    if (!layer) return;
    this.map.removeLayer(layer);
    this.control.removeLayer(layer);
    delete this.layers[name];
  }

  addLegend() {
    const legend = L.control({ position: "bottomleft" });
    legend.onAdd = () => {
      const div = L.DomUtil.create("div", "legend");
      div.innerHTML = Object.values(LINK_STYLES)
        .map((s) => `<div><i style="border-top: 3px ${s.dashArray ? "dashed" : "solid"} ${s.color}"></i>${s.label}</div>`).join("")
        + `<div><svg width="22" height="12"><circle cx="11" cy="6" r="5" fill="#fff" stroke="#1f3a5f" stroke-width="2"/></svg>facility (size: trains/day)</div>`;
      return div;
    };
    legend.addTo(this.map);
  }
}

function nodeStyle(p) {
  const cap = Math.max(0, ...p.facilities.map((f) => f.capacity_trains_day || 0));
  const hasFacility = p.facilities.length > 0;
  return {
    radius: hasFacility ? 4 + Math.min(8, Math.sqrt(cap) * 1.5) : 3,
    color: "#1f3a5f", weight: hasFacility ? 2 : 1, fillColor: hasFacility ? "#fff" : "#1f3a5f", fillOpacity: 1,
  };
}

function nodeTooltip(p) {
  const rows = p.facilities.map((f) => {
    const caps = [f.capacity_trains_day != null ? `${fmt(f.capacity_trains_day, 1)} trains/d` : null,
      f.capacity_teu_day != null ? `${fmt(f.capacity_teu_day)} TEU/d` : null].filter(Boolean);
    return `<br>${f.kind} <i>${f.id}</i>${caps.length ? ": " + caps.join(", ") : ""}`;
  }).join("");
  return `<b>${p.name}</b> (${p.country}, ${p.node_kind})${rows}`;
}

function linkTooltip(p, nodeById) {
  const name = (id) => (nodeById[id] ? nodeById[id].properties.name : id);
  const cap = p.capacity_trains_day != null ? `, ${fmt(p.capacity_trains_day, 1)} trains/d` : p.departures_per_week != null ? `, ${fmt(p.departures_per_week, 1)} dep/week` : "";
  const gauge = p.gauge_mm.length ? ` ${p.gauge_mm.join("/")} mm` : "";
  return `${name(p.from)} – ${name(p.to)}<br>${p.mode}${gauge}, ${fmt(p.distance_km)} km${cap}${p.tracks ? `, ${p.tracks} track(s)` : ""}`;
}
