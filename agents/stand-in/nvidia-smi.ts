/**
 * STAND-IN for nvidia-smi, for tests and demos on machines without NVIDIA GPUs. It is not a GPU
 * tool: it replays real captures (./captures) and answers only what the agent asks of the real
 * one, byte-compatible where the agent depends on it. Run through bin/nvidia-smi-standin.
 * Configuration (env) is described in HELP below.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { captureKey, formatTable, parseCapture, parseFormat, resolveColumns, type Capture, type CsvFormat, type CsvTable } from "./captures";
import { buildBox, gpuRow, listText, processRows, type Box, type BoxConfig } from "./simulated-box";

const HELP = `nvidia-smi STAND-IN (Switchyard test double; replays real captured nvidia-smi output, no GPU involved)

Answers:  --query-gpu=FIELDS --format=csv[,noheader][,nounits] [-lms MS | -l S]
          --query-compute-apps=FIELDS --format=...   --version   -L   --help-query-gpu
Env:      SWITCHYARD_STANDIN_GPUS    capture keys, one per GPU, in index order (default: h100)
          SWITCHYARD_STANDIN_SEED    box name; distinct UUIDs, phases and noise per box
          SWITCHYARD_STANDIN_PERIOD_S  idle/load cycle length per GPU (default: 20)
          SWITCHYARD_STANDIN_PHASE   idle|load: pin every GPU and replay the captured rows exactly
          SWITCHYARD_STANDIN_FAULT   comma list of: nvml-mismatch, no-driver, die-after:N,
                                     missing-field:FIELD (act like a driver without FIELD)
Captures: `;

const CAPTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), "captures");

interface Faults { nvmlMismatch: boolean; noDriver: boolean; dieAfter: number | null; missingFields: Set<string> }

function parseFaults(spec: string | undefined): Faults {
  const faults: Faults = { nvmlMismatch: false, noDriver: false, dieAfter: null, missingFields: new Set() };
  for (const item of (spec ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
    const [name, arg] = item.split(":", 2) as [string, string | undefined];
    if (name === "nvml-mismatch") faults.nvmlMismatch = true;
    else if (name === "no-driver") faults.noDriver = true;
    else if (name === "die-after" && Number(arg) >= 0) faults.dieAfter = Number(arg);
    else if (name === "missing-field" && arg) faults.missingFields.add(arg);
    else throw new Error(`unknown SWITCHYARD_STANDIN_FAULT "${item}"`);
  }
  return faults;
}

function captureFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const file of readdirSync(CAPTURE_DIR)) if (file.endsWith(".txt")) files.set(captureKey(file), file);
  return files;
}

function loadBox(env: NodeJS.ProcessEnv): Box {
  const files = captureFiles();
  const keys = (env.SWITCHYARD_STANDIN_GPUS ?? "h100").split(",").map((k) => k.trim()).filter(Boolean);
  const captures = new Map<string, Capture>();
  for (const key of new Set(keys)) {
    const file = files.get(key);
    if (file === undefined) throw new Error(`unknown capture "${key}" in SWITCHYARD_STANDIN_GPUS (have: ${[...files.keys()].sort().join(", ")})`);
    captures.set(key, parseCapture(file, readFileSync(join(CAPTURE_DIR, file), "utf8")));
  }
  const period = Number(env.SWITCHYARD_STANDIN_PERIOD_S ?? 20);
  const phase = env.SWITCHYARD_STANDIN_PHASE;
  const config: BoxConfig = {
    keys,
    seed: env.SWITCHYARD_STANDIN_SEED || "standin-box",
    periodS: Number.isFinite(period) && period > 0 ? period : 20,
    phase: phase === "idle" || phase === "load" ? phase : null,
  };
  return buildBox(config, captures);
}

interface Args { queryGpu?: string; queryApps?: string; format?: string; loopMs?: number; version: boolean; list: boolean; help: boolean; helpQueryGpu: boolean }

/** Accepts `--opt=value` and `--opt value`, like nvidia-smi. Returns null for anything else. */
function parseArgs(argv: string[]): Args | null {
  const args: Args = { version: false, list: false, help: false, helpQueryGpu: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.includes("=") ? (argv[i]!.split(/=(.*)/s, 2) as [string, string]) : [argv[i]!, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case "--query-gpu": args.queryGpu = value(); break;
      case "--query-compute-apps": args.queryApps = value(); break;
      case "--format": args.format = value(); break;
      case "-lms": case "--loop-ms": args.loopMs = Number(value()); break;
      case "-l": case "--loop": args.loopMs = Number(value()) * 1000; break;
      case "--version": args.version = true; break;
      case "-L": case "--list-gpus": args.list = true; break;
      case "-h": case "--help": args.help = true; break;
      case "--help-query-gpu": args.helpQueryGpu = true; break;
      default: return null;
    }
  }
  if (args.loopMs !== undefined && !(args.loopMs > 0)) return null;
  return args;
}

