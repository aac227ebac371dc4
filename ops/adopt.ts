/**
 * Before a deploy's apply (and a destroy): adopt what an interrupted run
 * created on Fly but never recorded in the state, and remove what it created
 * twice.
 *
 * A tofu killed mid-apply (SIGKILL, a lost CI runner), or the provider's
 * create failing after Fly made the machine (it waits once, 60 s, for
 * `started`, and on failure leaves the machine out of the state), leaves
 * machines and volumes on Fly that the state does not know. Applying again
 * would create them a second time. What to import, forget and destroy is
 * decided purely (ops/adopt-plan.ts); `adopt` lists Fly, runs that plan, and
 * writes into the state what the provider's import cannot read back.
 */
import { setTimeout } from "node:timers/promises";
import { ShowState } from "../contract/tofu-state";
import { AdoptAction, LiveApp, patchImported, planAdoption } from "./adopt-plan";
import { pullState, pushState } from "./state-file";
import { Declared, DeclaredResource } from "./declared";
import { MachinesApi, MachinesApiError } from "./machines-api";

export interface AdoptRunner {
  /** Runs the project's tofu in the stack directory. */
  tofu(args: string[]): Promise<{ status: number; stdout: string; stderr: string }>;
  readonly api: MachinesApi;
  readonly log: (line: string) => void;
}

async function listOrNone<T>(f: () => Promise<T[]>): Promise<T[]> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof MachinesApiError && e.status === 404) return [];
    throw e;
  }
}

/** Lists what Fly holds in each declared app. */
export async function liveApps(api: MachinesApi, declared: Declared): Promise<LiveApp[]> {
  const apps = [
    ...new Set([
      ...declared.apps.map((a) => a.name),
      ...[...declared.machines, ...declared.volumes].map((r) => r.app),
    ]),
  ].sort();
  const out: LiveApp[] = [];
  for (const app of apps) {
    const org = await api.appOrg(app);
    out.push({
      app,
      org,
      machines: org === undefined ? [] : await listOrNone(() => api.listMachines(app)),
      volumes: org === undefined ? [] : await listOrNone(() => api.listVolumes(app)),
    });
  }
  return out;
}

/** Waits until Fly reports each machine destroyed (or no longer knows it). */
export async function waitDestroyed(
  api: MachinesApi,
  machines: readonly { app: string; id: string }[],
  log: (line: string) => void,
  timeoutSec = 300,
): Promise<void> {
  const deadline = Date.now() + timeoutSec * 1000;
  let reported = Date.now();
  for (const { app, id } of machines) {
    for (;;) {
      const state = await api
        .getMachine(app, id)
        .then((m) => m.state)
        .catch((e: unknown) => {
          if (e instanceof MachinesApiError && e.status === 404) return "destroyed";
          throw e;
        });
      if (state === "destroyed") break;
      if (Date.now() > deadline)
        throw new Error(`machine ${id} of ${app} is still ${state} after ${timeoutSec}s`);
      if (Date.now() - reported > 15_000) {
        log(`waiting for machine ${id} of ${app} to be destroyed (${state})`);
        reported = Date.now();
      }
      await setTimeout(1000);
    }
  }
}

/**
 * Adopts and cleans up before an apply (see the module comment); returns the
 * actions taken. Throws when an import fails.
 */
export async function adopt(
  runner: AdoptRunner,
  declared: Declared,
  show: ShowState,
): Promise<AdoptAction[]> {
  const { api, log } = runner;
  const actions = planAdoption(declared, show, await liveApps(api, declared));
  for (const a of actions.filter((x) => x.kind === "forget")) {
    log(`forgetting ${a.address}: ${a.reason}`);
    const r = await runner.tofu(["state", "rm", "-no-color", a.address]);
    if (r.status !== 0) throw new Error(`tofu state rm ${a.address} failed:\n${r.stderr.trim()}`);
  }
  const machines = actions.flatMap((a) => (a.kind === "destroy-machine" ? [a] : []));
  for (const a of machines) {
    log(`destroying machine ${a.id} of ${a.app}: ${a.reason}`);
    await api.destroyMachine(a.app, a.id, true).catch((e: unknown) => {
      if (!(e instanceof MachinesApiError && e.status === 404)) throw e;
    });
  }
  await waitDestroyed(api, machines, log);
  for (const a of actions) {
    if (a.kind !== "destroy-volume") continue;
    log(`destroying volume ${a.id} of ${a.app}: ${a.reason}`);
    await api.destroyVolume(a.app, a.id).catch((e: unknown) => {
      if (!(e instanceof MachinesApiError && e.status === 404)) throw e;
    });
  }
  const imported: DeclaredResource[] = [];
  for (const a of actions) {
    if (a.kind !== "import") continue;
    log(`importing ${a.address} from ${a.importId}: ${a.reason}`);
    const r = await runner.tofu(["import", "-input=false", "-no-color", a.address, a.importId]);
    if (r.status !== 0) {
      throw new Error(`tofu import ${a.address} ${a.importId} failed:\n${r.stderr.trim()}`);
    }
    const d = [...declared.machines, ...declared.volumes].find((x) => x.address === a.address);
    if (d) imported.push(d);
  }
  if (imported.length > 0) await writeUnreadable(runner, imported);
  return actions;
}

/** Writes the declared values the import could not read into the state (pull, patch, push). */
async function writeUnreadable(runner: AdoptRunner, imported: DeclaredResource[]): Promise<void> {
  const patched = patchImported(await pullState(runner.tofu), imported);
  const pushed = await pushState(runner.tofu, patched);
  if (pushed.status !== 0) throw new Error(`tofu state push failed:\n${pushed.stderr.trim()}`);
}
