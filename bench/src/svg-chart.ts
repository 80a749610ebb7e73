/**
 * A small hand-written SVG line chart: categorical or numeric x, linear y,
 * one polyline with markers per series, a legend. Enough for the bench's
 * "packets/s vs N" and "latency vs load" charts without a dependency.
 */
export interface ChartSeries {
  name: string;
  points: Array<[number, number]>;
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Category labels for x = 0, 1, 2, … (the x values index into it). */
  xCategories?: string[];
  /** Numeric x only: where to put the x labels (default: at every distinct x). */
  xTicks?: number[];
  series: ChartSeries[];
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function fmt(v: number): string {
  if (v >= 1e6) return `${+(v / 1e6).toFixed(2)}M`;
  if (v >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  return `${+v.toFixed(2)}`;
}

export function lineChartSvg(spec: ChartSpec): string {
  const W = 760;
  const H = 420;
  const L = 80;
  const R = 230;
  const T = 40;
  const B = 60;
  const pw = W - L - R;
  const ph = H - T - B;
  const pts = spec.series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(y));
  const xs = pts.map(([x]) => x);
  const xMin = spec.xCategories ? 0 : Math.min(...xs, 0);
  const xMax = spec.xCategories ? Math.max(1, spec.xCategories.length - 1) : Math.max(...xs, 1);
  const yMax = niceMax(Math.max(...pts.map(([, y]) => y), 0));
  const sx = (x: number) =>
    spec.xCategories && spec.xCategories.length === 1
      ? L + pw / 2
      : L + ((x - xMin) / (xMax - xMin || 1)) * pw;
  const sy = (y: number) => T + ph - (y / yMax) * ph;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<title>${esc(spec.title)}</title>`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(spec.title)}</text>`,
  );
  for (let i = 0; i <= 5; i++) {
    const v = (yMax * i) / 5;
    const y = sy(v);
    out.push(`<line x1="${L}" x2="${L + pw}" y1="${y}" y2="${y}" stroke="#ddd"/>`);
    out.push(`<text x="${L - 6}" y="${y + 4}" text-anchor="end">${fmt(v)}</text>`);
  }
  const ticks = spec.xCategories
    ? spec.xCategories.map((_, i) => i)
    : (spec.xTicks ?? [...new Set(xs)].sort((a, b) => a - b));
  for (const t of ticks) {
    const label = spec.xCategories ? spec.xCategories[t] : fmt(t);
    out.push(`<text x="${sx(t)}" y="${T + ph + 18}" text-anchor="middle">${esc(label)}</text>`);
  }
  out.push(`<line x1="${L}" x2="${L + pw}" y1="${T + ph}" y2="${T + ph}" stroke="#333"/>`);
  out.push(`<line x1="${L}" x2="${L}" y1="${T}" y2="${T + ph}" stroke="#333"/>`);
  out.push(`<text x="${L + pw / 2}" y="${H - 18}" text-anchor="middle">${esc(spec.xLabel)}</text>`);
  out.push(
    `<text x="18" y="${T + ph / 2}" text-anchor="middle" transform="rotate(-90 18 ${T + ph / 2})">${esc(spec.yLabel)}</text>`,
  );
  spec.series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length];
    const p = s.points.filter(([, y]) => Number.isFinite(y));
    if (p.length > 1) {
      out.push(
        `<polyline fill="none" stroke="${c}" stroke-width="2" points="${p.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')}"/>`,
      );
    }
    for (const [x, y] of p)
      out.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="3.5" fill="${c}"/>`);
    const ly = T + 10 + i * 18;
    out.push(`<rect x="${L + pw + 15}" y="${ly - 9}" width="12" height="12" fill="${c}"/>`);
    out.push(`<text x="${L + pw + 32}" y="${ly + 1}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
