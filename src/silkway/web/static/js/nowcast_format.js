// Formatting helpers of the nowcast page: UTC times, durations, the ETA band bar, what a train is doing, a point
// along a polyline.
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n) => String(n).padStart(2, "0");

// "17 Feb 06:00" (UTC)
export function fmtTime(iso) {
  const d = new Date(iso);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

// "15 Feb 02:21 – 19:23" (the same day), "15 Feb 02:21 – 16 Feb 00:33", "15 Feb 02:21 – beyond the horizon"
export function fmtRange(lo, hi) {
  if (!lo) return "beyond the horizon";
  if (!hi) return `${fmtTime(lo)} – beyond the horizon`;
  const a = fmtTime(lo), b = fmtTime(hi);
  return a.split(" ").slice(0, 2).join(" ") === b.split(" ").slice(0, 2).join(" ") ? `${a} – ${b.split(" ")[2]}` : `${a} – ${b}`;
}

// hours → "18 h" below two days, else "3.2 d"; null (beyond the horizon) → "beyond"
export function fmtDays(h) {
  if (h === null || h === undefined) return "beyond";
  return h < 48 ? `${Math.round(h)} h` : `${(h / 24).toFixed(1)} d`;
}

// The P10–P90 band of a train's arrival as a bar from now (left) to the horizon (right); tick = P50. A quantile beyond
// the horizon runs the bar off the right edge (an open end).
export function bandBar(t, horizonH) {
  const title = `P10 ${fmtDays(t.eta_p10_h)}, P50 ${fmtDays(t.eta_p50_h)}, P90 ${fmtDays(t.eta_p90_h)} from now; ${Math.round(100 * t.p_arrive)}% of members arrive within the horizon`;
  if (t.eta_p10_h === null) return `<div class="band beyond" title="${title}">beyond</div>`;
  const x = (h) => (h === null ? 100 : Math.max(0, Math.min(100, (100 * h) / horizonH)));
  const lo = x(t.eta_p10_h), hi = x(t.eta_p90_h);
  const open = t.eta_p90_h === null ? " open" : "";
  const tick = t.eta_p50_h === null ? "" : `<i style="left:${x(t.eta_p50_h)}%"></i>`;
  return `<div class="band" title="${title}"><span class="${open.trim()}" style="left:${lo}%;width:${Math.max(1.5, hi - lo)}%"></span>${tick}</div>`;
}

// What a train is doing, in words, with the place names of the map.
export function doingText(t, map) {
  const here = map.name(t.node_id);
  const next = t.remaining.length ? map.name(t.remaining[0][2]) : null;
  switch (t.doing) {
    case "moving": return `on the line ${here} → ${next}`;
    case "sailing": return `sailing ${here} → ${next}`;
    case "forming": return `forming at ${here}`;
    case "loading": return `loading on a vessel at ${here}`;
    case "waiting to depart": return `waiting to leave ${here}${next ? ` for ${next}` : ""}`;
    default: return `${t.doing.replace(" in progress", "")} at ${here}`;
  }
}

// The point at ``fraction`` of a [lat, lon] polyline's length (lengths in degrees, longitude scaled by cos(latitude)).
export function along(path, fraction) {
  if (!path || path.length === 0) return null;
  if (path.length === 1) return path[0];
  const seg = [];
  for (let i = 1; i < path.length; i++) {
    const k = Math.cos(((path[i][0] + path[i - 1][0]) / 2) * Math.PI / 180);
    seg.push(Math.hypot(path[i][0] - path[i - 1][0], (path[i][1] - path[i - 1][1]) * k));
  }
  let left = fraction * seg.reduce((a, b) => a + b, 0);
  for (let i = 0; i < seg.length; i++) {
    if (left <= seg[i] || i === seg.length - 1) {
      const f = seg[i] > 0 ? Math.min(1, left / seg[i]) : 0;
      return [path[i][0] + f * (path[i + 1][0] - path[i][0]), path[i][1] + f * (path[i + 1][1] - path[i][1])];
    }
    left -= seg[i];
  }
  return path[path.length - 1];
}
