// Nowcast: load an observation file (or the shipped example), forecast from the state it describes as a background
// job, and show each train where it was last observed with its ETA band (P10–P90, P50) and each queue with the
// time it is expected to clear. The selected train's remaining route is drawn on the map.
import { del, describe, getJSON, followJob } from "./api.js";
import { along, bandBar, doingText, fmtDays, fmtRange, fmtTime } from "./nowcast_format.js";

const POLL_MS = 500;
const SHOWN_IN_TOOLTIP = 8;

export class Nowcast {
  constructor(map, root) {
    this.map = map;
    this.root = root;
    this.$ = (sel) => root.querySelector(sel);
    this.file = null; // {file, text}
    this.result = null;
    this.$("#nowcast-form").addEventListener("submit", (e) => { e.preventDefault(); this.run(); });
    this.$("input[name=file]").addEventListener("change", (e) => this.readFile(e.target.files[0]));
    this.$("#nowcast-example").addEventListener("click", () => this.loadExample());
    this.$("#nowcast-cancel").addEventListener("click", () => this.job && del(`/api/jobs/${this.job.job_id}`).catch((err) => this.message(err.message, true)));
    this.$("#nowcast-filter").addEventListener("input", () => { this.only = null; this.renderTrains(); });
    this.map.map.on("zoomend", () => this.declutter());
    this.$("#nowcast-trains tbody").addEventListener("click", (e) => {
      const row = e.target.closest("tr[data-train]");
      if (row) this.select(row.dataset.train);
    });
    // the nowcast's layers are shown on its tab only
    for (const tab of document.querySelectorAll("nav .tab")) tab.addEventListener("click", () => this.showLayers(tab.dataset.tab === "nowcast"));
  }

  setDataset(name) {
    this.dataset = name;
  }

  message(text, error = false) {
    const msg = this.$("#nowcast-message");
    msg.textContent = text;
    msg.className = error ? "message error" : "message";
  }

  async readFile(f) {
    if (!f) return;
    await this.useFile({ file: f.name, text: await f.text() });
  }

  async loadExample() {
    this.message("loading the example…");
    try {
      await this.useFile(await getJSON("/api/nowcast/example"));
    } catch (err) {
      this.message(err.message, true);
    }
  }

  // Check the file on the server: a summary (and a forecast time to suggest), or its located errors.
  async useFile(file) {
    this.file = null;
    this.showProblems(null);
    this.$("#nowcast-file").textContent = `${file.file}: checking…`;
    const resp = await this.post(`/api/datasets/${this.dataset}/nowcast/check`, file);
    if (!resp) return;
    const s = resp;
    this.file = file;
    this.$("#nowcast-file").textContent = `${s.file}: ${s.rows.toLocaleString("en-GB")} observations of ${s.trains.toLocaleString("en-GB")} trains, `
      + `${fmtTime(s.first)} – ${fmtTime(s.last)} UTC`;
    this.$("#nowcast-form").elements.at.value = s.suggested_at.replace(":00Z", "Z");
    this.message("ready: set the forecast time and run");
  }

  // POST JSON; a 422 with located problems shows them as a table (null is returned), other errors as the message.
  async post(url, body) {
    let resp;
    try {
      resp = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    } catch (err) {
      this.message(err.message, true);
      return null;
    }
    const data = await resp.json().catch(() => null);
    if (resp.ok) return data;
    this.$("#nowcast-file").textContent = body.file ? `${body.file}: not usable` : "";
    if (data && data.problems) {
      this.showProblems(data);
      this.message(data.detail.message, true);
    } else {
      this.message(describe(data) || `${resp.status} ${resp.statusText}`, true);
    }
    return null;
  }

  showProblems(data) {
    const box = this.$("#nowcast-problems");
    box.hidden = !data;
    if (!data) return;
    this.$("#nowcast-problems-title").textContent = `${data.count} problem${data.count === 1 ? "" : "s"} in the file`
      + (data.count > data.problems.length ? ` (the first ${data.problems.length} shown)` : "") + ": nothing was forecast";
    const cell = (v) => (v === null || v === undefined ? "" : String(v)).replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" }[c]));
    this.$("#nowcast-problems tbody").innerHTML = data.problems.map((p) => `<tr><td>${cell(p.file)}</td><td class="num">${cell(p.line)}</td>
      <td>${cell(p.field)}</td><td>${cell(p.message)}</td></tr>`).join("");
  }

