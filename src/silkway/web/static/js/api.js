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
