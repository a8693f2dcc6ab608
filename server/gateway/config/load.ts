/**
 * Reads the config file: YAML → `${ENV}` substitution → zod. Every problem is reported with the file,
 * line and field ("switchyard.yaml:7 backends[1].url: must be an http(s) URL …") and stops the server:
 * running on half a config would route traffic somewhere the user did not ask for.
 *
 * Substitution happens on parsed string values, never on the YAML text, so a secret containing
 * `:` or `#` cannot change the document's structure. `${VAR:-default}` gives a default; an unset
 * variable without one becomes "" and is named in the error if the field then fails validation.
 */
import fs from "node:fs";
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from "yaml";
import { ConfigError } from "../../config/env";
import { createLogger } from "../../../lib/logger";
import { EMPTY_CONFIG, configFileSchema, type ConfigFile } from "./schema";

type Env = Readonly<Record<string, string | undefined>>;

const log = createLogger("config");

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

interface Located {
  doc: Document.Parsed;
  lines: LineCounter;
  file: string;
}

export function loadConfigFile(file: string | undefined, env: Env = process.env): ConfigFile {
  if (!file) return EMPTY_CONFIG;
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(`SWITCHYARD_CONFIG=${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parseConfigText(text, file, env);
}

export function parseConfigText(text: string, file = "config", env: Env = process.env): ConfigFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const msgs = doc.errors.map((e) => `  ${file}:${lines.linePos(e.pos[0]).line} ${e.message.split("\n")[0]}`);
    throw new ConfigError(`Invalid config file ${file} (YAML syntax):\n${msgs.join("\n")}`);
  }
  const located: Located = { doc, lines, file };
  const unset = new Map<string, string>(); // path → variable
  const raw: unknown = substitute(doc.toJS() ?? {}, [], env, unset);
  const parsed = configFileSchema.safeParse(raw);
  if (parsed.success) {
    // Valid without them (an optional apiKey, say), but likely a mistake: say which were empty.
    for (const [field, variable] of unset) log.warn({ file, field, variable }, `${file}: ${field} uses \${${variable}}, which is not set: it is empty`);
    return parsed.data;
  }
  const msgs = parsed.error.issues.map((issue) => {
    const where = lineOf(located, issue.path);
    const field = formatPath(issue.path);
    const variable = unset.get(field);
    const hint = variable ? ` (the variable ${variable} is not set)` : "";
    return `  ${file}${where ? `:${where}` : ""} ${field || "(top level)"}: ${issue.message}${hint}`;
  });
  throw new ConfigError(`Invalid config file ${file}:\n${msgs.join("\n")}`);
}

function substitute(value: unknown, path: PropertyKey[], env: Env, unset: Map<string, string>): unknown {
  if (typeof value === "string") {
    return value.replace(VARIABLE, (_, name: string, fallback: string | undefined) => {
      const v = env[name];
      if (v !== undefined && v !== "") return v;
      if (fallback !== undefined) return fallback;
      unset.set(formatPath(path), name);
      return "";
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, [...path, i], env, unset));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substitute(v, [...path, k], env, unset);
    return out;
  }
  return value;
}

/** `["backends", 1, "url"]` → `backends[1].url`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : `${out ? "." : ""}${String(p)}`;
  return out;
}

/** The line of the deepest node the path reaches (the field itself, or the object missing it). */
function lineOf({ doc, lines }: Located, path: readonly PropertyKey[]): number | null {
  let node: Node | null | undefined = doc.contents;
  let found: Node | null | undefined = node;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
      node = pair?.value as Node | null | undefined;
      // A key with an empty value has no value node: point at the key.
      if (pair && !node) node = pair.key as Node;
    } else if (isSeq(node) && typeof key === "number") {
      node = node.items[key] as Node | undefined;
    } else {
      node = undefined;
    }
    if (!node) break;
    found = node;
  }
  const offset = found?.range?.[0];
  return offset === undefined ? null : lines.linePos(offset).line;
}