  async run() {
    if (!this.file) return this.message("load an observation file (or the example) first", true);
    const f = this.$("#nowcast-form").elements;
    const body = { ...this.file, at: f.at.value.trim(), horizon_days: Number(f.horizon_days.value), members: Number(f.members.value) };
    this.showProblems(null);
    const job = await this.post(`/api/datasets/${this.dataset}/nowcast`, body);
    if (!job) return;
    this.job = job;
    this.$("#nowcast-cancel").hidden = false;
    this.$("#nowcast-progress").hidden = false;
    this.poll();
  }

  async poll() {
    const bar = this.$("#nowcast-progress");
    const job = await followJob(this.job.job_id, { bar, say: (text) => this.message(text), intervalMs: POLL_MS }).catch((err) => ({ state: "lost", error: err.message }));
    this.$("#nowcast-cancel").hidden = true;
    bar.hidden = true;
    if (job.state === "lost") return this.message(`lost the job: ${job.error}`, true);
    if (job.state === "failed") return this.message(`failed: ${job.error}`, true);
    if (job.state === "cancelled") return this.message("cancelled");
    this.message(`done${job.result.cached ? " (the same forecast as before, from the cache)" : ""}: ${job.result.trains.length} trains, ${job.result.queues.length} queues`);
    this.show(job.result);
  }

  show(res) {
    this.result = res;
    this.selected = null;
    this.only = null;
    this.$("#nowcast-filter").value = "";
    this.byId = new Map(res.trains.map((t) => [t.train_id, t]));
    this.$("#nowcast-results").hidden = false;
    const dm = res.demand_multiplier;
    this.$("#nowcast-about").textContent = `${res.file}, state at ${fmtTime(res.at)} UTC; ${res.members} members over ${res.horizon_days} days `
      + `(network as of ${res.network_as_of}). Demand after the forecast time × ${dm.p50.toFixed(2)} (P10 ${dm.p10.toFixed(2)} – P90 ${dm.p90.toFixed(2)}), `
      + "assimilated from the departures observed. Bars: P10–P90 of the arrival time from now to the horizon, tick = P50."
      + (res.problems.length ? ` ${res.problems.length} trains could not be placed: ${res.problems.slice(0, 3).map((p) => p.text).join("; ")}` : "");
    this.renderTrains();
    this.renderQueues();
    this.drawMap();
  }

  place(t) {
    if (t.link_id && t.fraction !== null) return along(this.map.legPath(t.link_id, t.node_id, t.to_node), t.fraction);
    return this.map.coords(t.node_id);
  }

  // The trains of the table (filtered), in order of P50 ETA.
  visibleTrains() {
    if (this.only) return this.result.trains.filter((t) => this.only.has(t.train_id));
    const q = this.$("#nowcast-filter").value.trim().toLowerCase();
    const name = (id) => this.map.name(id).toLowerCase();
    return this.result.trains.filter((t) => !q || t.train_id.toLowerCase().includes(q) || name(t.node_id).includes(q)
      || t.destination_name.toLowerCase().includes(q) || t.origin_name.toLowerCase().includes(q));
  }

  renderTrains() {
    if (!this.result) return;
    const h = this.result.horizon_days * 24;
    const rows = this.visibleTrains();
    this.$("#nowcast-count").textContent = `${rows.length} of ${this.result.trains.length}`;
    this.$("#nowcast-trains tbody").innerHTML = rows.map((t) => `<tr data-train="${t.train_id}" class="${t.train_id === this.selected ? "selected" : ""}"
      title="${t.origin_name} → ${t.destination_name} (flow ${t.flow_id}); last observed: ${t.last_kind} ${t.last_time ? fmtTime(t.last_time) : ""}">
      <td><b>${t.train_id}</b><br><small>→ ${t.destination_name}</small></td><td><small>${doingText(t, this.map)}</small></td>
      <td>${bandBar(t, h)}</td><td class="num">${t.eta_p50 ? fmtTime(t.eta_p50) : "beyond"}<br><small>${fmtRange(t.eta_p10, t.eta_p90)}</small></td></tr>`).join("");
  }

