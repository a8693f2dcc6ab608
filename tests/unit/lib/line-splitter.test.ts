import { describe, expect, it } from "vitest";
import { LineSplitter, toLines } from "../../../lib/line-splitter";

describe("toLines", () => {
  it.each([
    ["", []],
    ["\n", [""]],
    ["one", ["one"]],
    ["one\n", ["one"]],
    ["one\ntwo", ["one", "two"]],
    ["one\r\ntwo\r\n", ["one", "two"]],
    ["a\n\nb\n", ["a", "", "b"]],
    ["lone\rcr\n", ["lone\rcr"]],
  ])("%j → %j", (text, lines) => {
    expect(toLines(text)).toEqual(lines);
  });
});

describe("LineSplitter", () => {
  const text = "GPU 0, 45\r\nGPU 1, 50\n\nWARNING: infoROM is corrupted\nlast";
  const whole = ["GPU 0, 45", "GPU 1, 50", "", "WARNING: infoROM is corrupted"];

  it("gives the same lines wherever the chunks are cut, CRLF included", () => {
    for (let a = 0; a <= text.length; a++) {
      for (let b = a; b <= text.length; b++) {
        const s = new LineSplitter();
        const lines = [...s.push(text.slice(0, a)), ...s.push(text.slice(a, b)), ...s.push(text.slice(b))];
        expect(lines, `cut at ${a} and ${b}`).toEqual(whole);
        expect(s.partial).toBe("last");
        expect(s.flush()).toEqual(["last"]);
        expect(s.flush()).toEqual([]);
      }
    }
  });

  it.each([
    ["no cap: a long partial line is kept whole", {}, "x".repeat(100), "x".repeat(100)],
    ["a partial line past the cap keeps only its tail", { maxLineChars: 10, keepChars: 4 }, "abcdefghijklmnop", "mnop"],
    ["a partial line at the cap is kept", { maxLineChars: 10, keepChars: 4 }, "abcdefghij", "abcdefghij"],
    ["without keepChars the cap is what is kept", { maxLineChars: 5 }, "abcdefgh", "defgh"],
  ])("%s", (_name, options, chunk, partial) => {
    const s = new LineSplitter(options);
    expect(s.push(chunk)).toEqual([]);
    expect(s.partial).toBe(partial);
  });

  it("a capped line still ends as a line when its newline comes", () => {
    const s = new LineSplitter({ maxLineChars: 10, keepChars: 4 });
    s.push("abcdefghijklmnop");
    expect(s.push("q\nnext")).toEqual(["mnopq"]);
    expect(s.partial).toBe("next");
  });
});
