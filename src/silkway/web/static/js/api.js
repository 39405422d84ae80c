// Thin fetch helpers: JSON in, JSON out; an HTTP error becomes an Error with the server's message.
export async function getJSON(url) {
  return handle(await fetch(url));
}

export async function postJSON(url, body) {
  return handle(await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }));
}

export async function del(url) {
  return handle(await fetch(url, { method: "DELETE" }));
}

// Follow a background job until it ends (done, failed or cancelled) and resolve with its last state. After every poll
// the progress bar (if any) and say(text) show where it is. Rejects when the server cannot be reached or has
// forgotten the job, so the caller can say so instead of polling for ever.
export async function followJob(jobId, { bar = null, say = () => {}, intervalMs = 500 } = {}) {
  for (;;) {
    const job = await getJSON(`/api/jobs/${jobId}`);
    if (bar) {
      bar.max = Math.max(1, job.total);
      bar.value = job.done;
    }
    say(`${job.state}: ${job.message}`);
    if (["done", "failed", "cancelled"].includes(job.state)) return job;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

async function handle(resp) {
  const data = await resp.json().catch(() => null);
  if (!resp.ok) throw new Error(describe(data) || `${resp.status} ${resp.statusText}`);
  return data;
}

export function describe(data) {
  const d = data && data.detail;
  if (!d) return null;
  if (typeof d === "string") return d;
  if (Array.isArray(d)) return d.map((e) => `${(e.loc || []).slice(1).join(".")}: ${e.msg}`).join("; ");
  return [d.message, ...(d.problems || [])].filter(Boolean).join(" — ");
}

export const fmt = (v, digits = 0) =>
  v === null || v === undefined || Number.isNaN(v) ? "" : Number(v).toLocaleString("en-GB", { maximumFractionDigits: digits, minimumFractionDigits: digits });
