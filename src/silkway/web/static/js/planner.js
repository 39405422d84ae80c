// Route planner: origin/destination with tolerant names, TEU, constraints; Pareto options on the
// map and in a table; the legs of the selected option.
import { fmt, getJSON, postJSON } from "./api.js";
import { OPTION_COLOURS } from "./map.js";

const MODES = ["rail", "road", "ferry", "feeder", "sea"];
const legColumns = (name) => [
  ["step", (l) => l.kind === "move" ? l.mode : l.kind], ["where", (l) => l.from_node === l.to_node ? name(l.from_node) : `${name(l.from_node)} → ${name(l.to_node)}`],
  ["km", (l) => (l.distance_km ? fmt(l.distance_km) : ""), "num"], ["hours", (l) => fmt(l.hours, 1), "num"],
  ["cost USD", (l) => fmt(l.cost_usd), "num"], ["CO2e kg", (l) => fmt(l.co2e_kg, 1), "num"],
];

export class Planner {
  constructor(map, root) {
    this.map = map;
    this.root = root;
    this.form = root.querySelector("#route-form");
    this.form.addEventListener("submit", (e) => { e.preventDefault(); this.plan(); });
    for (const name of ["origin", "destination", "via"]) {
      this.form.elements[name].addEventListener("input", (e) => this.suggest(e.target.value.split(",").pop()));
    }
    this.form.addEventListener("change", (e) => {
      if (e.target.name === "avoid_country") this.map.shadeCountries(this.checked("avoid_country"));
      if (e.target.name === "depart") this.departureChanged(e.target.value);
    });
  }

  // Every country a route can touch on the network of the departure day, also those only links cross (Serbia,
  // Austria; Egypt while the Suez lane is open); ticks survive a change of date.
  offerCountries(summary) {
    const ticked = new Set(this.checked("avoid_country"));
    const names = summary.countries || Object.fromEntries(Object.keys({ ...summary.nodes_by_country, ...summary.links_by_country }).map((c) => [c, c]));
    const countries = Object.keys(names).filter((c) => c !== "XX").sort();
    this.root.querySelector("#avoid-countries").innerHTML = countries.map((c) => check("avoid_country", c, names[c] !== c ? `${c} <small>${names[c]}</small>` : c, names[c], ticked.has(c))).join("");
  }

  async departureChanged(day) {
    const query = day ? `?as_of=${encodeURIComponent(day)}` : "";
    const summary = await getJSON(`/api/datasets/${this.dataset}/summary${query}`).catch(() => null);
    if (summary) this.offerCountries(summary);
  }

  // the avoided countries shaded while the planner is shown
  shade() {
    this.map.shadeCountries(this.checked("avoid_country"));
  }

  checked(name) {
    return [...this.form.querySelectorAll(`input[name=${name}]:checked`)].map((i) => i.value);
  }

  setDataset(name, summary) {
    this.dataset = name;
    this.showOptions([]);
    this.offerCountries(summary);
    this.map.shadeCountries([]);
    this.root.querySelector("#avoid-modes").innerHTML = MODES.filter((m) => m in summary.links_by_mode).map((m) => check("avoid_mode", m)).join("");
  }

  async suggest(text) {
    if (text.trim().length < 2) return;
    const hits = await getJSON(`/api/datasets/${this.dataset}/places?q=${encodeURIComponent(text)}&limit=8`).catch(() => []);
    this.root.querySelector("#places").innerHTML = hits.map((p) => `<option value="${p.name}">${p.country} · ${p.node_kind}</option>`).join("");
  }

  request() {
    const f = this.form.elements;
    const list = (text) => text.split(",").map((s) => s.trim()).filter(Boolean);
    const body = {
      dataset: this.dataset, origin: f.origin.value, destination: f.destination.value, teu: Number(f.teu.value),
      objective: f.objective.value, avoid: [...this.checked("avoid_country"), ...this.checked("avoid_mode"), ...list(f.avoid_nodes.value)],
      via: list(f.via.value),
    };
    if (f.depart.value) body.depart = f.depart.value;
    if (f.max_transfers.value !== "") body.max_transfers = Number(f.max_transfers.value);
    return body;
  }

