/**
 * The llama.cpp root filesystem that scripts/test-deps/llama-image.sh builds (Debian sid minbase +
 * llama.cpp-tools). Tests run its programs with chroot, without Docker: llama-server, llama-quantize.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { realComponentsRequired } from "./docker";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const LLAMA_ROOTFS = process.env.SWITCHYARD_LLAMA_ROOTFS ?? path.join(root, ".cache/llama-rootfs");

/** Inside the root filesystem; the image import leaves it out. */
const STAGE_DIR = "switchyard-models";

/** Null when chroot runs can work, else why not. Throws instead when real components are required. */
export async function rootfsSkipReason(): Promise<string | null> {
  let reason: string | null = null;
  if (process.env.SWITCHYARD_TEST_NO_LLAMA === "1") reason = "SWITCHYARD_TEST_NO_LLAMA=1";
  else if (process.getuid?.() !== 0) reason = "chroot needs root";
  else if (!(await fs.stat(path.join(LLAMA_ROOTFS, ".switchyard-recipe")).catch(() => null))) {
    reason = `no llama.cpp root filesystem at ${LLAMA_ROOTFS} (run scripts/install-test-deps.sh)`;
  }
  if (reason && realComponentsRequired() && process.env.SWITCHYARD_TEST_NO_LLAMA !== "1") {
    throw new Error(`chroot llama.cpp tests cannot run: ${reason}`);
  }
  return reason;
}

export interface StagedFile {
  /** The path as programs inside the root filesystem see it. */
  inside: string;
  /** The same file on the host. */
  host: string;
  /** Deletes the staged copy (idempotent). */
  remove(): Promise<void>;
}

/**
 * Makes a host file visible inside the root filesystem: a hard link when both are on one filesystem
 * (instant, even for large models), else a copy. Not a bind mount: a test that dies would leave the
 * mount behind.
 */
export async function stageIntoRootfs(hostFile: string): Promise<StagedFile> {
  const dir = path.join(STAGE_DIR, randomUUID().slice(0, 8));
  await fs.mkdir(path.join(LLAMA_ROOTFS, dir), { recursive: true });
  const inside = "/" + path.join(dir, path.basename(hostFile));
  const host = path.join(LLAMA_ROOTFS, inside);
  await fs.link(hostFile, host).catch(() => fs.copyFile(hostFile, host));
  return { inside, host, remove: () => fs.rm(path.join(LLAMA_ROOTFS, dir), { recursive: true, force: true }) };
}

/** A directory inside the root filesystem for a program's outputs (e.g. llama-quantize's). */
export async function rootfsScratchDir(): Promise<{ inside: string; host: string; remove(): Promise<void> }> {
  const inside = "/" + path.join(STAGE_DIR, randomUUID().slice(0, 8));
  const host = path.join(LLAMA_ROOTFS, inside);
  await fs.mkdir(host, { recursive: true });
  return { inside, host, remove: () => fs.rm(host, { recursive: true, force: true }) };
}

const run = promisify(execFile);

/**
 * `llama-quantize` from the root filesystem: writes `dst` (a host path) as `type` (Q8_0, Q4_K_M, …).
 * Returns the tool's output (it prints the sizes before and after).
 */
export async function quantizeGguf(src: string, dst: string, type: string): Promise<string> {
  const input = await stageIntoRootfs(src);
  const out = await rootfsScratchDir();
  try {
    const target = path.posix.join(out.inside, path.basename(dst));
    const { stdout, stderr } = await run("chroot", [LLAMA_ROOTFS, "/usr/bin/llama-quantize", input.inside, target, type], {
      maxBuffer: 16 * 1024 * 1024,
    });
    await fs.copyFile(path.join(LLAMA_ROOTFS, target), dst);
    return stdout + stderr;
  } finally {
    await Promise.all([input.remove(), out.remove()]);
  }
}
