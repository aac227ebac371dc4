/**
 * The project's OpenTofu and its CLI configuration, as `npm run setup` builds
 * them (scripts/setup.sh). Versions and the mirror host come from
 * scripts/toolchain.env, their one owner.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ensureOpsBuild } from "./ops-build";

export const ROOT = path.resolve(__dirname, "..");

/** A value from scripts/toolchain.env (plain KEY=VALUE lines). */
export function toolchainVar(name: string): string {
  const text = fs.readFileSync(path.join(ROOT, "scripts/toolchain.env"), "utf8");
  const m = new RegExp(`^${name}=(.*)$`, "m").exec(text);
  if (!m) throw new Error(`${name} is not set in scripts/toolchain.env`);
  return m[1];
}

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return (
    env.FLY_K3S_CACHE ??
    path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "fly-k3s")
  );
}

export interface Toolchain {
  /** The tofu (or, with FLY_K3S_USE_REGISTRY=1, terraform) binary. */
  readonly binary: string;
  /** Environment for it and for cdktf: TERRAFORM_BINARY_NAME, TF_CLI_CONFIG_FILE, FLY_K3S_OPS_JS. */
  readonly env: Record<string, string>;
}

/**
 * The toolchain to run. Throws, saying what to run, when `npm run setup` has
 * not built it (or, with FLY_K3S_USE_REGISTRY=1, when none is on PATH).
 */
export function toolchain(env: NodeJS.ProcessEnv = process.env): Toolchain {
  if (env.FLY_K3S_USE_REGISTRY === "1") {
    for (const name of ["tofu", "terraform"]) {
      for (const dir of (env.PATH ?? "").split(path.delimiter)) {
        const bin = path.join(dir, name);
        if (dir && fs.existsSync(bin)) {
          return {
            binary: bin,
            env: {
              TERRAFORM_BINARY_NAME: bin,
              CHECKPOINT_DISABLE: "1",
              FLY_K3S_OPS_JS: ensureOpsBuild(ROOT, cacheDir(env)),
            },
          };
        }
      }
    }
    throw new Error("FLY_K3S_USE_REGISTRY=1 but neither tofu nor terraform is on PATH");
  }
  const cache = cacheDir(env);
  const binary = path.join(cache, `tofu-${toolchainVar("TOFU_VERSION")}`, "tofu");
  if (!fs.existsSync(binary)) {
    throw new Error(`OpenTofu ${toolchainVar("TOFU_VERSION")} is not built yet: run npm run setup`);
  }
  for (const [addr, versionVar] of [
    ["stategraph/fly", "FLY_PROVIDER_VERSION"],
    ["hashicorp/null", "NULL_PROVIDER_VERSION"],
  ]) {
    const version = toolchainVar(versionVar);
    const dir = path.join(cache, "provider-mirror", toolchainVar("MIRROR_HOST"), addr, version);
    if (!fs.existsSync(dir)) {
      throw new Error(
        `provider ${addr} ${version} is not installed: run npm run setup (README "Providers" says where it comes from)`,
      );
    }
  }
  const cliConfig = path.join(cache, "tofu.tfrc");
  return {
    binary,
    env: {
      TERRAFORM_BINARY_NAME: binary,
      TF_CLI_CONFIG_FILE: cliConfig,
      // `providers lock` (cdktf runs it on a stack without a lock file) ignores
      // the CLI configuration's mirror and asks the registry: name the mirror.
      TF_CLI_ARGS_providers_lock: `-fs-mirror=${path.join(cache, "provider-mirror")}`,
      CHECKPOINT_DISABLE: "1",
      // bin/fly-machines runs this build instead of starting ts-node per step.
      FLY_K3S_OPS_JS: ensureOpsBuild(ROOT, cache),
    },
  };
}

export interface RunResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: Record<string, string>;
  /** Copy the output to this process's stdout/stderr as it comes. @default false */
  readonly echo?: boolean;
}

/** Runs a command without blocking the event loop; resolves with its output and exit code. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d;
      if (opts.echo) process.stdout.write(d);
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d;
      if (opts.echo) process.stderr.write(d);
    });
    child.on("error", (e) => resolve({ status: 127, stdout, stderr: stderr + e.message }));
    child.on("close", (code) => resolve({ status: code ?? 1, stdout, stderr }));
  });
}
