/** Memory sizes as people write them ("24GiB", "2G", "512MiB"), for flags and environment variables (shared by the CLI, agent and fit). */
const UNITS: Record<string, number> = {
  b: 1, k: 1024, kb: 1e3, kib: 1024, m: 1024 ** 2, mb: 1e6, mib: 1024 ** 2,
  g: 1024 ** 3, gb: 1e9, gib: 1024 ** 3, t: 1024 ** 4, tb: 1e12, tib: 1024 ** 4,
};

/** "24GiB", "24 GB" (10^9), "24G" (GiB, as nvidia-smi and Docker mean it), "81559MiB", or bytes; null when unreadable. */
export function parseByteSize(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return null;
  const unit = UNITS[(m[2] || "b").toLowerCase()];
  return unit === undefined ? null : Math.round(Number(m[1]) * unit);
}

/** 1536 MiB → "1.5 GiB"; small sizes in MiB. */
export function formatBytes(bytes: number): string {
  const gib = bytes / 1024 ** 3;
  if (gib >= 1) return `${gib.toFixed(gib >= 10 ? 0 : 1)} GiB`;
  const mib = bytes / 1024 ** 2;
  return `${mib.toFixed(mib >= 10 ? 0 : 1)} MiB`;
}