  renderQueues() {
    this.$("#nowcast-queues tbody").innerHTML = this.result.queues.map((q) => `<tr><td>${q.name}</td><td class="num">${q.queue_trains}</td>
      <td class="num">${fmtDays(q.clear_p50_h)}</td><td class="num"><small>${fmtDays(q.clear_p10_h)} – ${fmtDays(q.clear_p90_h)}</small></td>
      <td class="num">${Math.round(100 * q.p_clear)}%</td></tr>`).join("");
  }

  queueTip(q) {
    return `<b>${q.name}</b><br>${q.queue_trains} train${q.queue_trains === 1 ? "" : "s"} waiting now<br>`
      + `clears in ${fmtDays(q.clear_p50_h)} (P10 ${fmtDays(q.clear_p10_h)} – P90 ${fmtDays(q.clear_p90_h)}); ${Math.round(100 * q.p_clear)}% of members clear it within the horizon`;
  }

  trainTip(t) {
    const band = t.eta_p50 ? `ETA ${fmtTime(t.eta_p50)} (P10–P90 ${fmtRange(t.eta_p10, t.eta_p90)})` : "ETA beyond the horizon";
    return `<b>${t.train_id}</b> ${t.origin_name} → ${t.destination_name}<br>${doingText(t, this.map)}<br>${band}`;
  }

  drawMap() {
    for (const name of ["nowcast-queues", "nowcast-trains", "nowcast-route"]) this.map.removeLayer(name);
    const queues = L.layerGroup();
    for (const q of this.result.queues) {
      const mid = q.both_ways && q.link_id ? along(this.map.legPath(q.link_id, this.map.linkById[q.link_id].from, this.map.linkById[q.link_id].to), 0.5) : null;
      const c = mid || this.map.coords(q.node_id);
      if (!c) continue;
      const radius = 6 + 2.5 * Math.sqrt(q.queue_trains);
      const m = L.circleMarker(c, { pane: "routes", radius, color: "#9c2a00", weight: 2, fillColor: "#f08c00",
        fillOpacity: 0.35, className: "nowcast-queue" }).bindTooltip(this.queueTip(q));
      m.addTo(queues);
      if (q.queue_trains >= 5) {
        L.marker(c, { pane: "labels", interactive: false, icon: L.divIcon({ className: "nowcast-queue-label",
          html: `<span style="transform: translate(-50%, ${Math.round(radius + 1)}px)">${q.queue_trains} waiting · clears ~${fmtDays(q.clear_p50_h)}</span>`, iconSize: null }) }).addTo(queues);
      }
    }
    this.map.addLayer("nowcast-queues", "nowcast: queues (size: trains waiting)", queues);
    // trains at the same place share one marker (the number of trains on it); a train on a link has its own
    const groups = new Map();
    for (const t of this.result.trains) {
      const c = this.place(t);
      if (!c) continue;
      const key = t.link_id ? `${t.train_id}` : `node:${t.node_id}`;
      if (!groups.has(key)) groups.set(key, { c, trains: [] });
      groups.get(key).trains.push(t);
    }
    const trains = L.layerGroup();
    for (const { c, trains: ts } of groups.values()) {
      const tip = ts.length === 1 ? this.trainTip(ts[0]) : `<b>${this.map.name(ts[0].node_id)}</b>: ${ts.length} trains (click: list them)<br>`
        + ts.slice(0, SHOWN_IN_TOOLTIP).map((t) => `${t.train_id} → ${t.destination_name}: ${t.eta_p50 ? fmtTime(t.eta_p50) : "beyond"}`).join("<br>")
        + (ts.length > SHOWN_IN_TOOLTIP ? `<br>… ${ts.length - SHOWN_IN_TOOLTIP} more` : "");
      const marker = ts.length === 1
        ? L.circleMarker(c, { pane: "routes", radius: 4.5, color: "#1f3a5f", weight: 1.5, fillColor: "#ffd43b", fillOpacity: 1, className: "nowcast-train" })
        : L.marker(c, { pane: "routes", icon: L.divIcon({ className: "nowcast-train nowcast-group", html: `<span>${ts.length}</span>`, iconSize: null }) });
      marker.bindTooltip(tip).on("click", () => (ts.length === 1 ? this.select(ts[0].train_id) : this.filterTo(ts.map((t) => t.train_id), `at ${this.map.name(ts[0].node_id)}`)));
      marker.nowcastTrains = ts.map((t) => t.train_id);
      marker.addTo(trains);
    }
    this.map.addLayer("nowcast-trains", "nowcast: trains where last observed", trains);
    this.markerCount = groups.size;
    const bounds = L.latLngBounds([...groups.values()].map((g) => g.c));
    if (bounds.isValid()) this.map.map.fitBounds(bounds, { padding: [30, 30], animate: false });
    this.declutter();
  }

