import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FitError } from "../../../fit/errors";
import { resolveModelFacts } from "../../../fit/model-source";
import { writeTinyLlamaGguf } from "../../fixtures/gguf/writer";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "fit-source-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("MODEL → facts", () => {
  it("a GGUF file", async () => {
    const file = join(dir, "m.gguf");
    await writeTinyLlamaGguf(file);
    expect((await resolveModelFacts(file)).source).toBe("gguf");
  });

  it("a Hugging Face folder", async () => {
    const folder = join(dir, "hf");
    await mkdir(folder);
    await writeFile(join(folder, "config.json"), JSON.stringify({ model_type: "llama", num_hidden_layers: 2, hidden_size: 64, num_attention_heads: 4 }));
    expect((await resolveModelFacts(folder)).source).toBe("hf");
  });

  it("a repo id the catalog knows", async () => {
    expect((await resolveModelFacts("Qwen/Qwen3-8B")).source).toBe("catalog");
  });

  it("a missing GGUF path says the file is missing", async () => {
    const e = (await resolveModelFacts(join(dir, "typo.gguf")).catch((x: unknown) => x)) as FitError;
    expect(e.reason).toBe("file_unreadable");
  });

  it("anything else is unknown, with a hint", async () => {
    const e = (await resolveModelFacts("someone/new-model").catch((x: unknown) => x)) as FitError;
    expect(e).toBeInstanceOf(FitError);
    expect(e.reason).toBe("model_unknown");
    expect(e.code).toBe("not_found");
    expect(e.message).toMatch(/someone\/new-model: not a GGUF file, not a model folder, and not in the offline catalog/);
  });
});
