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
