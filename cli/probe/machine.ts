/**
 * The probe's throwaway app and machine: created in the cluster's org and
 * region, the smallest size Fly has, no volume, `auto_destroy`, restart
 * policy `no`, and its init replaced by an idle shell so the node image's
 * entrypoint (and k3s) never runs; then destroyed, machine and app, whatever
 * happened in between.
 */
import { MachineGuest, guestOf } from "../../contract/machine-config";
import { VM_SIZES } from "../../config/fly";
import { Machine, MachineConfig } from "../../contract/machines-api-types";
import { MachinesApi, MachinesApiError } from "../../ops/machines-api";

/**
 * What the machine runs instead of the image's entrypoint (Fly's
 * `init.entrypoint` + `init.cmd`, as flyctl's `--entrypoint` sets them; the
 * local Fly honours the same fields): a POSIX shell idling until stopped.
 */
export const IDLE_ENTRYPOINT = ["/bin/sh", "-c"];
export const IDLE_CMD = ["trap 'exit 0' INT TERM; while :; do sleep 1 & wait $!; done"];

/** The smallest size of config/fly.ts: least memory, then fewest CPUs. Pure. */
export function smallestGuest(): MachineGuest {
  const [, s] = [...VM_SIZES].sort(
    ([, a], [, b]) => a.minMemoryMb - b.minMemoryMb || a.cpus - b.cpus,
  )[0];
  return guestOf({ cpuKind: s.cpuKind, cpus: s.cpus, memoryMb: s.minMemoryMb });
}

/** The probe machine's config. Pure. */
export function probeMachineConfig(image: string): MachineConfig {
  return {
    image,
    guest: smallestGuest(),
    auto_destroy: true,
    restart: { policy: "no" },
    init: { entrypoint: IDLE_ENTRYPOINT, cmd: IDLE_CMD },
  };
}

/** The probe app's name belongs to another organization: nothing was created. */
export class ProbeAppNameTaken extends Error {
  constructor(app: string, org: string, owner: string | undefined) {
    super(
      `the Fly app name ${app} is taken${owner ? ` by organization ${owner}` : ""}; the probe needs it in ${org}`,
    );
    this.name = "ProbeAppNameTaken";
  }
}

/** Whether a failed app create may still have made the app (a 5xx or no answer may have). */
export function appMayExist(e: unknown): boolean {
  if (e instanceof ProbeAppNameTaken) return false;
  return !(e instanceof MachinesApiError && e.status < 500);
}

const isStatus = (e: unknown, ...codes: number[]) =>
  e instanceof MachinesApiError && codes.includes(e.status);

/**
 * Creates the probe app. A probe app of the same org left by an earlier,
 * killed probe is deleted first; one of another org is refused.
 */
export async function createProbeApp(
  api: MachinesApi,
  app: string,
  org: string,
  log: (line: string) => void,
): Promise<void> {
  const create = () => api.request("POST", "/apps", { app_name: app, org_slug: org });
  try {
    await create();
    return;
  } catch (e) {
    if (!isStatus(e, 409, 422)) throw e;
  }
  const owner = await api.appOrg(app);
  if (owner !== org) throw new ProbeAppNameTaken(app, org, owner);
  log(`app ${app} is left from an earlier probe: deleting it first`);
  await deleteApp(api, app);
  await create();
}

export function createProbeMachine(
  api: MachinesApi,
  app: string,
  region: string,
  image: string,
): Promise<Machine> {
  return api.request<Machine>("POST", `/apps/${encodeURIComponent(app)}/machines`, {
    region,
    config: probeMachineConfig(image),
  });
}

async function deleteApp(api: MachinesApi, app: string): Promise<void> {
  try {
    await api.request("DELETE", `/apps/${encodeURIComponent(app)}`);
  } catch (e) {
    if (!isStatus(e, 404)) throw e;
  }
}

/**
 * Destroys the machine (forced: it is running) and deletes the app, each
 * tolerating "already gone", and says what it removed. Throws, naming what is
 * left and how to remove it, when either fails.
 */
export async function destroyProbe(
  api: MachinesApi,
  app: string,
  machineId: string | undefined,
  log: (line: string) => void,
): Promise<void> {
  const problems: string[] = [];
  if (machineId) {
    try {
      await api.destroyMachine(app, machineId, true);
      log(`probe machine ${machineId} destroyed`);
    } catch (e) {
      if (isStatus(e, 404)) log(`probe machine ${machineId} was already gone`);
      else problems.push(`machine ${machineId}: ${(e as Error).message}`);
    }
  }
  try {
    await deleteApp(api, app);
    log(`probe app ${app} deleted`);
  } catch (e) {
    problems.push(`app ${app}: ${(e as Error).message}`);
  }
  if (problems.length > 0) {
    throw new Error(
      `the probe could not remove ${problems.join("; ")}; remove the app by hand: fly apps destroy ${app} --yes`,
    );
  }
}
