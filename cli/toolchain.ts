/**
 * The project's OpenTofu and its CLI configuration, in the mode `npm run
 * setup` chose and remembered (scripts/setup.sh; contract/setup-mode.ts):
 * offline, what it built into the cache; online, OpenTofu from PATH with the
 * providers from the OpenTofu registry. Versions and the mirror host come
 * from scripts/toolchain.env, their one owner; paths in the cache from
 * contract/cache-layout.ts.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CachePath, cachePath, cacheRoot } from "../contract/cache-layout";
import { OPS_COMMAND_ENV } from "../contract/fly-machines-call";
import { RememberedSetup, effectiveMode, parseSetupMode } from "../contract/setup-mode";
import { ensureOpsBuild } from "./ops-build";

export const ROOT = path.resolve(__dirname, "..");

/** This checkout's bin/fly-machines, which the stack's steps run (OPS_COMMAND_ENV). */
export const OPS_COMMAND = path.join(ROOT, "bin", "fly-machines");

/**
 * FLYCTL_PATH for the stategraph/fly provider when flyctl is not installed:
 * bin/no-flyctl. The provider warns "flyctl not found" at every run otherwise,
 * though it needs flyctl only for resources no fly-k3s stack declares (its
 * FindBinary takes a configured path as it is). Empty when FLYCTL_PATH is set
 * or flyctl (or fly) is on PATH: then the provider finds it itself.
 */
export function flyctlEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  if (env.FLYCTL_PATH || onPath("flyctl", env) || onPath("fly", env)) return {};
  return { FLYCTL_PATH: path.join(ROOT, "bin", "no-flyctl") };
}

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
  /** The tofu binary: the one npm run setup built (offline) or the one on PATH (online). */
  readonly binary: string;
  /**
   * Environment for it and for cdktf: TERRAFORM_BINARY_NAME, TF_CLI_CONFIG_FILE
   * (offline), FLY_K3S_OPS_COMMAND (this checkout's bin/fly-machines, which the
   * stack's steps run: the stack names no path) and FLY_K3S_OPS_JS.
   */
  readonly env: Record<string, string>;
}

/** What `npm run setup` remembered (contract/setup-mode.ts); undefined before it ran. */
export function rememberedSetup(env: NodeJS.ProcessEnv = process.env): RememberedSetup | undefined {
  const file = inCache("SETUP_MODE_FILE", env);
  if (!fs.existsSync(file)) return undefined;
  return parseSetupMode(fs.readFileSync(file, "utf8"), file);
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  return (env.PATH ?? "")
    .split(path.delimiter)
    .map((dir) => dir && path.join(dir, name))
    .find((bin) => bin && fs.existsSync(bin));
}

/**
 * The toolchain to run, in the mode `npm run setup` chose (FLY_K3S_USE_REGISTRY=1
 * or =0 overrides it): offline, the OpenTofu and provider mirror setup built
 * in the cache; online, `tofu` from PATH with the providers from the OpenTofu
 * registry. Throws, saying what to run, when the mode's toolchain is missing.
 */
export function toolchain(env: NodeJS.ProcessEnv = process.env): Toolchain {
  const remembered = rememberedSetup(env);
  const chosen = effectiveMode(env, remembered) ?? {
    mode: "offline",
    source: "npm run setup has not chosen a mode here yet",
  };
  if (chosen.mode === "online") {
    const bin =
      onPath("tofu", env) ??
      (remembered?.tofu && fs.existsSync(remembered.tofu) ? remembered.tofu : undefined);
    if (!bin) {
      throw new Error(
        `online mode (${chosen.source}) runs OpenTofu from PATH, and there is no tofu on PATH: install OpenTofu >= ${toolchainVar("ONLINE_TOFU_MIN")} (README, "On your laptop") and run npm run setup again`,
      );
    }
    // Each stack downloads the providers once, not once per stack.
    const pluginCache = inCache("PLUGIN_CACHE_DIR", env);
    fs.mkdirSync(pluginCache, { recursive: true });
    return {
      binary: bin,
      env: {
        TERRAFORM_BINARY_NAME: bin,
        TF_PLUGIN_CACHE_DIR: pluginCache,
        CHECKPOINT_DISABLE: "1",
        ...flyctlEnv(env),
        [OPS_COMMAND_ENV]: OPS_COMMAND,
        FLY_K3S_OPS_JS: ensureOpsBuild(ROOT, inCache("OPS_JS_DIR", env)),
      },
    };
  }
  const binary = inCache("TOFU_BIN", env);
  const mirror = inCache("MIRROR_DIR", env);
  if (!fs.existsSync(binary)) {
    throw new Error(
      remembered || env.FLY_K3S_USE_REGISTRY === "0"
        ? `OpenTofu ${toolchainVar("TOFU_VERSION")} is not built yet (offline mode: ${chosen.source}): run npm run setup`
        : "fly-k3s is not set up on this machine yet: run npm run setup (it chooses the offline or the online toolchain and says which)",
    );
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
      ...flyctlEnv(env),
      [OPS_COMMAND_ENV]: OPS_COMMAND,
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
