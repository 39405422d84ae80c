// Capacity: what each corridor can carry (analytic maximum flow, with the binding elements), and the saturation
// curve (simulated throughput, P90 transit, held/diverted/refused against the demand multiplier, 95% CIs), which
// runs as a background job on the server; the newest finished curve of the dataset is shown when the tab opens.
import { del, fmt, getJSON, postJSON, followJob } from "./api.js";
import { ciChart } from "./charts.js";

const POLL_MS = 500;
const EXCESS = [["held_teu", "held at origin"], ["diverted_teu", "diverted"], ["refused_teu", "refused"]];

export class Capacity {
  constructor(map, root) {
    this.map = map;
    this.root = root;
    this.$ = (sel) => root.querySelector(sel);
    this.$("#curve-form").addEventListener("submit", (e) => { e.preventDefault(); this.run(); });
    this.$("#curve-cancel").addEventListener("click", () => this.job && del(`/api/jobs/${this.job.job_id}`).catch((err) => this.message(err.message, true)));
  }

  async setDataset(name) {
    this.dataset = name;
    this.report = null;
    this.$("#curve-results").hidden = true;
    this.$("#capacity-corridors tbody").innerHTML = "";
    try {
      this.report = await getJSON(`/api/datasets/${name}/capacity`);
    } catch (err) {
      this.$("#capacity-note").textContent = err.message;
      return;
    }
    this.renderReport(this.report);
    const jobs = await getJSON("/api/jobs").catch(() => []);
    const stored = jobs.find((j) => j.kind === "capacity-curve" && j.state === "done" && j.params.dataset === name);
    if (stored) this.renderCurve(stored.result, `the newest curve computed on this server (job ${stored.job_id})`);
  }

  elementName(id) {
    const el = this.report && this.report.elements.find((e) => e.element_id === id);
    if (el) return el.name;
    const [station, part] = id.split(":");
    const node = this.map.facilityNode[station.split("+")[0]];
    return `${node ? this.map.name(node) : station}${part ? ` (${part})` : ""}`;
  }

  renderReport(rep) {
    this.$("#capacity-note").textContent = `Network as of ${rep.as_of}; ${fmt(rep.train_teu)} TEU per train; closures ${rep.closures ? "included" : "ignored"}. `
      + "Maximum flow / minimum cut over the simulation's stations, after background traffic; binding = the elements of the minimum cut.";
    const rows = [...rep.corridors].sort((a, b) => (a.corridor === "all") - (b.corridor === "all") || a.corridor.localeCompare(b.corridor) || a.direction.localeCompare(b.direction));
    const trains = (v) => fmt(v, v !== null && v < 1 ? 2 : 1);
    this.$("#capacity-corridors tbody").innerHTML = rows.map((c) => `<tr class="${c.corridor === "all" ? "total" : ""}">
      <td><b>${c.corridor === "all" ? "all corridors" : c.corridor}</b> <small>${c.direction}</small></td>
      <td class="num">${trains(c.demand_trains_day)}</td><td class="num">${trains(c.trains_day)}</td><td class="num">${fmt(c.teu_year / 1000)}</td>
      <td class="num">${c.utilisation === null ? "" : `${fmt(100 * c.utilisation)}%`}</td></tr>
      <tr class="binding"><td colspan="5">binding: ${c.binding.map((b) => this.elementName(b)).join("; ") || "—"}</td></tr>`).join("");
  }

  message(text, error = false) {
    const msg = this.$("#curve-message");
    msg.textContent = text;
    msg.className = error ? "message error" : "message";
  }

  async run() {
    const f = this.$("#curve-form").elements;
    const multipliers = f.multipliers.value.split(",").map((s) => s.trim()).filter(Boolean).map(Number);
    const body = { multipliers, replications: Number(f.replications.value), days: Number(f.days.value) };
    try {
      this.job = await postJSON(`/api/datasets/${this.dataset}/capacity/curve`, body);
    } catch (err) {
      return this.message(err.message, true);
    }
    this.$("#curve-cancel").hidden = false;
    this.$("#curve-progress").hidden = false;
    this.poll();
  }

  async poll() {
    const bar = this.$("#curve-progress");
    const job = await followJob(this.job.job_id, { bar, say: (text) => this.message(text), intervalMs: POLL_MS }).catch((err) => ({ state: "lost", error: err.message }));
    this.$("#curve-cancel").hidden = true;
    bar.hidden = true;
    if (job.state === "lost") return this.message(`lost the job: ${job.error}`, true);
    if (job.state === "failed") return this.message(`failed: ${job.error}`, true);
    if (job.state === "cancelled") return this.message("cancelled");
    this.message(`done: ${job.total} runs`);
    this.renderCurve(job.result, `computed just now (job ${job.job_id})`);
  }

  renderCurve(curve, origin) {
    this.$("#curve-results").hidden = false;
    this.$("#curve-about").textContent = `${curve.label}: ${curve.method}; ${origin}.`;
    const xs = curve.multipliers;
    const pick = (corridor, metric, scale = 1) => {
      const rows = new Map(curve.table.filter((r) => r.corridor === corridor && r.metric === metric).map((r) => [r.multiplier, r]));
      return {
        mean: xs.map((m) => (rows.has(m) ? rows.get(m).mean / scale : null)),
        half: xs.map((m) => (rows.has(m) && rows.get(m).half_width !== null ? rows.get(m).half_width / scale : null)),
      };
    };
    const corridors = [...new Set(curve.table.filter((r) => r.metric === "delivered_teu_year" && r.corridor !== "all").map((r) => r.corridor))].sort();
    const cap = (c) => (curve.capacity_teu_year[c] ? curve.capacity_teu_year[c] / 1000 : null);
    ciChart(this.$("#chart-curve-throughput"), {
      title: "delivered per corridor", xLabel: "demand multiplier (× dataset demand)", yLabel: "thousand TEU/year", xs, refLabel: "analytic capacity",
      series: corridors.map((c) => ({ label: c, ...pick(c, "delivered_teu_year", 1000), ref: cap(c) })),
    });
    ciChart(this.$("#chart-curve-p90"), {
      title: "P90 transit of delivered cargo", xLabel: "demand multiplier (× dataset demand)", yLabel: "days", xs,
      series: [{ label: "all corridors", ...pick("all", "transit_days_p90") }, ...corridors.map((c) => ({ label: c, ...pick(c, "transit_days_p90") }))],
    });
    ciChart(this.$("#chart-curve-excess"), {
      title: "cargo the corridors did not carry as booked", xLabel: "demand multiplier (× dataset demand)", yLabel: "thousand TEU", xs,
      series: EXCESS.filter(([m]) => curve.table.some((r) => r.metric === m)).map(([m, label]) => ({ label, ...pick("all", m, 1000) })),
    });
  }
}
