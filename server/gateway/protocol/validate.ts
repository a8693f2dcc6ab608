/**
 * Request-body validation for both client protocols: zod does the checking, this file turns its
 * issues into the one-line message a 400 carries ("messages.2.content.0.text: expected string").
 */
import { z } from "zod";

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

type Issue = z.core.$ZodIssue;

export function parseWith<S extends z.ZodType>(schema: S, body: unknown): Parsed<z.output<S>> {
  const result = schema.safeParse(body, { reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, message: describeIssues(result.error.issues) };
}

/** The first issue, made specific: unions report the branch that got furthest, not "Invalid input". */
export function describeIssues(issues: readonly Issue[]): string {
  const first = issues[0];
  if (!first) return "invalid request body";
  const { path, message } = mostSpecific(first, []);
  return `${path.length > 0 ? path.map(String).join(".") : "request body"}: ${message}`;
}

interface Located { path: PropertyKey[]; message: string; depth: number }

function mostSpecific(issue: Issue, prefix: PropertyKey[]): Located {
  const path = [...prefix, ...issue.path];
  if (issue.code !== "invalid_union" || issue.errors.length === 0) {
    return { path, message: plain(issue), depth: path.length };
  }
  // Every branch failed at the value itself (e.g. `content: 5` against string | array): say what
  // would have been accepted instead of picking one branch arbitrarily.
  const rootTypes = issue.errors.map((branch) => (branch.length === 1 && branch[0]!.code === "invalid_type" && branch[0]!.path.length === 0 ? branch[0]!.expected : null));
  if (rootTypes.every((t) => t !== null)) {
    return { path, message: `expected ${[...new Set(rootTypes)].join(" or ")}`, depth: path.length };
  }
  let best: Located | null = null;
  for (const branch of issue.errors) {
    const head = branch[0];
    // "No matching discriminator" only means "not one of the known block types"; a sibling branch
    // (unknown types are accepted) has the real complaint.
    if (!head || (head.code === "invalid_union" && head.errors.length === 0)) continue;
    const candidate = mostSpecific(head, path);
    if (!best || candidate.depth > best.depth) best = candidate;
  }
  return best ?? { path, message: plain(issue), depth: path.length };
}

function plain(issue: Issue): string {
  if (issue.code === "invalid_type") {
    return issue.input === undefined ? `required (expected ${issue.expected})` : `expected ${issue.expected}, received ${describeValue(issue.input)}`;
  }
  return issue.message;
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

declare const unknownPartType: unique symbol;
/**
 * The `type` of a content part this gateway does not know. At run time it is the client's own
 * string (and the part the client's own object, so a parsed request serializes back to what the client
 * sent); to the type checker it is opaque, so that `switch (part.type)` narrows the known parts.
 */
export type UnknownPartType = { readonly [unknownPartType]: true };
export interface UnknownPart {
  type: UnknownPartType;
  [key: string]: unknown;
}

type TypedObject = z.ZodObject<{ type: z.ZodLiteral<string> } & z.core.$ZodLooseShape, z.core.$loose>;

/**
 * A union of content-part schemas keyed by `type` that also accepts types it does not know (new
 * block kinds appear with every API release; rejecting them would break clients). Known types are
 * validated strictly; unknown ones pass as they are, for translators to skip.
 */
export function openUnion<const T extends readonly [TypedObject, ...TypedObject[]]>(options: T) {
  const known = new Set(options.map((o) => o.shape.type.value));
  // `abort` makes a known type with a bad field fail this branch outright; zod would otherwise report
  // only the refinement ("unknown type") instead of the field that is actually wrong.
  const unknown = z.looseObject({ type: z.string().refine((t) => !known.has(t), { message: "unknown type", abort: true }) }) as unknown as z.ZodType<UnknownPart>;
  return z.union([z.discriminatedUnion("type", options), unknown]);
}

/** A JSON object (not array, not null), checked without walking its contents. */
export const jsonObject = z.custom<Record<string, unknown>>(
  (v) => typeof v === "object" && v !== null && !Array.isArray(v),
  "expected object",
);