  async plan() {
    const msg = this.root.querySelector("#route-message");
    msg.className = "message";
    msg.textContent = "planning…";
    this.root.querySelector("#route-suggest").hidden = true;
    this.map.shadeCountries(this.checked("avoid_country"));
    try {
      const result = await postJSON("/api/routes", this.request());
      const options = distinct([...result.options, ...result.pareto]);
      this.showOptions(options);
      const name = (id) => this.map.name(id);
      msg.textContent = `${options.length} option(s) from ${name(result.origin)} to ${name(result.destination)}`
        + (result.constraints.avoid.length ? `, avoiding ${result.constraints.avoid.map((a) => a.split(":")[1]).join(", ")}` : "")
        + (result.depart ? `, departing ${result.depart.slice(0, 10)}` : "") + (result.network_as_of ? ` (network as of ${result.network_as_of})` : "")
        + "; ✓ = dominated by no other option on the displayed days median, P90, cost and CO2e";
    } catch (err) {
      this.showOptions([]);
      msg.className = "message error";
      msg.textContent = err.message;
      this.offerSuggestions(err.message);
    }
  }

  // "unknown place 'Xain'. Did you mean: Xi'an, …?" → one button per suggestion: it replaces the unknown name in
  // the field that holds it and plans again.
  offerSuggestions(text) {
    const box = this.root.querySelector("#route-suggest");
    const m = text.match(/unknown place '([^']+)'\. Did you mean: (.+?)\? /);
    if (!m) return;
    const [, wrong, list] = m;
    const field = ["origin", "destination", "via", "avoid_nodes"].map((n) => this.form.elements[n])
      .find((el) => el.value.split(",").some((v) => v.trim() === wrong));
    if (!field) return;
    box.innerHTML = "did you mean: ";
    for (const name of list.split(", ")) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "suggest-link";
      b.textContent = name;
      b.addEventListener("click", () => {
        field.value = field.value.split(",").map((v) => (v.trim() === wrong ? name : v.trim())).join(", ");
        this.plan();
      });
      box.append(b, " ");
    }
    box.hidden = false;
  }

  showOptions(options) {
    this.options = options;
    const table = this.root.querySelector("#options");
    table.hidden = options.length === 0;
    table.querySelector("tbody").innerHTML = options.map((o, i) => `<tr data-i="${i}"><td><span class="swatch" style="background:${OPTION_COLOURS[i % OPTION_COLOURS.length]}">${i + 1}</span></td><td>${[].concat(o.corridor).join(", ")}</td><td class="num">${fmt(o.days_median, 1)}</td><td class="num">${fmt(o.days_p90, 1)}</td><td class="num">${fmt(o.cost_usd)}</td>
      <td class="num">${fmt(o.co2e_kg)}</td><td class="num">${o.transfers}</td><td>${o.pareto ? "✓" : ""}</td></tr>
      <tr data-i="${i}" class="via-row"><td></td><td colspan="7" title="border crossings, gauge changes, water legs">via ${o.via_summary || "—"}</td></tr>`).join("");
    for (const row of table.querySelectorAll("tbody tr")) row.addEventListener("click", () => this.select(Number(row.dataset.i)));
    this.select(options.length ? 0 : -1);
  }

  select(i) {
    const option = this.options[i];
    for (const row of this.root.querySelectorAll("#options tbody tr")) row.classList.toggle("selected", Number(row.dataset.i) === i);
    this.map.showRoute(this.options, i);
    const legs = this.root.querySelector("#legs");
    const reconcile = this.root.querySelector("#reconcile");
    legs.hidden = this.root.querySelector("#legs-title").hidden = reconcile.hidden = !option;
    if (!option) return;
    const signed = (d) => `${d >= 0 ? "+" : "−"}${fmt(Math.abs(d), 1)} d`;
    reconcile.textContent = `legs' total (every step at its median) ${fmt(option.days_nominal, 1)} d `
      + `${signed(option.gap_variability_days)} variability of the steps (skewed: their sampled sum has a higher median) `
      + `${signed(option.gap_timetable_days)} timetable waits recomputed for each sampled arrival `
      + `= median door to door ${fmt(option.days_median, 1)} d (P90 ${fmt(option.days_p90, 1)} d)`;
    const cols = legColumns((id) => this.map.name(id));
    legs.querySelector("thead").innerHTML = `<tr>${cols.map(([h, , c]) => `<th class="${c || ""}">${h}</th>`).join("")}</tr>`;
    legs.querySelector("tbody").innerHTML = option.legs.map((l) => `<tr class="leg-${l.kind}">${cols.map(([, v, c]) => `<td class="${c || ""}">${v(l) ?? ""}</td>`).join("")}</tr>`).join("");
  }
}

// The corridor-diverse best options first, then the rest of the Pareto set (each route once).
function distinct(options) {
  const seen = new Set();
  return options.filter((o) => {
    const key = o.legs.map((l) => `${l.kind}${l.link_id || l.facility_id || ""}`).join("|");
    return seen.has(key) ? false : seen.add(key);
  });
}

const check = (name, value, label = value, title = "", on = false) => `<label title="${title}"><input type="checkbox" name="${name}" value="${value}"${on ? " checked" : ""}> ${label}</label>`;
