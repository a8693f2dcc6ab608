/**
 * STAND-IN support (tests and demos only): reads the real nvidia-smi captures in ./captures and
 * answers CSV queries from them the way nvidia-smi would. Pure: callers read the files.
 *
 * Capture format: sections introduced by a line of #'s, `# <phase> :: <name>`, an optional
 * `# $ <command>` line and a closing line of #'s; the body runs to the next section.
 */
import { splitRow } from "../telemetry/nvidia-smi-parse";

export type Phase = "idle" | "load";
export const PHASES: readonly Phase[] = ["idle", "load"];

export interface CaptureSection { phase: string; name: string; command: string | null; body: string }

/** A CSV section as nvidia-smi printed it with `--format=csv`: header units split off. */
export interface CsvTable { fields: string[]; units: (string | null)[]; rows: string[][] }

export interface Capture {
  key: string;
  file: string;
  version: string;
  list: string;
  gpuAliases: ReadonlyMap<string, string>;
  appAliases: ReadonlyMap<string, string>;
  gpu: Record<Phase, CsvTable>;
  apps: Record<Phase, CsvTable>;
}

export interface CsvFormat { header: boolean; units: boolean }

const RULE = /^#{20,}$/;
const TITLE = /^# (\S+) :: (.*)$/;

export function parseSections(text: string): CaptureSection[] {
  const lines = text.split("\n");
  const sections: CaptureSection[] = [];
  let current: { phase: string; name: string; command: string | null; body: string[] } | null = null;
  const close = (): void => {
    if (current === null) return;
    while (current.body.length > 0 && current.body[current.body.length - 1]!.trim() === "") current.body.pop();
    sections.push({ phase: current.phase, name: current.name, command: current.command, body: current.body.join("\n") });
  };
  for (let i = 0; i < lines.length; i++) {
    const title = RULE.test(lines[i]!) ? TITLE.exec(lines[i + 1] ?? "") : null;
    if (title === null) {
      current?.body.push(lines[i]!);
      continue;
    }
    close();
    let next = i + 2;
    const command = lines[next]?.startsWith("# $ ") ? lines[next++]!.slice(4).trim() : null;
    if (RULE.test(lines[next] ?? "")) next++;
    current = { phase: title[1]!, name: title[2]!.trim(), command, body: [] };
    i = next - 1;
  }
  close();
  return sections;
}

function section(sections: CaptureSection[], phase: string, namePrefix: string, file: string): CaptureSection {
  const found = sections.find((s) => s.phase === phase && s.name.startsWith(namePrefix));
  if (found === undefined) throw new Error(`capture ${file} has no "${phase} :: ${namePrefix}" section`);
  return found;
}

/**
 * A `--format=csv` section: header cells are `name` or `name [unit]`. The one free-text column (GPU
 * or process name) is split from both ends so a ", " inside it survives.
 */
export function parseCsvTable(body: string, freeTextField: string): CsvTable {
  const lines = body.split("\n").filter((l) => l.trim() !== "");
  const header = (lines[0] ?? "").split(", ");
  const fields: string[] = [];
  const units: (string | null)[] = [];
  for (const cell of header) {
    const m = /^(.*?)(?: \[(.+)\])?$/.exec(cell.trim())!;
    fields.push(m[1]!);
    units.push(m[2] ?? null);
  }
  const free = fields.indexOf(freeTextField);
  const rows = lines.slice(1).map((line) => {
    const cells = splitRow(line, fields.length, free);
    if (cells === null) throw new Error(`CSV row has fewer than ${fields.length} cells: ${line.slice(0, 80)}`);
    return cells;
  });
  return { fields, units, rows };
}

/**
 * `--help-query-*` lists each field as `"canonical"` or `"canonical" or "alias"` on a line of its
 * own. Maps every accepted spelling to the canonical name.
 */
