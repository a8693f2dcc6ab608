/** Plain-text tables and units for terminal output. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ")).join("\n");
}

export const orDash = (v: number | null | undefined, unit = "", digits = 0) =>
  v === null || v === undefined ? "-" : `${v.toFixed(digits)}${unit}`;

export function gib(mib: number | null | undefined): string {
  return mib === null || mib === undefined ? "-" : (mib / 1024).toFixed(1);
}

export function ago(ts: number | null, now = Date.now()): string {
  if (ts === null) return "never";
  const s = Math.max(0, Math.round((now - ts) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86400) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}
