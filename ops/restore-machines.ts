/**
 * What the restore (ops/restore.ts) does to one machine: start, stop or
 * restart it under a lease (every mutation carries the lease's nonce, as Fly
 * asks), write or remove a file on its volume through exec, ask whether a
 * file is there, and wait until it answers exec after a start. Each action is
 * said in one log line naming the machine.
 */
import { Lease, Machine } from "../contract/machines-api-types";
import { ask, execOrFail } from "./exec";
import { acquireLeaseWhenFree } from "./lease";
import { Log } from "./log";
import { MachinesApi } from "./machines-api";
import { poll } from "./poll";
import { BOOT_ID_FILE } from "./roll";

/** How long a start or stop may take (Fly's stop_config gives k3s 120 s to leave). */
const STATE_TIMEOUT_SEC = 300;
const LEASE_TTL_SEC = 300;

/** `app/name (id)`: how the log names a machine. */
export const where = (app: string, m: Pick<Machine, "id" | "name">): string =>
  `${app}/${m.name} (${m.id})`;

const enc = encodeURIComponent;

function stopRequest(api: MachinesApi, app: string, id: string, lease: Lease): Promise<unknown> {
  return api.request("POST", `/apps/${enc(app)}/machines/${enc(id)}/stop`, undefined, {
    "fly-machine-lease-nonce": lease.nonce,
  });
}

/** Runs `f` under a lease on the machine, released after (an expired one expires by itself). */
async function leased<T>(
  api: MachinesApi,
  app: string,
  m: Machine,
  log: Log,
  f: (lease: Lease) => Promise<T>,
): Promise<T> {
  const lease = await acquireLeaseWhenFree(api, app, m, LEASE_TTL_SEC, "fly-k3s restore", log);
  try {
    return await f(lease);
  } finally {
    await api.releaseLease(app, m.id, lease).catch((e: Error) => {
      log(`machine ${where(app, m)}: lease release failed (${e.message}); it expires by itself`);
    });
  }
}

async function stopLeased(api: MachinesApi, app: string, id: string, lease: Lease) {
  // The current version: waiting on an older one's stop would answer at once.
  const fresh = await api.getMachine(app, id);
  await stopRequest(api, app, id, lease);
  await api.waitForState(app, id, "stopped", STATE_TIMEOUT_SEC, fresh.instance_id);
}

async function startLeased(api: MachinesApi, app: string, id: string, lease: Lease) {
  await api.startMachine(app, id, lease);
  await api.waitForState(app, id, "started", STATE_TIMEOUT_SEC);
}

/** Starts a machine that is not running, and says why. */
export async function startMachine(
  api: MachinesApi,
  app: string,
  m: Machine,
  why: string,
  log: Log,
): Promise<void> {
  await leased(api, app, m, log, (lease) => startLeased(api, app, m.id, lease));
  log(`machine ${where(app, m)}: started (${why})`);
}

/** Stops a machine (a stopped one is left as it is) and says so. */
export async function stopMachine(
  api: MachinesApi,
  app: string,
  m: Machine,
  why: string,
  log: Log,
): Promise<void> {
  const state = (await api.getMachine(app, m.id)).state;
  if (state === "stopped") {
    log(`machine ${where(app, m)}: already stopped (${why})`);
    return;
  }
  await leased(api, app, m, log, (lease) => stopLeased(api, app, m.id, lease));
  log(`machine ${where(app, m)}: stopped (${why})`);
}

/** Restarts a started machine (stop, then start, under one lease), or starts one that is not. */
export async function restartMachine(
  api: MachinesApi,
  app: string,
  m: Machine,
  why: string,
  log: Log,
): Promise<"restarted" | "started"> {
  const running = (await api.getMachine(app, m.id)).state === "started";
  await leased(api, app, m, log, async (lease) => {
    if (running) await stopLeased(api, app, m.id, lease);
    await startLeased(api, app, m.id, lease);
  });
  log(
    `machine ${where(app, m)}: ${running ? "restarted (stopped, then started)" : "started"} (${why})`,
  );
  return running ? "restarted" : "started";
}

/** Waits until a started machine answers exec; answers its boot id. */
export function waitExec(
  api: MachinesApi,
  app: string,
  m: Machine,
  timeoutSec: number,
  log: Log,
): Promise<string> {
  return poll(
    `${app}/${m.name} to answer exec`,
    timeoutSec,
    async () => {
      const r = await api.exec(app, m.id, ["cat", BOOT_ID_FILE]).catch(() => undefined);
      return r && r.exit_code === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
    },
    log,
  );
}

/** Removes files from a machine's volume (absent ones too). */
export async function removeFilesOn(
  api: MachinesApi,
  app: string,
  m: Machine,
  files: readonly string[],
): Promise<void> {
  await execOrFail(api, m, app, ["rm", "-f", ...files]);
}

/** Whether a non-empty file is there: undefined when the machine could not be asked. */
export async function hasFile(
  api: MachinesApi,
  app: string,
  m: Machine,
  file: string,
): Promise<boolean | undefined> {
  const r = await ask(api, app, m, ["test", "-s", file]);
  if (!r.answered || r.exitCode > 1) return undefined;
  return r.exitCode === 0;
}

/** A file's content, or undefined when it is absent, empty or cannot be read. */
export async function readFileOn(
  api: MachinesApi,
  app: string,
  m: Machine,
  file: string,
): Promise<string | undefined> {
  const r = await ask(api, app, m, ["cat", file]);
  return r.answered && r.exitCode === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
}