export function parseAliases(help: string): Map<string, string> {
  const aliases = new Map<string, string>();
  for (const line of help.split("\n")) {
    if (!/^"[A-Za-z][\w.]*"( or "[A-Za-z][\w.]*")*\s*$/.test(line)) continue;
    const names = [...line.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
    for (const name of names) if (!aliases.has(name)) aliases.set(name, names[0]!);
  }
  return aliases;
}

/** `linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.txt` → `h100`; `…geforce-rtx-4080-super…` → `rtx-4080-super`. */
export function captureKey(file: string): string {
  const model = file.split("__")[1] ?? file.replace(/\.txt$/, "");
  return model.replace(/^nvidia-/, "").replace(/^geforce-/, "").replace(/-\d+gb(-[a-z0-9]+)?$/, "");
}

export function parseCapture(file: string, text: string): Capture {
  const sections = parseSections(text);
  const table = (phase: Phase, name: string, free: string): CsvTable =>
    parseCsvTable(section(sections, phase, name, file).body, free);
  return {
    key: captureKey(file),
    file,
    version: section(sections, "capabilities", "version", file).body,
    list: section(sections, "capabilities", "list (-L)", file).body,
    gpuAliases: parseAliases(section(sections, "capabilities", "help-query-gpu", file).body),
    appAliases: parseAliases(section(sections, "capabilities", "help-query-compute-apps", file).body),
    gpu: { idle: table("idle", "query-gpu", "name"), load: table("load", "query-gpu", "name") },
    apps: { idle: table("idle", "query-compute-apps", "process_name"), load: table("load", "query-compute-apps", "process_name") },
  };
}

/** `csv[,noheader][,nounits]` in any order; null when `csv` is missing or an option is unknown. */
export function parseFormat(spec: string): CsvFormat | null {
  const options = spec.split(",").map((o) => o.trim()).filter((o) => o !== "");
  if (!options.includes("csv")) return null;
  if (options.some((o) => !["csv", "noheader", "nounits"].includes(o))) return null;
  return { header: !options.includes("noheader"), units: !options.includes("nounits") };
}

/**
 * Column indexes in `table` for the asked fields (canonical names or aliases), or the first field
 * nvidia-smi would reject. `rejected` simulates an older driver that lacks some fields.
 */
export function resolveColumns(
  asked: readonly string[],
  table: CsvTable,
  aliases: ReadonlyMap<string, string>,
  rejected: ReadonlySet<string> = new Set(),
): { columns: number[] } | { invalid: string } {
  const columns: number[] = [];
  for (const field of asked) {
    const canonical = aliases.get(field) ?? field;
    const column = table.fields.indexOf(canonical);
    if (column < 0 || rejected.has(field) || rejected.has(canonical)) return { invalid: field };
    columns.push(column);
  }
  return { columns };
}

/** nvidia-smi keeps units in the header even with `nounits`; it never prints a header with `noheader`. */
export function formatHeader(table: CsvTable, columns: readonly number[]): string {
  return columns.map((c) => (table.units[c] ? `${table.fields[c]} [${table.units[c]}]` : table.fields[c]!)).join(", ");
}

/** `nounits` strips the unit from values that carry one; `[N/A]` and friends are left as they are. */
export function formatCell(value: string, unit: string | null, format: CsvFormat): string {
  if (format.units || unit === null) return value;
  const suffix = ` ${unit}`;
  return value.endsWith(suffix) ? value.slice(0, -suffix.length) : value;
}

/** One output row: the asked columns of a full row, with units handled per `format`. */
export function pickRow(row: readonly string[], table: CsvTable, columns: readonly number[], format: CsvFormat): string {
  return columns.map((c) => formatCell(row[c] ?? "[N/A]", table.units[c] ?? null, format)).join(", ");
}

/** Whole output for rows already picked by the caller: header (unless noheader) and one line each. */
export function formatTable(table: CsvTable, rows: readonly (readonly string[])[], columns: readonly number[], format: CsvFormat): string {
  const lines = rows.map((row) => pickRow(row, table, columns, format));
  if (format.header) lines.unshift(formatHeader(table, columns));
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}
