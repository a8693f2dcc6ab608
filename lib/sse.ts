/**
 * Server-sent events (WHATWG "event stream" format): an incremental parser and an encoder. Both sit
 * on the gateway's streaming hot path, so the parser scans each byte once (indexOf over the new text
 * only), keeps at most one partial line between chunks, and allocates nothing per chunk beyond the
 * lines it cuts. The one SSE parser: the gateway and the CLI (`readSse`) share it.
 */

export interface SseEvent {
  /** The `event:` field; undefined when the event had none (OpenAI streams never name events). */
  event: string | undefined;
  data: string;
}

const LF = 10;
const SPACE = 32;

export class SseParser {
  private decoder: TextDecoder | null = null;
  /** Text of a line whose terminator has not arrived yet. */
  private partial = "";
  /** The last chunk ended in CR: a LF opening the next one belongs to the same line break. */
  private skipLF = false;
  private data = "";
  private hasData = false;
  private event: string | undefined = undefined;

  constructor(private readonly onEvent: (event: SseEvent) => void) {}

  /** Bytes may split anywhere, even inside a UTF-8 sequence: the streaming decoder holds the remainder. */
  push(chunk: string | Uint8Array): void {
    if (typeof chunk === "string") this.feed(chunk);
    else this.feed((this.decoder ??= new TextDecoder()).decode(chunk, { stream: true }));
  }

  /**
   * The stream ended. The format says to drop an event not closed by a blank line, but upstreams that
   * close right after their last `data:` line are common, and that line is often the usage chunk.
   */
  end(): void {
    if (this.decoder) this.feed(this.decoder.decode());
    if (this.partial) {
      const line = this.partial;
      this.partial = "";
      this.line(line);
    }
    this.dispatch();
  }

  private feed(text: string): void {
    const len = text.length;
    let start = 0;
    if (this.skipLF) {
      this.skipLF = false;
      if (len > 0 && text.charCodeAt(0) === LF) start = 1;
    }
    let cr = text.indexOf("\r", start); // -1 for nearly every real stream: LF-only is the fast path
    while (start < len) {
      const lf = text.indexOf("\n", start);
      if (cr !== -1 && cr < start) cr = text.indexOf("\r", start);
      let end: number;
      let next: number;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        end = cr;
        if (cr + 1 < len) next = text.charCodeAt(cr + 1) === LF ? cr + 2 : cr + 1;
        else {
          next = len;
          this.skipLF = true;
        }
      } else if (lf !== -1) {
        end = lf;
        next = lf + 1;
      } else {
        this.partial = this.partial ? this.partial + text.slice(start) : text.slice(start);
        return;
      }
      let line = text.slice(start, end);
      if (this.partial) {
        line = this.partial + line;
        this.partial = "";
      }
      this.line(line);
      start = next;
    }
  }

  private line(line: string): void {
    if (line.length === 0) {
      this.dispatch();
      return;
    }
    const colon = line.indexOf(":");
    if (colon === 0) return; // comment (keep-alives such as ": ping")
    const nameEnd = colon === -1 ? line.length : colon;
    let valueStart = colon === -1 ? line.length : colon + 1;
    if (valueStart < line.length && line.charCodeAt(valueStart) === SPACE) valueStart++;
    if (nameEnd === 4 && line.startsWith("data")) {
      const value = line.slice(valueStart);
      this.data = this.hasData ? `${this.data}\n${value}` : value;
      this.hasData = true;
    } else if (nameEnd === 5 && line.startsWith("event")) {
      this.event = line.slice(valueStart);
    }
    // id and retry only matter to browsers reconnecting; a proxied stream is never resumed.
  }

  private dispatch(): void {
    if (this.hasData) this.onEvent({ event: this.event || undefined, data: this.data });
    this.data = "";
    this.hasData = false;
    this.event = undefined;
  }
}

/** Parses a whole stream at once: for tests and small bodies. */
export function parseSse(text: string | Uint8Array): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = new SseParser((e) => events.push(e));
  parser.push(text);
  parser.end();
  return events;
}

/** Events of a fetch body as they arrive, for a client that reads a stream (the CLI's `logs -f`). */
export async function* readSse(body: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const events: SseEvent[] = [];
  const parser = new SseParser((e) => events.push(e));
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    parser.push(chunk);
    if (events.length > 0) yield* events.splice(0);
  }
  parser.end();
  yield* events.splice(0);
}

/** One event. Data with line breaks becomes several `data:` lines, as the format requires. */
export function encodeSse(data: string, event?: string): string {
  const head = event ? `event: ${event}\n` : "";
  if (data.indexOf("\n") === -1 && data.indexOf("\r") === -1) return `${head}data: ${data}\n\n`;
  return `${head}data: ${data.split(/\r\n|\r|\n/).join("\ndata: ")}\n\n`;
}

/** JSON.stringify never emits a raw line break, so the line check is skipped. */
export function encodeSseJson(value: unknown, event?: string): string {
  return event ? `event: ${event}\ndata: ${JSON.stringify(value)}\n\n` : `data: ${JSON.stringify(value)}\n\n`;
}

/** The OpenAI stream terminator. */
export const SSE_DONE = "data: [DONE]\n\n";
