// Studies: pick scenarios, run a study as a background job (progress, cancel), then see flows and
// bottlenecks on the map, queue-over-time and transit-time charts and the KPI table vs the baseline.
import { del, fmt, getJSON, postJSON, followJob } from "./api.js";
import { lineChart } from "./charts.js";
import { kpiLabel, placeOf } from "./kpis.js";

const POLL_MS = 400;

export class Studies {
  constructor(map, root) {
    this.map = map;
    this.root = root;
    this.$ = (sel) => root.querySelector(sel);
    this.$("#study-form").addEventListener("submit", (e) => { e.preventDefault(); this.run(); });
    this.$("#study-cancel").addEventListener("click", () => this.cancel());
    this.$("#stored").addEventListener("change", (e) => e.target.value && this.open(`/api/studies/${e.target.value}`));
    this.$("#study-scenario").addEventListener("change", () => this.render());
    this.$("#all-kpis").addEventListener("change", () => this.render());
    this.$("#baseline").addEventListener("change", () => this.offerComparisons());
  }

  async setDataset(name) {
    this.dataset = name;
    const scenarios = await getJSON("/api/scenarios"); // bases (no 'extends') first
    this.scenarios = scenarios;
    this.$("#baseline").innerHTML = scenarios.map((s) => `<option value="${s.name}">${s.name}</option>`).join("");
    this.offerComparisons();
    await this.refreshStored();
  }

  // Every scenario but the baseline, none ticked (the user chooses what to compare); ticks survive a baseline change.
  offerComparisons() {
    const baseline = this.$("#baseline").value;
    const ticked = new Set([...this.root.querySelectorAll("input[name=scenario]:checked")].map((i) => i.value));
    const others = this.scenarios.filter((s) => s.name !== baseline);
    this.$("#scenarios").innerHTML = others.length ? others.map((s) => `<label title="${s.description}">
      <input type="checkbox" name="scenario" value="${s.name}" ${ticked.has(s.name) ? "checked" : ""}> ${s.name}
      <small>${s.description}</small></label>`).join("")
      : this.scenarios.length ? "<p>No other scenario to compare: the study runs the baseline alone.</p>"
        : "<p>No scenario files are offered (start the server with --scenarios DIR).</p>";
  }

  async refreshStored(selected = "") {
    const stored = await getJSON("/api/studies");
    this.$("#stored").innerHTML = `<option value="">—</option>` + stored.map((s) => `<option value="${s.study_id}" title="${s.label}" ${s.study_id === selected ? "selected" : ""}>
      ${s.created_utc.slice(0, 16).replace("T", " ")} · ${s.days} d × ${s.replications_done} runs · ${s.label}</option>`).join("");
  }

  message(text, error = false) {
    const msg = this.$("#study-message");
    msg.textContent = text;
    msg.className = error ? "message error" : "message";
  }

  async run() {
    const f = this.$("#study-form").elements;
    const compared = [...this.root.querySelectorAll("input[name=scenario]:checked")].map((i) => i.value);
    const scenarios = [f.baseline.value, ...compared.filter((n) => n !== f.baseline.value)];
    const body = { scenarios, days: Number(f.days.value), replications: Number(f.replications.value), seed: Number(f.seed.value) };
    try {
      this.job = await postJSON("/api/jobs", body);
    } catch (err) {
      return this.message(err.message, true);
    }
    this.$("#study-cancel").hidden = false;
    this.$("#study-progress").hidden = false;
    this.poll();
  }

  async poll() {
    const bar = this.$("#study-progress");
    const job = await followJob(this.job.job_id, { bar, say: (text) => this.message(text), intervalMs: POLL_MS }).catch((err) => ({ state: "lost", error: err.message }));
    this.$("#study-cancel").hidden = true;
    if (job.state === "lost") return this.message(`lost the job: ${job.error}`, true);
    if (job.state === "failed") return this.message(`failed: ${job.error}`, true);
    if (job.state === "cancelled") return this.message("cancelled: the finished replications are kept; run again to resume");
    this.message(`done: ${job.result.ran} replications run, ${job.result.skipped} already stored, ${fmt(job.result.wall_s, 1)} s`);
    await this.refreshStored(job.result.study_id);
    await this.open(`/api/jobs/${job.job_id}/results`);
  }

  async cancel() {
    if (this.job) await del(`/api/jobs/${this.job.job_id}`).catch((err) => this.message(err.message, true));
  }

  async open(url) {
    try {
      this.results = await getJSON(url);
    } catch (err) {
      return this.message(err.message, true);
    }
    const names = this.results.scenarios;
    this.$("#study-scenario").innerHTML = names.map((n, i) => `<option value="${n}" ${i === Math.min(1, names.length - 1) ? "selected" : ""}>${n}${i === 0 ? " (baseline)" : ""}</option>`).join("");
    this.$("#study-results").hidden = false;
    this.notes(this.results);
    this.render();
  }

