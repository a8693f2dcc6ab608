import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { entryFromStat, firstTarEntry } from "../../../agents/docker/tar-head";
import { modelMountSource, modelPathRefusal } from "../../../protocol/model-path";

describe("model paths a deployment may mount", () => {
  it.each([
    ["/models/qwen3-8b-Q4_K_M.gguf", "gguf"],
    ["/srv/llm/qwen/model.gguf", "gguf"],
    ["/root/models/tiny.gguf", "gguf"],
    ["/home/me/models/Qwen3-8B", "dir"],
    ["/mnt/disk2/models/glm", "dir"],
    ["/tmp/switchyard-test-x/tiny.gguf", "gguf"],
    ["/models", "dir"],
  ] as const)("allows %s", (p, kind) => expect(modelPathRefusal(p, kind)).toBeNull());

  it.each([
    ["/", "dir", /system directory/],
    ["/etc", "dir", /inside \/etc, a system directory/],
    ["/etc/ssl/private", "dir", /inside \/etc/],
    ["/root", "dir", /system directory/],
    ["/proc/1/root", "dir", /inside \/proc/],
    ["/sys/kernel", "dir", /inside \/sys/],
    ["/dev/sda", "gguf", /inside \/dev/],
    ["/boot/x.gguf", "gguf", /inside \/boot/],
    ["/usr", "dir", /system directory/],
    ["/bin", "dir", /system directory/],
    ["/var/run", "dir", /inside \/var\/run/],
    ["/var/run/docker.sock", "gguf", /inside \/var\/run/],
    ["/run/docker.sock", "gguf", /inside \/run/],
    ["/srv/docker.sock", "gguf", /Docker's socket/],
    ["/var/lib/docker/volumes", "dir", /inside \/var\/lib\/docker/],
    ["/x.gguf", "gguf", /sits directly in \/, and a container gets the whole folder/],
    ["/root/x.gguf", "gguf", /sits directly in \/root.*\/root\/models\//],
    ["/home/x.gguf", "gguf", /sits directly in \/home/],
    ["/etc/passwd.gguf", "gguf", /inside \/etc/],
    ["/models/../etc", "dir", /without '\.', '\.\.' or '\/\/'/],
    ["/models/./x", "dir", /without/],
    ["//etc", "dir", /without/],
    ["/models/a:/etc", "dir", /may not contain ':'/],
    ["/models/a,rw", "dir", /may not contain ':' or ','/],
    ["/models/a\nb", "dir", /control characters/],
    ["models/x.gguf", "gguf", /must be absolute/],
  ] as const)("refuses %j", (p, kind, why) => expect(modelPathRefusal(p, kind)).toMatch(why));

  it("mounts a GGUF file's folder, a model folder itself", () => {
    expect(modelMountSource("/models/a.gguf", "gguf")).toBe("/models");
    expect(modelMountSource("/a.gguf", "gguf")).toBe("/");
    expect(modelMountSource("/models/qwen", "dir")).toBe("/models/qwen");
  });
});

describe("first entry of a tar stream", () => {
  it("reads a file's type and first bytes, a folder's type, past long-name headers", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-tar-"));
    const long = `${"n".repeat(120)}.gguf`;
    fs.writeFileSync(path.join(dir, long), "GGUF and the rest");
    fs.mkdirSync(path.join(dir, "folder"));
    const tar = (name: string, format: string) => execFileSync("tar", ["-c", `--format=${format}`, "-f", "-", "-C", dir, name]);
    for (const format of ["pax", "gnu"]) {
      const file = firstTarEntry(tar(long, format), 4);
      expect(file, format).toMatchObject({ type: "file", size: 17 });
      expect((file as { head: Buffer }).head.toString()).toBe("GGUF");
    }
    expect(firstTarEntry(tar("folder", "pax"), 0)).toMatchObject({ type: "dir" });
    const whole = tar(long, "pax");
    expect(firstTarEntry(whole.subarray(0, 700), 4)).toBe("more");
    expect(firstTarEntry(Buffer.alloc(1024), 4)).toBeNull();
  });
});

describe("a path's stat as Docker's archive HEAD reports it", () => {
  // Captured from dockerd 20.10 (HEAD /containers/ID/archive?path=…) for a bind-mounted folder and a file in it.
  const FOLDER = "eyJuYW1lIjoieCIsInNpemUiOjQwOTYsIm1vZGUiOjIxNDc0ODQxNDEsIm10aW1lIjoiMjAyNi0xMi0wN1QxMjowNjo0Mi4wMzEzMjU3ODJaIiwibGlua1RhcmdldCI6IiJ9";
  const FILE = "eyJuYW1lIjoiaG9zdG5hbWUiLCJzaXplIjozLCJtb2RlIjo0OTMsIm10aW1lIjoiMjAyNi0xMi0wN1QxMTo1NzozNi40NzkzNDQ4OTVaIiwibGlua1RhcmdldCI6IiJ9";
  const encode = (stat: object) => Buffer.from(JSON.stringify(stat)).toString("base64");

  it("tells a folder from a file, with the size", () => {
    expect(entryFromStat(FOLDER)).toMatchObject({ type: "dir", size: 4096 });
    expect(entryFromStat(FILE)).toMatchObject({ type: "file", size: 3 });
  });

  it("tells a link, and still means 'exists' when the header is missing or garbled", () => {
    expect(entryFromStat(encode({ name: "l", size: 4, mode: 2 ** 27 + 0o777 })).type).toBe("symlink");
    expect(entryFromStat("!!not base64 json!!").type).toBe("file");
    expect(entryFromStat(undefined).type).toBe("other");
  });
});
