// Small line charts with uPlot (vendored): several named series over a shared x axis.

// series: [{label, x: [...], y: [...], dash}] → one chart; x values are merged, gaps are null.
export function lineChart(element, { title, xLabel, yLabel, series }) {
  element.innerHTML = "";
  if (!series.length) {
    element.textContent = "no data recorded";
    return null;
  }
  const xs = [...new Set(series.flatMap((s) => s.x))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const columns = series.map((s) => {
    const col = new Array(xs.length).fill(null);
    s.x.forEach((x, i) => { col[index.get(x)] = s.y[i]; });
    return col;
  });
  const opts = {
    title, width: element.clientWidth || 430, height: 220,
    scales: { x: { time: false } },
    axes: [{ label: xLabel }, { label: yLabel }],
    series: [{ label: xLabel }, ...series.map((s, i) => ({ label: s.label, stroke: PALETTE[i % PALETTE.length], width: 2, dash: s.dash, spanGaps: true }))],
    legend: { live: false },
  };
  return new uPlot(opts, [xs, ...columns], element);
}

const PALETTE = ["#2b6cb0", "#c05621", "#2f855a", "#6b46c1", "#b83280", "#718096", "#d69e2e", "#00838f"];

// Means with 95% confidence bands over a shared x axis (e.g. the demand multiplier), and dashed reference levels.
// series: [{label, mean: [...], half: [...] (null: no interval), ref: number|null (a dashed level, e.g. a capacity)}]
// The legend is ours (uPlot's would list the band edges): one entry per series, with its reference if any.
export function ciChart(element, { title, xLabel, yLabel, xs, series, refLabel = "" }) {
  element.innerHTML = "";
  if (!series.length || !xs.length) {
    element.textContent = "no data recorded";
    return null;
  }
  const data = [xs];
  const opts = [{ label: xLabel }];
  const bands = [];
  series.forEach((s, i) => {
    const colour = PALETTE[i % PALETTE.length];
    const lo = s.mean.map((m, k) => (m === null || s.half[k] === null ? m : m - s.half[k]));
    const hi = s.mean.map((m, k) => (m === null || s.half[k] === null ? m : m + s.half[k]));
    data.push(s.mean, hi, lo);
    const at = data.length - 3;
    opts.push({ label: s.label, stroke: colour, width: 2, points: { show: true, size: 7, fill: colour } },
      { label: `${s.label} (95% CI high)`, stroke: colour, width: 0.5, points: { show: false } },
      { label: `${s.label} (95% CI low)`, stroke: colour, width: 0.5, points: { show: false } });
    bands.push({ series: [at + 1, at + 2], fill: `${colour}2e` });
    if (s.ref !== null && s.ref !== undefined) {
      data.push(xs.map(() => s.ref));
      opts.push({ label: `${s.label} ${refLabel}`, stroke: colour, width: 1.5, dash: [7, 5], points: { show: false } });
    }
  });
  const top = Math.max(...data.slice(1).flat().filter((v) => v !== null && Number.isFinite(v)), 0);
  const plot = new uPlot({
    title, width: element.clientWidth || 430, height: 230,
    scales: { x: { time: false }, y: { range: () => [0, top > 0 ? top * 1.08 : 1] } },
    axes: [{ label: xLabel }, { label: yLabel, size: 60 }],
    series: opts, bands, legend: { show: false },
  }, data, element);
  const legend = document.createElement("div");
  legend.className = "chart-legend";
  legend.innerHTML = series.map((s, i) => `<span><i style="background:${PALETTE[i % PALETTE.length]}"></i>${s.label}`
    + `${s.ref !== null && s.ref !== undefined ? ` <i class="dash" style="border-color:${PALETTE[i % PALETTE.length]}"></i>${refLabel}` : ""}</span>`).join("")
    + `<span class="note">shaded: 95% CI over the replications</span>`;
  element.appendChild(legend);
  element.dataset.points = String(xs.length);
  element.dataset.series = String(series.length);
  return plot;
}

export { PALETTE };
