/**
 * Tells, piece by piece, when streamed tool-call arguments have closed their top-level JSON object —
 * without re-parsing what came before: one pass over each new piece, four integers of state.
 */
const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const SPACE = 32;

export class JsonCompletion {
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** 0: nothing but whitespace yet; 1: inside an object; 2: object closed; 3: not an object — never "complete". */
  private phase = 0;

  get complete(): boolean {
    return this.phase === 2;
  }

  feed(piece: string): void {
    if (this.phase === 3) return;
    for (let i = 0; i < piece.length; i++) {
      const c = piece.charCodeAt(i);
      if (this.inString) {
        // \uXXXX needs no special case: its hex digits contain neither quotes nor backslashes.
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) this.inString = false;
        continue;
      }
      if (c <= SPACE) continue;
      if (this.phase !== 1) {
        // Anything after the object closed, or an opening that is not "{", means we cannot know where it ends.
        this.phase = this.phase === 0 && c === OPEN_BRACE ? 1 : 3;
        if (this.phase === 3) return;
        this.depth = 1;
        continue;
      }
      if (c === QUOTE) this.inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (--this.depth === 0) this.phase = 2;
      }
    }
  }
}