  // The table lists only these trains (a place's group marker was clicked); typing a filter lists all again.
  filterTo(trainIds, label) {
    this.only = new Set(trainIds);
    this.$("#nowcast-filter").value = label;
    this.renderTrains();
  }

  // Queue labels, the longest queues first; a label that would overlap one already shown is hidden (its circle's
  // tooltip and the table still say it).
  declutter() {
    const placed = [];
    for (const el of document.querySelectorAll(".nowcast-queue-label span")) {
      el.style.visibility = "visible";
      const r = el.getBoundingClientRect();
      if (placed.some((p) => r.left < p.right && r.right > p.left && r.top < p.bottom && r.bottom > p.top)) el.style.visibility = "hidden";
      else placed.push(r);
    }
  }

  // Highlight a train: its row, its remaining route on the map (zoomed to), its ETA band as a label.
  select(trainId) {
    const t = this.byId.get(trainId);
    if (!t) return;
    this.selected = trainId;
    for (const row of this.$("#nowcast-trains tbody").querySelectorAll("tr")) row.classList.toggle("selected", row.dataset.train === trainId);
    this.map.removeLayer("nowcast-route");
    const group = L.layerGroup();
    const here = this.place(t);
    const points = here ? [here] : [];
    t.remaining.forEach(([link, from, to], i) => {
      let path = this.map.legPath(link, from, to);
      if (i === 0 && t.link_id && t.fraction !== null) path = [here, ...path.slice(Math.ceil(t.fraction * (path.length - 1)))];
      points.push(...path);
      L.polyline(path, { pane: "routes", color: "#000", weight: 8, opacity: 0.3 }).addTo(group);
      L.polyline(path, { pane: "routes", color: "#d53f8c", weight: 4.5, opacity: 1, className: "nowcast-route-line" }).addTo(group);
    });
    if (here) {
      L.circleMarker(here, { pane: "routes", radius: 8, color: "#000", weight: 2, fillColor: "#d53f8c", fillOpacity: 1, className: "nowcast-selected" })
        .bindTooltip(`${t.train_id}: ${t.eta_p50 ? `ETA ${fmtTime(t.eta_p50)} (P10–P90 ${fmtRange(t.eta_p10, t.eta_p90)})` : "ETA beyond the horizon"}`,
          { permanent: true, direction: "right", className: "nowcast-eta-label" }).addTo(group);
    }
    const end = this.map.coords(t.destination);
    if (end) L.circleMarker(end, { pane: "routes", radius: 6, color: "#000", fillColor: "#fff", fillOpacity: 1 }).bindTooltip(t.destination_name).addTo(group);
    this.map.addLayer("nowcast-route", "nowcast: the selected train's remaining route", group);
    if (points.length > 1) this.map.map.fitBounds(L.latLngBounds(points), { padding: [60, 60], maxZoom: 6, animate: false });
    else if (here) this.map.map.setView(here, Math.max(this.map.map.getZoom(), 5));
  }

  showLayers(on) {
    for (const name of ["nowcast-queues", "nowcast-trains", "nowcast-route"]) {
      const layer = this.map.layers[name];
      if (!layer) continue;
      if (on) layer.addTo(this.map.map);
      else this.map.map.removeLayer(layer);
    }
  }
}
