/** A line chart as SVG text, for bench/results/. Pure. */

export interface Series {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
}

export interface PlotSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];
const W = 640;
const H = 400;
const M = { left: 60, right: 160, top: 40, bottom: 50 };

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Five round ticks from 0 to at least `max`. */
function ticks(max: number): number[] {
  const raw = max / 4 || 1;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw) ?? raw;
  return [0, 1, 2, 3, 4].map((i) => i * step);
}

export function plot(spec: PlotSpec): string {
  const all = spec.series.flatMap((s) => s.points);
  const xs = ticks(Math.max(1, ...all.map((p) => p[0])));
  const ys = ticks(Math.max(1, ...all.map((p) => p[1])));
  const xMax = xs[xs.length - 1];
  const yMax = ys[ys.length - 1];
  const px = (x: number) => M.left + (x / xMax) * (W - M.left - M.right);
  const py = (y: number) => H - M.bottom - (y / yMax) * (H - M.top - M.bottom);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(spec.title)}</text>`,
  ];
  for (const x of xs) {
    out.push(
      `<line x1="${px(x)}" y1="${py(0)}" x2="${px(x)}" y2="${py(yMax)}" stroke="#eee"/>`,
      `<text x="${px(x)}" y="${py(0) + 16}" text-anchor="middle">${x}</text>`,
    );
  }
  for (const y of ys) {
    out.push(
      `<line x1="${px(0)}" y1="${py(y)}" x2="${px(xMax)}" y2="${py(y)}" stroke="#eee"/>`,
      `<text x="${px(0) - 6}" y="${py(y) + 4}" text-anchor="end">${y}</text>`,
    );
  }
  out.push(
    `<text x="${(px(0) + px(xMax)) / 2}" y="${H - 12}" text-anchor="middle">${esc(spec.xLabel)}</text>`,
    `<text x="16" y="${(py(0) + py(yMax)) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(py(0) + py(yMax)) / 2})">${esc(spec.yLabel)}</text>`,
  );
  spec.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const pts = s.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(" ");
    out.push(`<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const [x, y] of s.points) {
      out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${color}"/>`);
    }
    const ly = M.top + 10 + i * 18;
    out.push(
      `<line x1="${W - M.right + 15}" y1="${ly}" x2="${W - M.right + 35}" y2="${ly}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${W - M.right + 40}" y="${ly + 4}">${esc(s.name)}</text>`,
    );
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