  // the study's warnings (e.g. fewer replications than recommended) and how it was computed (common random numbers,
  // paired differences, the multiple-comparison correction), as the API states them
  notes(r) {
    const para = (text, cls) => Object.assign(document.createElement("p"), { className: cls, textContent: text });
    this.$("#study-notes").replaceChildren(...(r.warnings || []).map((t) => para(t, "note warn")),
      ...(r.method || []).map((t) => para(t, "note")));
  }

  render() {
    this.place = placeOf(this.map);
    const r = this.results;
    const scenario = this.$("#study-scenario").value;
    const baseline = r.scenarios[0];
    this.kpiTable(r, scenario, baseline);
    const queue = r.queue[scenario] || {};
    const peaks = Object.entries(queue).map(([fac, s]) => [fac, Math.max(...s.y)]).sort((a, b) => b[1] - a[1]);
    const top = peaks.slice(0, 5).map(([fac]) => fac);
    lineChart(this.$("#chart-queue"), {
      title: `${scenario}: trains queued (mean of runs), top ${top.length} places`, xLabel: "day", yLabel: "trains",
      series: top.map((fac) => ({ label: this.place(fac.split(":")[0]), ...queue[fac] })),
    });
    const transit = (name, dash) => Object.entries(r.transit[name] || {}).map(([c, s]) => ({ label: `${c}${dash ? " (baseline)" : ""}`, ...s, dash }));
    lineChart(this.$("#chart-transit"), {
      title: "transit time distribution by corridor", xLabel: "days door to door", yLabel: "TEU",
      series: [...transit(scenario), ...(scenario === baseline ? [] : transit(baseline, [6, 4]))],
    });
    const flows = Object.entries(r.flows[scenario] || {}).map(([id, teu]) => {
      const link = this.map.linkById[id];
      return link ? { link_id: id, from: link.from, to: link.to, volume_teu: teu } : null;
    }).filter(Boolean);
    const maxPeak = peaks.length ? Math.max(1, peaks[0][1]) : 1;
    const bottlenecks = peaks.slice(0, 5).filter(([, peak]) => peak > 0).map(([fac, peak]) => ({
      node_id: this.map.facilityNode[fac.split(":")[0]], severity: peak / maxPeak, label: `bottleneck ${this.place(fac.split(":")[0])}: up to ${fmt(peak, 1)} trains queued`,
    }));
    this.map.showFlows(flows, bottlenecks);
  }

  kpiTable(r, scenario, baseline) {
    // the headline KPIs in their reading order; every KPI when asked
    const order = this.$("#all-kpis").checked ? null : Object.fromEntries((r.headline_kpis || []).map((id, i) => [id, i]));
    const rows = r.kpis.filter((k) => k.scenario === scenario && (!order || k.kpi in order))
      .sort((a, b) => (order ? order[a.kpi] - order[b.kpi] : 0));
    const base = Object.fromEntries(r.kpis.filter((k) => k.scenario === baseline).map((k) => [k.kpi, k]));
    const ci = (k) => (k ? `${fmt(k.mean, 1)} <small>[${fmt(k.ci_low, 1)}, ${fmt(k.ci_high, 1)}]</small>` : "");
    const diff = (k) => {
      if (k.diff === null || k.diff === undefined) return "";
      const cls = k.significant ? (k.diff > 0 ? "up" : "down") : "";
      return `<span class="${cls}">${k.diff > 0 ? "+" : ""}${fmt(k.diff, 1)}</span> <small>[${fmt(k.diff_low, 1)}, ${fmt(k.diff_high, 1)}]${k.significant ? " *" : ""}</small>`;
    };
    this.$("#kpis thead").innerHTML = `<tr><th>KPI <small>(unit)</small></th><th class="num">${baseline} (baseline)</th>${scenario === baseline ? "" : `<th class="num">${scenario}</th><th class="num">difference</th>`}</tr>`;
    const label = (id) => kpiLabel(id, this.place);
    this.$("#kpis tbody").innerHTML = rows.map((k) => `<tr title="${k.kpi}"><td class="kpi">${label(k.kpi).name}${label(k.kpi).unit ? ` <span class="unit">(${label(k.kpi).unit})</span>` : ""}</td><td class="num">${ci(base[k.kpi])}</td>
      ${scenario === baseline ? "" : `<td class="num">${ci(k)}</td><td class="num">${diff(k)}</td>`}</tr>`).join("");
  }
}
