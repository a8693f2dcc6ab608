/**
 * Response headers that say who answered: the backend, the target (BACKEND/MODEL) and the failovers
 * on the way, for the playground and for API users. Names only, never a URL or a key. Percent-
 * encoded, because a target may carry a model name the client sent (`box1/anything`), and bounded.
 */
import type { RequestRecord } from "../exchange";

export const ANSWERED_BY_HEADERS = { backend: "x-switchyard-backend", target: "x-switchyard-target", failovers: "x-switchyard-failovers", tried: "x-switchyard-tried" } as const;

export type AnsweredBy = Pick<RequestRecord, "target" | "failovers" | "hops">;

const MAX_NAME = 256;
const MAX_TRIED = 8;

const headerValue = (name: string): string => encodeURIComponent(name.slice(0, MAX_NAME));

/**
 * Appends the headers to a flat [name, value, …] head (what writeHead takes without building an
 * object) once the answer has committed to a target; returns `out`.
 */
export function appendAnsweredBy(out: string[], record: AnsweredBy): string[] {
  if (!record.target) return out;
  const slash = record.target.indexOf("/");
  out.push(
    ANSWERED_BY_HEADERS.backend, headerValue(slash > 0 ? record.target.slice(0, slash) : record.target),
    ANSWERED_BY_HEADERS.target, headerValue(record.target),
    ANSWERED_BY_HEADERS.failovers, String(record.failovers),
  );
  if (record.hops.length > 0) out.push(ANSWERED_BY_HEADERS.tried, record.hops.slice(0, MAX_TRIED).map((h) => headerValue(h.from)).join(", "));
  return out;
}
