import { describe, expect, it } from "vitest";
import { readBodyFields, withModel } from "../../../server/gateway/body-fields";

const read = (s: string) => readBodyFields(Buffer.from(s));

describe("body fields", () => {
  it("reads the top-level model and stream only", () => {
    const body = { messages: [{ role: "user", content: [{ type: "text", text: '"model": "nested", "stream": true' }], model: "nested" }], model: "claude-sonnet-4-5", stream: true, metadata: { model: "x" } };
    const f = read(JSON.stringify(body))!;
    expect(f.model).toBe("claude-sonnet-4-5");
    expect(f.stream).toBe(true);
  });

  it("handles whitespace, escapes and unicode", () => {
    const f = read(' {\n  "stream" : false ,\n  "x": "a\\"b\\\\", "model" : "m\\u00e9-ü"\n} ')!;
    expect(f).toMatchObject({ model: "mé-ü", stream: false });
    expect(read('{"stream": null}')!.stream).toBe(false);
    expect(read('{"model": 5}')!.model).toBeNull();
    expect(read("{}")!.model).toBeUndefined();
  });

  it("returns null for what is not a JSON object", () => {
    for (const bad of ["[1]", "", "nope", '{"model": "x"', '{"model" "x"}', '{"a": [1, 2}', '{"model":"x"} {"model":"y"}', "{}x", '{"model": "a\nb"}', '{"mo\tdel": "a"}']) expect(read(bad)).toBeNull();
  });

  // What the key's allow-list and the routing read must be what the backend's JSON parser reads.
  it("reads keys as a JSON parser does, and refuses model or stream given twice", () => {
    expect(read('{"mod\\u0065l": "big"}')!.model).toBe("big");
    expect(read('{"\\u0073tream": true}')!.stream).toBe(true);
    expect(() => read('{"model": "small", "messages": [], "mod\\u0065l": "big"}')).toThrow(/"model" more than once/);
    expect(() => read('{"model": "a", "model": "b"}')).toThrow(/"model" more than once/);
    expect(() => read('{"stream": false, "str\\u0065am": true}')).toThrow(/"stream" more than once/);
    expect(() => read('{"stream": "true"}')).toThrow(/stream: must be true or false/);
    expect(() => read('{"stream": 1}')).toThrow(/stream: must be true or false/);
    expect(read('{"models": "x", "model\\u0073": "y", "model": "m"}')!.model).toBe("m");
    // Go's parser reads any casing as the same key (the last one wins): refused, escaped or not.
    for (const key of ["MODEL", "Model", "\\u004dodel", "STREAM", "\u017ftream"]) {
      expect(() => read(`{"model": "small", "${key}": "big"}`), key).toThrow(/backends differ/);
    }
    expect(read('{"modes": 1, "Models": 2, "stre4m": 3, "model": "m"}')!.model).toBe("m");
  });

  it("rewrites the model and keeps every other byte", () => {
    const text = '{"model":"alias","temperature":0.10000000000000001,"messages":[{"role":"user","content":"héllo"}],"stream":true}';
    const buf = Buffer.from(text);
    const out = withModel(buf, readBodyFields(buf)!, "zai-org/GLM-4.5-Air");
    expect(out.toString()).toBe(text.replace('"alias"', '"zai-org/GLM-4.5-Air"'));
    expect(withModel(buf, readBodyFields(buf)!, "alias")).toBe(buf);
  });

  it("rewrites the model wherever it stands, with names that need escaping, past its cache of names", () => {
    const names = ['say "hi"\\ ✓', "a/b", ...Array.from({ length: 1_100 }, (_, i) => `model-${i}`), 'say "hi"\\ ✓'];
    const bodies = ['{"model":"x"}', '{ "model" : "x" , "messages": [] }', '{"messages":[{"role":"user","content":"é"}],"model":"x"}'];
    for (const text of bodies) {
      const buf = Buffer.from(text);
      for (const name of names) {
        const out = withModel(buf, readBodyFields(buf)!, name);
        expect(JSON.parse(out.toString())).toEqual({ ...JSON.parse(text), model: name });
      }
    }
  });

  it("agrees with JSON.parse on generated bodies", () => {
    for (let i = 0; i < 200; i++) {
      const body: Record<string, unknown> = { ["k" + i]: { model: "inner", list: [i, "s\"\\", { stream: true }] } };
      if (i % 2) body.model = `m-${i}-✓`;
      if (i % 3) body.stream = i % 5 === 0;
      const f = read(JSON.stringify(body, null, i % 4))!;
      expect(f.model).toBe(body.model);
      expect(f.stream).toBe(body.stream === true);
    }
  });
});
