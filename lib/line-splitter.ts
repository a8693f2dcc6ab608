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
    const text = this.rest + chunk;
    const cut = text.lastIndexOf("\n");
    if (cut < 0) {
      this.rest = this.bounded(text);
      return [];
    }
    this.rest = this.bounded(text.slice(cut + 1));
    return toLines(text.slice(0, cut + 1));
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