interface Result { stdout: string; code: number }
const INVALID_ARGS: Result = { stdout: "Invalid combination of input arguments. Please run 'nvidia-smi -h' for help.\n\n", code: 2 };
const invalidField = (field: string): Result => ({ stdout: `Field "${field}" is not a valid field to query.\n\n`, code: 2 });

/** Validates a CSV query the way nvidia-smi does before printing anything. */
function prepareQuery(fields: string, formatSpec: string | undefined, table: CsvTable, aliases: ReadonlyMap<string, string>, faults: Faults):
  { columns: number[]; format: CsvFormat } | Result {
  const format = parseFormat(formatSpec ?? "");
  if (format === null) return { stdout: '"--format=" switch is missing or malformed; it must include "csv".\n\n', code: 2 };
  const resolved = resolveColumns(fields.split(",").map((f) => f.trim()), table, aliases, faults.missingFields);
  if ("invalid" in resolved) return invalidField(resolved.invalid);
  return { columns: resolved.columns, format };
}

function gpuBatch(box: Box, columns: number[], format: CsvFormat, header: boolean, nowMs: number): string {
  const table = box.driver.gpu.idle;
  // Each GPU's capture may order or lack columns differently; re-key its row by the box's fields.
  const rows = box.gpus.map((gpu) => {
    const row = gpuRow(box, gpu, nowMs);
    const own = gpu.capture.gpu.idle.fields;
    return table.fields.map((field) => row[own.indexOf(field)] ?? "[N/A]");
  });
  return formatTable(table, rows, columns, { ...format, header });
}

function run(argv: string[], env: NodeJS.ProcessEnv): Result | "looping" {
  const args = parseArgs(argv);
  if (args === null) return INVALID_ARGS;
  if (args.help || argv.length === 0) return { stdout: `${HELP}${[...captureFiles().keys()].sort().join(", ")}\n`, code: 0 };
  const faults = parseFaults(env.SWITCHYARD_STANDIN_FAULT);
  if (faults.nvmlMismatch) return { stdout: "Failed to initialize NVML: Driver/library version mismatch\nNVML library version: 590.48\n", code: 18 };
  if (faults.noDriver) {
    return { stdout: "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n\n", code: 9 };
  }
  const box = loadBox(env);
  if (args.version) return { stdout: `${box.driver.version}\n`, code: 0 };
  if (args.list) return { stdout: listText(box), code: 0 };
  if (args.helpQueryGpu) return { stdout: `${[...box.driver.gpuAliases.keys()].join("\n")}\n`, code: 0 };

  if (args.queryApps !== undefined) {
    const apps = processRows(box, Date.now());
    const query = prepareQuery(args.queryApps, args.format, apps.table, box.driver.appAliases, faults);
    if ("code" in query) return query;
    return { stdout: formatTable(apps.table, apps.rows, query.columns, query.format), code: 0 };
  }
  if (args.queryGpu === undefined) return INVALID_ARGS;
  const query = prepareQuery(args.queryGpu, args.format, box.driver.gpu.idle, box.driver.gpuAliases, faults);
  if ("code" in query) return query;
  if (args.loopMs === undefined) return { stdout: gpuBatch(box, query.columns, query.format, query.format.header, Date.now()), code: 0 };

  loop(box, query.columns, query.format, args.loopMs, faults.dieAfter);
  return "looping";
}

/** One write per batch (pipes are written synchronously on Linux), on a drift-free schedule. */
function loop(box: Box, columns: number[], format: CsvFormat, intervalMs: number, dieAfter: number | null): void {
  const started = Date.now();
  let printed = 0;
  const tick = (): void => {
    if (dieAfter !== null && printed >= dieAfter) {
      process.stderr.write(`nvidia-smi stand-in: exiting after ${printed} samples (SWITCHYARD_STANDIN_FAULT=die-after:${dieAfter})\n`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(gpuBatch(box, columns, format, format.header && printed === 0, Date.now()));
    printed++;
    setTimeout(tick, Math.max(0, started + printed * intervalMs - Date.now()));
  };
  tick();
}

try {
  const result = run(process.argv.slice(2), process.env);
  if (result !== "looping") {
    process.stdout.write(result.stdout);
    process.exitCode = result.code;
  }
} catch (error) {
  process.stderr.write(`nvidia-smi stand-in: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
