/**
 * Text → lines, whole or streamed in chunks that may cut a line (or a CRLF) anywhere. The one line
 * splitter for child output and log streams; SSE has its own byte-level parser (lib/sse.ts).
 */

/** Lines of a complete text: CRLF or LF, without a last empty line for a trailing newline. */
export function toLines(text: string): string[] {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

const CR = 13;

export interface LineSplitterOptions {
  /**
   * A partial line longer than this is not a line of the stream (binary noise, a runaway
   * process): it is cut to its last `keepChars`, so memory stays bounded.
   */
  maxLineChars?: number;
  keepChars?: number;
}

/** Streams chunks into whole lines; `flush` returns a trailing partial line. */
export class LineSplitter {
  private rest = "";

  constructor(private readonly options: LineSplitterOptions = {}) {}

  push(chunk: string): string[] {
    const text = this.rest === "" ? chunk : this.rest + chunk;
    const lines: string[] = [];
    let start = 0;
    let nl: number;
    // One indexOf per line over the text, no regex and no intermediate array: the telemetry loop
    // and log follows call this for every chunk.
    while ((nl = text.indexOf("\n", start)) !== -1) {
      const end = nl > start && text.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
      lines.push(text.slice(start, end));
      start = nl + 1;
    }
    this.rest = this.bounded(start === 0 ? text : text.slice(start));
    return lines;
  }

  /** The partial line held so far (for an error message when the stream ends abruptly). */
  get partial(): string {
    return this.rest;
  }

  flush(): string[] {
    const rest = this.rest;
    this.rest = "";
    return rest ? [rest] : [];
  }

  private bounded(text: string): string {
    const max = this.options.maxLineChars;
    return max !== undefined && text.length > max ? text.slice(-(this.options.keepChars ?? max)) : text;
  }
}
