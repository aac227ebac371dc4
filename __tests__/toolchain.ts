/** The project's built toolchain, as tests see it (mirrors scripts/lib.sh). */
import { execFile, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { ROOT } from "./scratch-clusters";

export { ROOT };

export function toolchainVar(name: string): string {
  const text = fs.readFileSync(path.join(ROOT, "scripts/toolchain.env"), "utf8");
  const m = new RegExp(`^${name}=(.*)$`, "m").exec(text);
  if (!m) throw new Error(`${name} not in toolchain.env`);
  return m[1];
}

const cache =
  process.env.FLY_K3S_CACHE ??
  path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "fly-k3s");

/** The OpenTofu binary `npm run setup` builds. */
export const TOFU_BINARY = path.join(cache, `tofu-${toolchainVar("TOFU_VERSION")}`, "tofu");
/** The CLI configuration (provider mirror) `npm run setup` writes. */
export const TOFU_CLI_CONFIG = path.join(cache, "tofu.tfrc");

const PROVIDERS = {
  fly: ["stategraph/fly", "FLY_PROVIDER_VERSION"],
  null: ["hashicorp/null", "NULL_PROVIDER_VERSION"],
} as const;

function providerInstalled(addr: string, version: string): boolean {
  const dir = path.join(cache, "provider-mirror", toolchainVar("MIRROR_HOST"), addr, version);
  return fs.existsSync(dir) && fs.readdirSync(dir).length > 0;
}

/**
 * Throws, naming what is missing and what to run, unless OpenTofu and the
 * named providers are installed. Suites call it in beforeAll: a missing tool
 * fails them with its reason; nothing is ever skipped.
 */
export function requireToolchain(names: (keyof typeof PROVIDERS)[] = ["fly", "null"]): void {
  const missing: string[] = [];
  if (!fs.existsSync(TOFU_BINARY)) missing.push(`OpenTofu ${toolchainVar("TOFU_VERSION")}`);
  for (const n of names) {
    const [addr, versionVar] = PROVIDERS[n];
    const version = toolchainVar(versionVar);
    if (!providerInstalled(addr, version)) missing.push(`provider ${addr} ${version}`);
  }
  if (missing.length > 0) {
    throw new Error(
      `not installed in ${cache}: ${missing.join(", ")}; run npm run setup (it builds them and says why it cannot)`,
    );
  }
}

/** Runs the project's tofu (scripts/tofu.sh) with extra environment. */
export function tofu(args: string[], env: Record<string, string> = {}, cwd = ROOT) {
  return spawnSync("bash", [path.join(ROOT, "scripts/tofu.sh"), ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, CHECKPOINT_DISABLE: "1", ...env },
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
  return new Promise<TofuResult>((resolve) => {
    execFile(
      "bash",
      [path.join(ROOT, "scripts/tofu.sh"), ...args],
      { cwd, env: { ...process.env, CHECKPOINT_DISABLE: "1", ...env }, maxBuffer: 64 << 20 },
      (err, stdout, stderr) =>
        resolve({ status: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
