/**
 * Where deployments go: Fly.io when FLY_API_TOKEN is set, otherwise the local
 * Fly emulator, started in the background when it is not already running.
 *
 *   FLY_K3S_EMULATOR_DIR   emulator state (default ~/.local/share/fly-k3s/emulator)
 *   FLY_K3S_EMULATOR_PORT  API port (default 4280)
 *
 * The emulator's log (with its URL and token, mode 0600) and pid are kept in
 * its state directory (contract/emulator-endpoint.ts).
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  EMULATOR_LOG_FILE,
  EMULATOR_PID_FILE,
  EMULATOR_PORT,
  defaultEmulatorStateDir,
  emulatorFailureLine,
  endpointFromLog,
} from "../contract/emulator-endpoint";
import { DEFAULT_API_URL } from "../ops/machines-api";
import { ROOT, run } from "./toolchain";

export interface Target {
  readonly kind: "fly" | "local";
  readonly apiUrl: string;
  readonly token: string;
  /** Environment for the provider, bin/fly-machines and the state path. */
  readonly env: Record<string, string>;
}

function target(kind: Target["kind"], apiUrl: string, token: string): Target {
  return {
    kind,
    apiUrl,
    token,
    env: { FLY_API_URL: apiUrl, FLY_API_TOKEN: token, FLY_K3S_TARGET: kind },
  };
}

async function answers(url: string, token: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/apps`, { headers: { Authorization: `Bearer ${token}` } });
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Throws, saying what is left and how to do it, unless this host is set up
 * for the local Fly (scripts/host-setup.ts check --local: packages, root, the
 * IPv6 router-advertisement guard). ./k3s.sh never changes the host itself.
 */
async function requireLocalFlyHost(env: NodeJS.ProcessEnv): Promise<void> {
  const r = await run(
    process.execPath,
    [
      "-r",
      path.join(ROOT, "node_modules/ts-node/register/transpile-only"),
      path.join(ROOT, "scripts/host-setup.ts"),
      "check",
      "--local",
    ],
    {
      env: {
        ...(env as Record<string, string>),
        TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json"),
      },
    },
  );
  if (r.status === 0) return;
  throw new Error(
    [
      "FLY_API_TOKEN is not set, so ./k3s.sh would start the local Fly emulator, and this host is not set up for it:",
      r.stderr.trim(),
      "That one-time set-up changes the host, so ./k3s.sh does not make it by itself: as root, run",
      "  npm run setup -- --local",
      "(it prints each change with its reason before making it; npm run setup -- --undo-local reverts them).",
      "Or set FLY_API_TOKEN to deploy to Fly.io.",
    ].join("\n"),
  );
}

/** How long a starting emulator has to answer, and how often it is asked. */
const START_TIMEOUT_MS = 60_000;
const POLL_MS = 250;

/**
 * The running local emulator's endpoint, starting it (detached) when it does
 * not answer. An emulator that exits while starting is reported at once, with
 * the line of its log that says why.
 */
export async function localFly(
  log: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ url: string; token: string }> {
  const dir = env.FLY_K3S_EMULATOR_DIR || defaultEmulatorStateDir(env, os.homedir());
  const port = env.FLY_K3S_EMULATOR_PORT || String(EMULATOR_PORT);
  const logFile = path.join(dir, EMULATOR_LOG_FILE);
  const current = () => {
    const ep = fs.existsSync(logFile)
      ? endpointFromLog(fs.readFileSync(logFile, "utf8"))
      : undefined;
    return ep;
  };
  const up = current();
  if (up && (await answers(up.url, up.token))) return up;
  await requireLocalFlyHost(env);

  // The log holds the API token: keep the directory and the log private.
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  log(`starting the local Fly emulator (state ${dir}, log ${logFile})`);
  const out = fs.openSync(logFile, "w", 0o600);
  // Detached, in its own session with its own log: it outlives this command
  // and a Ctrl-C here does not stop it.
  const child = spawn(
    process.execPath,
    [
      "-r",
      path.join(ROOT, "node_modules/ts-node/register/transpile-only"),
      path.join(ROOT, "emulator/cli.ts"),
      "--state-dir",
      dir,
      "--port",
      port,
    ],
    {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", out, out],
      env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json") },
    },
  );
  // Its end, should it stop before it answers: an emulator that cannot start
  // (no podman, its port taken) says why in its log and exits at once.
  const t0 = Date.now();
  const ended = new Promise<string>((resolve) => {
    child.once("exit", (code, signal) => resolve(signal ? `signal ${signal}` : `exit ${code}`));
    child.once("error", (e) => resolve(e.message));
  });
  child.unref();
  fs.closeSync(out);
  fs.writeFileSync(path.join(dir, EMULATOR_PID_FILE), `${child.pid}\n`);
  const elapsed = () => Date.now() - t0;
  let nextNote = 10_000;
  while (elapsed() < START_TIMEOUT_MS) {
    const how = await Promise.race([ended, sleep(POLL_MS).then(() => undefined)]);
    if (how !== undefined) {
      const text = fs.readFileSync(logFile, "utf8");
      throw new Error(
        `the local Fly emulator stopped while starting (${how}, after ${(elapsed() / 1000).toFixed(1)}s): ` +
          `${emulatorFailureLine(text) ?? "it wrote nothing"}\n(its whole output: ${logFile})`,
      );
    }
    const ep = current();
    if (ep && (await answers(ep.url, ep.token))) return ep;
    if (elapsed() >= nextNote) {
      log(`waiting for the emulator to answer (${nextNote / 1000}s)`);
      nextNote += 10_000;
    }
  }
  const text = fs.readFileSync(logFile, "utf8");
  const tail = text.split("\n").slice(-20).join("\n");
  throw new Error(
    `the local Fly emulator did not answer within ${START_TIMEOUT_MS / 1000}s and is still running (pid ${child.pid}); ` +
      `its log ends:\n${tail}`,
  );
}

/**
 * The Fly.io target when FLY_API_TOKEN is set, else undefined (the local
 * emulator). Pure: starts nothing, so checks can ask before anything runs.
 */
export function flyTarget(env: NodeJS.ProcessEnv = process.env): Target | undefined {
  return env.FLY_API_TOKEN
    ? target("fly", env.FLY_API_URL || DEFAULT_API_URL, env.FLY_API_TOKEN)
    : undefined;
}

/** Fly.io when FLY_API_TOKEN is set, else the local emulator (started if needed). */
export async function chooseTarget(
  log: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Target> {
  const fly = flyTarget(env);
  if (fly) {
    log(`target: Fly.io (${fly.apiUrl})`);
    return fly;
  }
  const ep = await localFly(log, env);
  log(`target: local Fly emulator at ${ep.url}`);
  return target("local", ep.url, ep.token);
}
