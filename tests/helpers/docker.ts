/**
 * The real Docker Engine for integration tests. scripts/install-test-deps.sh installs and starts it
 * (scripts/test-deps/docker.sh) and imports the llama.cpp image (scripts/test-deps/llama-image.sh);
 * the names below must match the defaults there.
 */
import Docker from "dockerode";

/** The local llama.cpp server image (Debian's llama.cpp-tools; ENTRYPOINT /usr/bin/llama-server). */
export const TEST_IMAGE = process.env.SWITCHYARD_LLAMA_IMAGE ?? "switchyard/llama-cpp:test";

/**
 * STAND-IN for the vLLM and SGLang images (scripts/test-deps/engine-standin.sh): takes their
 * command lines and mimics their start-up health behaviour, then serves with llama-server.
 */
export const STANDIN_IMAGE = process.env.SWITCHYARD_STANDIN_IMAGE ?? "switchyard/engine-standin:test";

/** Every container a test starts carries this label, so a crashed run's leftovers can be found. */
export const TEST_LABEL = "switchyard.test";

let client: Docker | undefined;
export function docker(): Docker {
  client ??= new Docker();
  return client;
}

let available: Promise<boolean> | undefined;
/** Whether a daemon answers (checked once per test file; a ping takes a few ms when it does). */
export function dockerAvailable(): Promise<boolean> {
  available ??= Promise.race([
    docker().ping().then(() => true, () => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 3000).unref()),
  ]);
  return available;
}

export async function imagePresent(image = TEST_IMAGE): Promise<boolean> {
  try {
    await docker().getImage(image).inspect();
    return true;
  } catch {
    return false;
  }
}

/**
 * CI must not skip silently: it runs the install script, so a missing component there is a bug.
 * Set SWITCHYARD_TEST_REQUIRE_REAL=1 (or CI=true) to turn a skip into a failure.
 */
export function realComponentsRequired(): boolean {
  return process.env.SWITCHYARD_TEST_REQUIRE_REAL === "1" || /^(1|true)$/i.test(process.env.CI ?? "");
}

/**
 * Null when the tests can use Docker and the llama.cpp image, else why not (for describe.skipIf and
 * the suite's title). Throws instead when real components are required.
 */
export async function dockerSkipReason(image = TEST_IMAGE): Promise<string | null> {
  let reason: string | null = null;
  if (process.env.SWITCHYARD_TEST_NO_DOCKER === "1") reason = "SWITCHYARD_TEST_NO_DOCKER=1";
  else if (!(await dockerAvailable())) reason = "no Docker daemon answers (run scripts/install-test-deps.sh)";
  else if (!(await imagePresent(image))) reason = `image ${image} is missing (run scripts/install-test-deps.sh)`;
  if (reason && realComponentsRequired() && process.env.SWITCHYARD_TEST_NO_DOCKER !== "1") {
    throw new Error(`Docker tests cannot run: ${reason}`);
  }
  return reason;
}

/**
 * Force-removes every container (running or not) whose labels match, e.g. `{ "switchyard.test": "llama" }`
 * or `"switchyard.deployment"` (label present, any value). Returns how many were removed.
 */
export async function cleanupContainers(labelFilter: string | Record<string, string> = TEST_LABEL): Promise<number> {
  const labels = typeof labelFilter === "string" ? [labelFilter] : Object.entries(labelFilter).map(([k, v]) => `${k}=${v}`);
  const found = await docker().listContainers({ all: true, filters: { label: labels } });
  await Promise.all(
    found.map((c) =>
      docker().getContainer(c.Id).remove({ force: true }).catch((err: { statusCode?: number }) => {
        // 404/409: already gone or being removed by Docker (AutoRemove) — the goal is reached.
        if (err.statusCode !== 404 && err.statusCode !== 409) throw err;
      }),
    ),
  );
  return found.length;
}

/** Whether a container still exists (in any state). */
export async function containerExists(id: string): Promise<boolean> {
  try {
    await docker().getContainer(id).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}
