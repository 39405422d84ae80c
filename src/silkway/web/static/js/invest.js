// Investment plans (Studies tab): start a plan as a background job (progress, cancel: the studies' job machinery),
// pick a stored plan, see its frontier chart and the map of the chosen upgrades (PNG drawn by the server) and the build
// order and the frontier with their 95% confidence intervals.
import { del, fmt, getJSON, postJSON, followJob } from "./api.js";

const POLL_MS = 800;
const money = (usd) => (Math.abs(usd) >= 1e6 ? `${fmt(usd / 1e6)} M USD` : `${fmt(usd)} USD`);
const ci = (p) => `${fmt(p.benefit, 1)} <small>[${fmt(p.benefit_low, 1)}, ${fmt(p.benefit_high, 1)}]</small>`;

export class Invest {
  constructor(root) {
    this.root = root;
    this.$ = (sel) => root.querySelector(sel);
    this.$("#invest-form").addEventListener("submit", (e) => { e.preventDefault(); this.run(); });
    this.$("#invest-cancel").addEventListener("click", () => this.job && del(`/api/jobs/${this.job.job_id}`).catch((err) => this.message(err.message, true)));
    this.$("#invest-stored").addEventListener("change", (e) => e.target.value && this.open(e.target.value));
  }

  async setDataset() {
    const scenarios = await getJSON("/api/scenarios");
    this.$("#invest-scenario").innerHTML = scenarios.map((s) => `<option value="${s.name}" ${s.name === "double-trade" ? "selected" : ""}>${s.name}</option>`).join("");
    await this.refresh();
  }

  async refresh(selected = "") {
    const runs = await getJSON("/api/invest/runs");
    this.$("#invest-stored").innerHTML = `<option value="">—</option>` + runs.map((r) => {
      const key = `${r.run_id}/${r.result}`;
      return `<option value="${key}" ${key === selected ? "selected" : ""}>${(r.finished_utc || "").slice(0, 16).replace("T", " ")} · ${r.scenario} · ${r.objective} · ${money(r.budget_usd)} · ${r.days} d</option>`;
    }).join("");
    if (!selected && runs.length) {
      this.$("#invest-stored").selectedIndex = 1;
      await this.open(`${runs[0].run_id}/${runs[0].result}`);
    }
  }

  message(text, error = false) {
    const m = this.$("#invest-message");
    m.textContent = text;
    m.className = error ? "message error" : "message";
  }

  async run() {
    const f = this.$("#invest-form").elements;
    const body = { scenario: f.scenario.value, budget_usd: Number(f.budget.value) * 1e6, objective: f.objective.value,
      days: Number(f.days.value), replications: Number(f.replications.value), trials: Number(f.trials.value) };
    try {
      this.job = await postJSON("/api/invest/jobs", body);
    } catch (err) {
      return this.message(err.message, true);
    }
    this.$("#invest-cancel").hidden = false;
    this.poll();
  }

  async poll() {
    const job = await followJob(this.job.job_id, { say: (text) => this.message(text), intervalMs: POLL_MS }).catch((err) => ({ state: "lost", error: err.message }));
    this.$("#invest-cancel").hidden = true;
    if (job.state === "lost") return this.message(`lost the job: ${job.error}`, true);
    if (job.state === "failed") return this.message(`failed: ${job.error}`, true);
    if (job.state === "cancelled") return this.message("cancelled: the finished simulations are stored; run again to resume");
    this.message(`done: ${job.result.simulations_run} simulations run, ${fmt(job.result.wall_s, 1)} s`);
    const key = `${job.result.run_id}/${job.result.result}`;
    await this.refresh(key);
    await this.open(key);
  }

  async open(key) {
    let r;
    try {
      r = await getJSON(`/api/invest/runs/${key}`);
    } catch (err) {
      return this.message(err.message, true);
    }
    const u = r.objective === "npv" ? "USD" : r.objective === "p90" ? "days" : "TEU";
    this.$("#invest-summary").innerHTML = `<p><b>Selected</b>: ${r.best.portfolio} — ${money(r.best.cost_usd)}; benefit over doing nothing
      ${ci(r.best)} ${u} (${r.best.n} replications).</p><p class="note">${r.statement}. ${r.simulations_total} simulations, ${r.days}-day horizon.</p>`;
    this.$("#invest-frontier").src = `/api/invest/runs/${key}/frontier.png`;
    this.$("#invest-map").src = `/api/invest/runs/${key}/map.png`;
    this.$("#invest-stages thead").innerHTML = `<tr><th>#</th><th>project</th><th class="num">capital</th><th class="num">marginal ${u} [95% CI]</th><th class="num">cumulative ${u} [95% CI]</th></tr>`;
    this.$("#invest-stages tbody").innerHTML = r.stages.length ? r.stages.map((s, i) => `<tr title="${s.project_id}"><td>${i + 1}</td><td>${r.names[s.project_id] || s.project_id}</td>
      <td class="num">${money(s.cost_usd)}</td><td class="num">${ci(s.marginal)}</td><td class="num">${ci(s.cumulative)}</td></tr>`).join("")
      : `<tr><td colspan="5">no affordable project adds a significant benefit</td></tr>`;
    this.$("#invest-frontier-table tbody").innerHTML = r.frontier.map((q) => `<tr><td class="num">${money(q.cost_usd)}</td><td>${q.portfolio}</td><td class="num">${ci(q)}</td><td class="num">${q.n}</td></tr>`).join("");
    this.$("#invest-results").hidden = false;
  }
}
