/** The project's built toolchain, as tests see it (cli/toolchain.ts owns it). */
import { execFile, spawnSync } from "child_process";
import { ROOT, toolchain, toolchainVar } from "../cli/toolchain";

export { ROOT, toolchainVar };

/**
 * Throws, naming what is missing and what to run, unless OpenTofu and the
 * providers are installed. Suites call it in beforeAll: a missing tool fails
 * them with its reason; nothing is ever skipped.
 */
export function requireToolchain(): void {
  tools();
}

/** The project's tofu and its environment (cli/toolchain.ts), ignoring FLY_K3S_USE_REGISTRY. */
function tools() {
  return toolchain({ ...process.env, FLY_K3S_USE_REGISTRY: "" });
}

/** Runs the project's tofu with extra environment. */
export function tofu(args: string[], env: Record<string, string> = {}, cwd = ROOT) {
  const t = tools();
  return spawnSync(t.binary, args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, ...t.env, ...env },
  });
}

export interface TofuResult {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the project's tofu without blocking the event loop: needed whenever the
 * local Fly runs in the test's own process and must answer the provider.
 */
export function tofuAsync(args: string[], env: Record<string, string> = {}, cwd = ROOT) {
  const t = tools();
  return new Promise<TofuResult>((resolve) => {
    execFile(
      t.binary,
      args,
      { cwd, env: { ...process.env, ...t.env, ...env }, maxBuffer: 64 << 20 },
      (err, stdout, stderr) =>
        resolve({ status: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
