// Entry point: dataset picker, tabs, the network view; the planner and studies wire themselves.
import { getJSON, fmt } from "./api.js";
import { CorridorMap } from "./map.js";
import { Planner } from "./planner.js";
import { Studies } from "./studies.js";
import { Capacity } from "./capacity.js";
import { Invest } from "./invest.js";
import { Nowcast } from "./nowcast.js";

const $ = (sel) => document.querySelector(sel);
const status = (text) => { $("#status").textContent = text; };

async function main() {
  const map = new CorridorMap($("#map"));
  const planner = new Planner(map, $("#tab-route"));
  const studies = new Studies(map, $("#tab-study"));
  const capacity = new Capacity(map, $("#tab-capacity"));
  const invest = new Invest($("#invest"));
  const nowcast = new Nowcast(map, $("#tab-nowcast"));
  window.silkway = { map, planner, studies, capacity, invest, nowcast }; // for the browser tests and the curious
  for (const tab of document.querySelectorAll("nav .tab")) {
    tab.addEventListener("click", () => {
      showTab(tab.dataset.tab);
      if (tab.dataset.tab === "route") planner.shade(); else map.shadeCountries([]);
      map.showLayer("route", tab.dataset.tab === "route"); // a planned route belongs to the planner, study flows to studies
      map.showLayer("flows", tab.dataset.tab === "study");
    });
  }
  status("loading basemap…");
  await map.loadBasemap("/static/vendor/world-atlas/countries-50m.json");
  const datasets = (await getJSON("/api/datasets")).filter((d) => d.valid);
  const select = $("#dataset");
  select.innerHTML = datasets.map((d) => `<option value="${d.name}">${d.name} ${d.version}</option>`).join("");
  const load = async () => {
    const name = select.value;
    status(`loading ${name}…`);
    const [geojson, summary] = await Promise.all([getJSON(`/api/datasets/${name}/network`), getJSON(`/api/datasets/${name}/summary`)]);
    map.setNetwork(geojson);
    showSummary(summary);
    planner.setDataset(name, summary, geojson);
    await studies.setDataset(name);
    await capacity.setDataset(name);
    await invest.setDataset();
    nowcast.setDataset(name);
    status(`${summary.name} ${summary.version}: ${summary.n_nodes} nodes, ${summary.n_links} links, ${summary.n_facilities} facilities`);
    document.body.dataset.ready = "true";
  };
  select.addEventListener("change", load);
  await load();
}

function showTab(name) {
  for (const t of document.querySelectorAll("nav .tab")) t.classList.toggle("active", t.dataset.tab === name);
  for (const p of document.querySelectorAll(".pane")) p.classList.toggle("active", p.id === `tab-${name}`);
}

function showSummary(s) {
  const modes = Object.entries(s.links_by_mode).map(([m, n]) => `${m} ${n} (${fmt(s.km_by_mode[m])} km)`).join(", ");
  const countries = Object.entries(s.nodes_by_country).map(([c, n]) => `${c} ${n}`).join(", ");
  $("#net-summary").innerHTML = `<p><b>${s.name}</b> ${s.version}: ${s.n_nodes} nodes, ${s.n_links} links, ${s.n_facilities} facilities;
    ${s.n_sources} sources and ${s.n_assumptions} stated assumptions.</p><p>Links by mode: ${modes}.</p>
    <p>Nodes by country: ${countries}.</p><p>Gauge breaks: ${s.gauge_breaks.join(", ") || "none"}.</p>`;
  $("#facilities tbody").innerHTML = s.facilities.map((f) => `<tr title="${f.node}"><td>${f.facility_id}</td><td>${f.kind}</td>
    <td class="num">${fmt(f.capacity_trains_day, 1)}</td><td class="num">${fmt(f.capacity_teu_day)}</td></tr>`).join("");
}

main().catch((err) => { status(`error: ${err.message}`); console.error(err); });
