// The corridor map: a Natural Earth basemap (world-atlas TopoJSON, shipped with the app, no tiles),
// the network (links by mode and gauge, nodes, facilities with capacities) and overlays for a
// planned route and for study flows and bottlenecks.
import { fmt } from "./api.js";

// ISO 3166-1 alpha-2 → numeric (the ids of world-atlas), for the countries of the corridors and their neighbours.
const ISO_NUMERIC = {
  AF: "004", AM: "051", AT: "040", AZ: "031", BE: "056", BG: "100", BY: "112", CH: "756", CN: "156", CZ: "203", DE: "276",
  EG: "818", FR: "250", GE: "268", GR: "300", HU: "348", IR: "364", IT: "380", KG: "417", KZ: "398", LT: "440", LV: "428",
  MN: "496", NL: "528", PL: "616", RO: "642", RS: "688", RU: "643", SA: "682", SK: "703", TJ: "762", TM: "795", TR: "792",
  UA: "804", UZ: "860", MD: "498", HR: "191", SI: "705", SY: "760", IQ: "368", YE: "887", DJ: "262", SD: "729", ER: "232",
};
// One colour per numbered route option (option 1 = the first colour), distinct from the link colours.
export const OPTION_COLOURS = ["#e6a100", "#d53f8c", "#00a389", "#7b61ff", "#e2531d", "#0a84c6", "#8a6d3b", "#5a9e00"];
const LABEL_KINDS = { terminal: 3, port: 3, border: 2, junction: 1 };

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
    // zoomSnap 0: any fractional zoom, so fitBounds fits a route exactly (a snapped zoom leaves it up to a step too small)
    this.map = L.map(element, { zoomSnap: 0, zoomDelta: 0.5, worldCopyJump: false, preferCanvas: false }).setView([45, 60], 3.5);
    this.map.attributionControl.addAttribution("Basemap: Natural Earth (public domain) via world-atlas");
    this.layers = {};
    this.control = L.control.layers(null, {}, { collapsed: false }).addTo(this.map);
    this.addLegend();
    this.map.createPane("routes").style.zIndex = 450;
    this.map.createPane("labels").style.zIndex = 640;
    this.map.getPane("labels").style.pointerEvents = "none";
    this.map.on("zoomend moveend", () => this.declutter());
  }

  async loadBasemap(url) {
    const topo = await (await fetch(url)).json();
    const land = topojson.feature(topo, topo.objects.countries);
    this.basemap = L.geoJSON(land, {
      interactive: false,
      style: (f) => ({ color: "#9aa5b1", weight: 0.6, fillColor: "#f4f1e8", fillOpacity: 1, className: `country country-${f.id}` }),
    }).addTo(this.map);
    this.basemap.bringToBack();
    this.avoided = [];
  }

  // Shade the avoided countries (alpha-2 codes) on the basemap; [] clears.
  shadeCountries(codes) {
    this.avoided = codes.filter((c) => ISO_NUMERIC[c]);
    const ids = new Set(this.avoided.map((c) => ISO_NUMERIC[c]));
    this.basemap.eachLayer((layer) => {
      const on = ids.has(layer.feature.id);
      layer.setStyle(on ? { fillColor: "#f3b7b0", fillOpacity: 1, color: "#b0443a", weight: 1.2 } : { fillColor: "#f4f1e8", fillOpacity: 1, color: "#9aa5b1", weight: 0.6 });
      const el = layer.getElement && layer.getElement();
      if (el) el.classList.toggle("avoided", on);
    });
  }

  // Permanent place names, the route's places first, then by kind and capacity; a label that would overlap a
  // label already placed is hidden (greedy, recomputed at every zoom).
  placeLabels() {
    this.removeLayer("labels");
    const group = L.layerGroup();
    const onRoute = new Set(this.routeNodes || []);
    const score = (f) => (onRoute.has(f.properties.id) ? 100 : 0) + (LABEL_KINDS[f.properties.node_kind] || 0)
      + Math.min(5, Math.max(0, ...f.properties.facilities.map((x) => x.capacity_trains_day || 0)) / 10);
    this.labelOrder = Object.values(this.nodeById).sort((a, b) => score(b) - score(a));
    for (const f of this.labelOrder) {
      const [lon, lat] = f.geometry.coordinates;
      L.marker([lat, lon], {
        pane: "labels", interactive: false, keyboard: false,
        icon: L.divIcon({ className: `place-label${onRoute.has(f.properties.id) ? " on-route" : ""}`, html: `<span data-node="${f.properties.id}">${f.properties.name}</span>`, iconSize: null }),
      }).addTo(group);
    }
    this.addLayer("labels", "place names", group);
    this.declutter();
  }

  declutter() {
    const layer = this.layers.labels;
    if (!layer) return;
    // the numbered route badges come first: a label never hides under one
    const placed = [...document.querySelectorAll(".route-badge span")].map((el) => {
      const r = el.getBoundingClientRect();
      return [r.left - 2, r.top - 1, r.right + 2, r.bottom + 1];
    });
    const spans = new Map([...document.querySelectorAll(".place-label span")].map((el) => [el.dataset.node, el]));
    for (const f of this.labelOrder) {
      const el = spans.get(f.properties.id);
      if (!el) continue;
      el.style.visibility = "visible";
      const r = el.getBoundingClientRect();
      const box = [r.left - 2, r.top - 1, r.right + 2, r.bottom + 1];
      if (placed.some((p) => box[0] < p[2] && box[2] > p[0] && box[1] < p[3] && box[3] > p[1])) el.style.visibility = "hidden";
      else placed.push(box);
    }
  }

  setNetwork(geojson) {
    for (const name of ["links", "nodes"]) this.removeLayer(name);
    this.nodeById = {};
    this.linkById = {};
    this.linkLine = {};
    this.facilityNode = {};
    this.facilityKind = {};
    for (const f of geojson.features) {
      const p = f.properties;
      if (p.kind === "link") {
        this.linkById[p.id] = p;
        this.linkLine[p.id] = f.geometry.coordinates;
      }
      if (p.kind !== "node") continue;
      this.nodeById[p.id] = f;
      for (const fac of p.facilities) {
        this.facilityNode[fac.id] = p.id;
        this.facilityKind[fac.id] = fac.kind;
      }
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
    this.routeNodes = [];
    this.placeLabels();
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

  // Every option of the table in its own colour with its number; the selected one bold over a dark casing, and the
  // map zoomed to it. ``index`` is the selected option's position in ``options``.
  showRoute(options, index) {
    this.removeLayer("route");
    const option = options[index];
    this.routeNodes = option ? option.node_ids : [];
    this.routeBounds = null;
    if (!option) {
      this.placeLabels();
      return;
    }
    const group = L.layerGroup();
    const moves = (o) => o.legs.filter((l) => l.kind === "move").map((leg) => [leg, this.legPath(leg.link_id, leg.from_node, leg.to_node)]);
    const badge = (o, i, path, selected) => {
      if (path.length < 2) return;
      const k = Math.floor((path.length - 1) / 2); // the middle of the middle segment (a 2-point leg: its midpoint)
      const mid = [(path[k][0] + path[k + 1][0]) / 2, (path[k][1] + path[k + 1][1]) / 2];
      L.marker(mid, { pane: "routes", interactive: false, icon: L.divIcon({ className: `route-badge${selected ? " selected" : ""}`,
        html: `<span style="background:${OPTION_COLOURS[i % OPTION_COLOURS.length]}">${i + 1}</span>`, iconSize: null }) }).addTo(group);
    };
    // a badge sits on the option's longest leg that no other option uses, so badges of similar routes do not stack
    const users = new Map();
    options.forEach((o, i) => o.legs.forEach((l) => l.link_id && users.set(l.link_id, (users.get(l.link_id) || new Set()).add(i))));
    const badgeLeg = (legs) => {
      const own = legs.filter(([leg]) => users.get(leg.link_id).size === 1);
      const pool = own.length ? own : legs;
      return pool.reduce((a, b) => (b[0].distance_km > a[0].distance_km ? b : a), pool[0]);
    };
    options.forEach((o, i) => {
      if (i === index) return;
      const legs = moves(o);
      for (const [, path] of legs) {
        L.polyline(path, { pane: "routes", color: OPTION_COLOURS[i % OPTION_COLOURS.length], weight: 3.5, opacity: 0.85, dashArray: "6 5", className: `route-alt route-alt-${i + 1}` }).addTo(group);
      }
      if (legs.length) badge(o, i, badgeLeg(legs)[1], false);
    });
    const colour = OPTION_COLOURS[index % OPTION_COLOURS.length];
    const latlngs = [];
    const legs = moves(option);
    for (const [leg, path] of legs) {
      latlngs.push(...path);
      L.polyline(path, { pane: "routes", color: "#000", weight: 9, opacity: 0.35 }).addTo(group);
      L.polyline(path, { pane: "routes", color: colour, weight: 5.5, opacity: 1, className: "route-line" })
        .bindTooltip(`option ${index + 1}, ${leg.mode}: ${this.name(leg.from_node)} → ${this.name(leg.to_node)}, ${fmt(leg.distance_km)} km`, { sticky: true }).addTo(group);
    }
    if (legs.length) badge(option, index, badgeLeg(legs)[1], true);
    const ends = [option.node_ids[0], option.node_ids[option.node_ids.length - 1]];
    for (const n of ends) L.circleMarker(this.coords(n), { pane: "routes", radius: 8, color: "#000", fillColor: colour, fillOpacity: 1 }).addTo(group);
    this.addLayer("route", "route options (numbered as in the table)", group);
    this.routeBounds = L.latLngBounds(latlngs.length ? latlngs : ends.map((n) => this.coords(n)));
    this.map.fitBounds(this.routeBounds, { padding: [40, 40], maxZoom: 7 });
    this.placeLabels();
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

  // Put a layer on the map or take it off, keeping it (and its entry in the layer control) for later.
  showLayer(name, on) {
    const layer = this.layers[name];
    if (!layer) return;
    if (on && !this.map.hasLayer(layer)) layer.addTo(this.map);
    if (!on && this.map.hasLayer(layer)) this.map.removeLayer(layer);
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
