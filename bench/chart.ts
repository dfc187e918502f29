// A small SVG chart, no dependencies: for each model, output tokens/s and TTFT p50 against
// concurrency, one line per target.
import type { BenchResults, ModelResults } from "./resultTypes.js";

export const PANEL = { width: 420, height: 260, left: 60, right: 16, top: 36, bottom: 40 };
const LEGEND_WIDTH = 170;
export const COLORS = [
  "#222222",
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#17becf",
];

export const escapeXml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A "nice" upper bound for an axis (1, 2 or 5 times a power of ten). */
function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].find((step) => step * power >= value) ?? 10) * power;
}

export interface Series {
  name: string;
  color: string;
  points: { x: number; y: number }[];
}

/** One chart at (x0, y0): a line per series over the categories `xs`, evenly spaced. */
export function panel(
  x0: number,
  y0: number,
  title: string,
  xs: readonly number[],
  series: Series[],
  unit: string,
  xLabel = "concurrency",
): string {
  const w = PANEL.width - PANEL.left - PANEL.right;
  const h = PANEL.height - PANEL.top - PANEL.bottom;
  const yMax = niceMax(Math.max(...series.flatMap((s) => s.points.map((p) => p.y))));
  const px = (x: number) =>
    x0 + PANEL.left + (xs.length === 1 ? w / 2 : (xs.indexOf(x) / (xs.length - 1)) * w);
  const py = (y: number) => y0 + PANEL.top + h - (y / yMax) * h;
  const parts = [
    `<text x="${x0 + PANEL.left}" y="${y0 + 20}" font-size="13" font-weight="bold">${escapeXml(title)}</text>`,
    `<line x1="${x0 + PANEL.left}" y1="${py(0)}" x2="${x0 + PANEL.left + w}" y2="${py(0)}" stroke="#888"/>`,
    `<line x1="${x0 + PANEL.left}" y1="${py(0)}" x2="${x0 + PANEL.left}" y2="${py(yMax)}" stroke="#888"/>`,
    `<text x="${x0 + PANEL.left + w / 2}" y="${y0 + PANEL.height - 6}" font-size="11" text-anchor="middle">${escapeXml(xLabel)}</text>`,
  ];
  for (let tick = 0; tick <= 4; tick++) {
    const value = (yMax / 4) * tick;
    parts.push(
      `<line x1="${x0 + PANEL.left}" y1="${py(value)}" x2="${x0 + PANEL.left + w}" y2="${py(value)}" stroke="#eee"/>`,
      `<text x="${x0 + PANEL.left - 6}" y="${py(value) + 4}" font-size="10" text-anchor="end">${value >= 1000 ? `${value / 1000}k` : Number(value.toPrecision(3))}${tick === 4 ? ` ${unit}` : ""}</text>`,
    );
  }
  for (const x of xs)
    parts.push(`<text x="${px(x)}" y="${py(0) + 16}" font-size="10" text-anchor="middle">${x}</text>`);
  for (const s of series) {
    const points = s.points.filter((p) => Number.isFinite(p.y));
    if (points.length === 0) continue;
    const path = points
      .map((p, i) => `${i ? "L" : "M"}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`)
      .join(" ");
    parts.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    for (const p of points)
      parts.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3" fill="${s.color}"/>`);
  }
  return parts.join("\n");
}

function modelRow(model: ModelResults, y0: number, xs: readonly number[]): string {
  const names = [...new Set(model.runs.map((run) => run.target))];
  const series = (metric: (run: ModelResults["runs"][number]) => number): Series[] =>
    names.map((name, index) => ({
      name,
      color: COLORS[index % COLORS.length],
      points: model.runs
        .filter((run) => run.target === name)
        .map((run) => ({ x: run.concurrency, y: metric(run) })),
    }));
  const legend = names
    .map(
      (name, index) =>
        `<rect x="${2 * PANEL.width + 10}" y="${y0 + PANEL.top + index * 18}" width="12" height="12" fill="${COLORS[index % COLORS.length]}"/>` +
        `<text x="${2 * PANEL.width + 28}" y="${y0 + PANEL.top + index * 18 + 10}" font-size="11">${escapeXml(name)}</text>`,
    )
    .join("\n");
  return [
    panel(
      0,
      y0,
      `${model.id}: output tokens/s`,
      xs,
      series((run) => run.metrics.outputThroughput),
      "tok/s",
    ),
    panel(
      PANEL.width,
      y0,
      `${model.id}: TTFT p50`,
      xs,
      series((run) => run.metrics.ttftMs.p50),
      "ms",
    ),
    legend,
  ].join("\n");
}

export function renderChartSvg(results: BenchResults): string {
  const xs = results.settings.concurrencies;
  const width = 2 * PANEL.width + LEGEND_WIDTH;
  const height = Math.max(1, results.models.length) * PANEL.height;
  const rows = results.models.map((model, index) => modelRow(model, index * PANEL.height, xs));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...rows,
    "</svg>",
    "",
  ].join("\n");
}
