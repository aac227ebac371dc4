/**
 * The project's OpenTofu and its CLI configuration, as `npm run setup` builds
 * them (scripts/setup.sh). Versions and the mirror host come from
 * scripts/toolchain.env, their one owner; paths in the cache from
 * contract/cache-layout.ts.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CachePath, cachePath, cacheRoot } from "../contract/cache-layout";
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
  return cacheRoot(env, os.homedir());
}

/** A path in the cache (contract/cache-layout.ts), its versions from scripts/toolchain.env. */
export function inCache(name: CachePath, env: NodeJS.ProcessEnv = process.env): string {
  return cachePath(cacheDir(env), name, toolchainVar);
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
              FLY_K3S_OPS_JS: ensureOpsBuild(ROOT, inCache("OPS_JS_DIR", env)),
            },
          };
        }
      }
    }
    throw new Error("FLY_K3S_USE_REGISTRY=1 but neither tofu nor terraform is on PATH");
  }
  const binary = inCache("TOFU_BIN", env);
  const mirror = inCache("MIRROR_DIR", env);
  if (!fs.existsSync(binary)) {
    throw new Error(`OpenTofu ${toolchainVar("TOFU_VERSION")} is not built yet: run npm run setup`);
  }
  for (const [addr, versionVar] of [
    ["stategraph/fly", "FLY_PROVIDER_VERSION"],
    ["hashicorp/null", "NULL_PROVIDER_VERSION"],
  ]) {
    const version = toolchainVar(versionVar);
    const dir = path.join(mirror, toolchainVar("MIRROR_HOST"), addr, version);
    if (!fs.existsSync(dir)) {
      throw new Error(
        `provider ${addr} ${version} is not installed: run npm run setup (README "Providers" says where it comes from)`,
      );
    }
  }
  const cliConfig = inCache("TF_CLI_CONFIG", env);
  return {
    binary,
    env: {
      TERRAFORM_BINARY_NAME: binary,
      TF_CLI_CONFIG_FILE: cliConfig,
      // `providers lock` (cdktf runs it on a stack without a lock file) ignores
      // the CLI configuration's mirror and asks the registry: name the mirror.
      TF_CLI_ARGS_providers_lock: `-fs-mirror=${mirror}`,
      CHECKPOINT_DISABLE: "1",
      // bin/fly-machines runs this build instead of starting ts-node per step.
      FLY_K3S_OPS_JS: ensureOpsBuild(ROOT, inCache("OPS_JS_DIR", env)),
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
