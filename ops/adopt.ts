/**
 * Before a deploy's apply: adopt what an interrupted run created on Fly but
 * never recorded in the state, and remove what it created twice.
 *
 * A tofu killed mid-apply (SIGKILL, a lost CI runner), or the provider's
 * create failing after Fly made the machine (it waits once, 60 s, for
 * `started`, and on failure leaves the machine out of the state), leaves
 * machines and volumes on Fly that the state does not know. Applying again
 * would create them a second time. `planAdoption` (pure) compares each
 * declared app's machines and volumes, as the Machines API lists them, with
 * the state and the synthesized stack:
 *
 * - a declared app that exists on Fly (in the declared organization) but not
 *   in the state is imported;
 * - a machine not in the state whose name is that of a declared machine with
 *   no state entry (or whose state entry Fly no longer has) is imported
 *   (`tofu import <address> <app>/<id>`), and so is the volume it mounts,
 *   into that node's volume address;
 * - another machine of the same name, not in the state, is destroyed;
 * - an unattached volume not in the state, named as the app's declared
 *   volumes, is imported into a declared volume address that has no state
 *   entry, and one beyond them is destroyed.
 *
 * Nothing attached to a machine in the state is ever touched, nor a machine
 * or volume whose name the stack does not declare. `adopt` runs the plan.
 *
 * The provider's import cannot read back what Fly does not answer
 * (`require_unique_zone` of a volume; `desired_status`, `cordoned`,
 * `skip_launch` of a machine): left empty, the next plan would replace the
 * volume (and so its machine), or update the machine in place, which the
 * provider cannot do on Fly. `adopt` writes the declared values of those
 * into the state after importing (`patchImported`, pure).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { MACHINE_GONE, VOLUME_GONE, stateIn } from "../contract/fly-states";
import { Machine, Volume } from "../contract/machines-api-types";
import { ShowState, mountedVolume, stateResources } from "../contract/tofu-state";
import { MachinesApi, MachinesApiError } from "./machines-api";

/** A declared machine or volume of the synthesized stack. */
export interface DeclaredResource {
  readonly address: string;
  readonly app: string;
  readonly name: string;
  /** Declared values of the attributes the provider's import cannot read back. */
  readonly unreadable: Readonly<Record<string, unknown>>;
}

export interface DeclaredMachine extends DeclaredResource {
  /** Address of the volume it mounts, if declared in the stack. */
  readonly volumeAddress?: string;
}

export interface DeclaredApp {
  readonly address: string;
  readonly name: string;
  readonly org: string;
}

export interface Declared {
  readonly apps: readonly DeclaredApp[];
  readonly machines: readonly DeclaredMachine[];
  readonly volumes: readonly DeclaredResource[];
}

interface SynthResource {
  readonly app?: string;
  readonly name?: string;
  readonly org_slug?: string;
  readonly [attribute: string]: unknown;
}

interface SynthJson {
  readonly resource?: Record<string, Record<string, SynthResource>>;
}

/**
 * Attributes the provider's import leaves empty, with the provider's defaults
 * (a declared value wins). Fly's GET does not answer them.
 */
export const VOLUME_UNREADABLE: Readonly<Record<string, unknown>> = { require_unique_zone: null };
export const MACHINE_UNREADABLE: Readonly<Record<string, unknown>> = {
  desired_status: "started",
  cordoned: false,
  skip_launch: false,
};

/**
 * The declared machines and volumes of a synthesized stack (`cdk.tf.json`):
 * addresses, apps (resolved through `${fly_app.<id>.name}`) and names. Pure.
 */
export function declaredFromSynth(json: SynthJson): Declared {
  const res = json.resource ?? {};
  const apps = res.fly_app ?? {};
  const appOf = (ref: string | undefined): string | undefined => {
    const m = /^\$\{fly_app\.([^.]+)\.name\}$/.exec(ref ?? "");
    return m ? apps[m[1]]?.name : ref;
  };
  const unreadable = (r: SynthResource, defaults: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(defaults).map(([k, d]) => [k, r[k] ?? d]));
  const volumes = Object.entries(res.fly_volume ?? {}).flatMap(([id, v]) => {
    const app = appOf(v.app);
    return app && v.name
      ? [
          {
            address: `fly_volume.${id}`,
            app,
            name: v.name,
            unreadable: unreadable(v, VOLUME_UNREADABLE),
          },
        ]
      : [];
  });
  const machines = Object.entries(res.fly_machine ?? {}).flatMap(([id, m]) => {
    const app = appOf(m.app);
    if (!app || !m.name) return [];
    const ref = /^\$\{(fly_volume\.[^.]+)\.id\}$/.exec(mountedVolume(m.mount) ?? "");
    return [
      {
        address: `fly_machine.${id}`,
        app,
        name: m.name,
        unreadable: unreadable(m, MACHINE_UNREADABLE),
        ...(ref ? { volumeAddress: ref[1] } : {}),
      },
    ];
  });
  const declaredApps = Object.entries(apps).flatMap(([id, a]) =>
    a.name ? [{ address: `fly_app.${id}`, name: a.name, org: a.org_slug ?? "" }] : [],
  );
  return { apps: declaredApps, machines, volumes };
}

/** What Fly holds in one declared app (empty lists when the app does not exist yet). */
export interface LiveApp {
  readonly app: string;
  /** The app's organization on Fly; undefined when Fly has no such app. */
  readonly org?: string;
  readonly machines: readonly Machine[];
  readonly volumes: readonly Volume[];
}

export type AdoptAction =
  | { readonly kind: "forget"; readonly address: string; readonly reason: string }
  | {
      readonly kind: "import";
      readonly address: string;
      /** As the provider imports: `<app>/<id>` for a machine or volume, the name for an app. */
      readonly importId: string;
      readonly reason: string;
    }
  | {
      readonly kind: "destroy-machine" | "destroy-volume";
      readonly app: string;
      readonly id: string;
      readonly reason: string;
    };

/** A stable order (ids), so that a plan never depends on the order Fly lists things in. */
const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);

/** What to import, forget and destroy so that the apply creates nothing twice. Pure. */
export function planAdoption(
  declared: Declared,
  show: ShowState,
  live: readonly LiveApp[],
): AdoptAction[] {
  const resources = stateResources(show);
  const stateId = new Map(resources.map((r) => [r.address, r.values.id as string]));
  const stateMachineIds = new Set(
    resources.filter((r) => r.type === "fly_machine").map((r) => r.values.id as string),
  );
  const stateVolumeIds = new Set(
    resources.filter((r) => r.type === "fly_volume").map((r) => r.values.id as string),
  );
  const actions: AdoptAction[] = [];

  for (const a of declared.apps) {
    const l = live.find((x) => x.app === a.name);
    if (stateId.get(a.address) !== undefined || l?.org === undefined) continue;
    if (l.org !== a.org) continue; // someone else's app of that name: the apply says so
    actions.push({
      kind: "import",
      address: a.address,
      importId: a.name,
      reason: `app ${a.name} exists on Fly but not in the state (an interrupted run created it)`,
    });
  }

  for (const { app, machines: allMachines, volumes: allVolumes } of live) {
    const machines = allMachines.filter((m) => !stateIn(MACHINE_GONE, m.state));
    const liveIds = new Set(machines.map((m) => m.id));
    const volumes = allVolumes.filter((v) => !stateIn(VOLUME_GONE, v.state));
    const orphans = machines.filter((m) => !stateMachineIds.has(m.id)).sort(byId);
    /** Volume addresses taken in this plan (by an import). */
    const takenVolumeAddresses = new Set<string>();
    /** Volumes imported, and machines destroyed here (their volumes become free). */
    const importedVolumes = new Set<string>();
    const destroyedMachines = new Set<string>();

    for (const d of declared.machines.filter((x) => x.app === app)) {
      const same = orphans.filter((m) => m.name === d.name);
      if (same.length === 0) continue;
      const inState = stateId.get(d.address);
      const occupied = inState !== undefined && liveIds.has(inState);
      const volumeInState = d.volumeAddress ? stateId.get(d.volumeAddress) : undefined;
      const mountOf = (m: Machine) => m.config.mounts?.[0]?.volume;
      // The machine on the node's own volume first, then a started one.
      const ranked = [...same].sort(
        (a, b) =>
          Number(volumeInState !== undefined && mountOf(b) === volumeInState) -
            Number(volumeInState !== undefined && mountOf(a) === volumeInState) ||
          Number(b.state === "started") - Number(a.state === "started") ||
          byId(a, b),
      );
      let keep: Machine | undefined;
      if (!occupied) {
        const candidate = ranked[0];
        const vol = mountOf(candidate);
        const volOk =
          vol === undefined ||
          vol === volumeInState ||
          (volumeInState === undefined && !stateVolumeIds.has(vol));
        if (volOk) {
          keep = candidate;
          if (inState !== undefined) {
            actions.push({
              kind: "forget",
              address: d.address,
              reason: `machine ${d.name} of ${app} in the state (${inState}) is gone from Fly; machine ${candidate.id} of that name replaces it`,
            });
          }
          actions.push({
            kind: "import",
            address: d.address,
            importId: `${app}/${candidate.id}`,
            reason: `machine ${d.name} (${candidate.id}) of ${app} exists on Fly but not in the state (an interrupted run created it)`,
          });
          const v = volumes.find((x) => x.id === vol);
          if (v && volumeInState === undefined && d.volumeAddress) {
            takenVolumeAddresses.add(d.volumeAddress);
            importedVolumes.add(v.id);
            actions.push({
              kind: "import",
              address: d.volumeAddress,
              importId: `${app}/${v.id}`,
              reason: `volume ${v.name} (${v.id}) of machine ${d.name} exists on Fly but not in the state`,
            });
          }
        }
      }
      for (const m of ranked.filter((x) => x !== keep)) {
        destroyedMachines.add(m.id);
        actions.push({
          kind: "destroy-machine",
          app,
          id: m.id,
          reason: `machine ${m.name} (${m.id}) of ${app} is a second machine of that name, in no state (an interrupted run created it)`,
        });
      }
    }

    const declaredVolumes = declared.volumes.filter((x) => x.app === app);
    const freeAddresses = declaredVolumes
      .filter((d) => stateId.get(d.address) === undefined && !takenVolumeAddresses.has(d.address))
      .map((d) => d);
    const strayVolumes = volumes
      .filter((v) => !stateVolumeIds.has(v.id) && !importedVolumes.has(v.id))
      .filter((v) => !v.attached_machine_id || destroyedMachines.has(v.attached_machine_id))
      .filter((v) => declaredVolumes.some((d) => d.name === v.name))
      .sort(byId);
    for (const v of strayVolumes) {
      const i = freeAddresses.findIndex((d) => d.name === v.name);
      if (i >= 0) {
        const [d] = freeAddresses.splice(i, 1);
        actions.push({
          kind: "import",
          address: d.address,
          importId: `${app}/${v.id}`,
          reason: `volume ${v.name} (${v.id}, zone ${v.zone}) of ${app} exists on Fly but not in the state (an interrupted run created it)`,
        });
      } else {
        actions.push({
          kind: "destroy-volume",
          app,
          id: v.id,
          reason: `volume ${v.name} (${v.id}, zone ${v.zone}) of ${app} is beyond the declared ones and in no state (an interrupted run created it)`,
        });
      }
    }
  }
  return actions;
}

/** The parts of a raw state file (`tofu state pull`) that `patchImported` reads. */
export interface RawState {
  serial: number;
  resources?: {
    mode: string;
    type: string;
    name: string;
    module?: string;
    instances: { attributes: Record<string, unknown> }[];
  }[];
  [key: string]: unknown;
}

/**
 * The state with the declared values of the unreadable attributes written
 * into the imported resources where the import left them empty, and the
 * serial bumped. Pure.
 */
export function patchImported(state: RawState, imported: readonly DeclaredResource[]): RawState {
  const next = JSON.parse(JSON.stringify(state)) as RawState;
  for (const d of imported) {
    const [type, ...rest] = d.address.split(".");
    const name = rest.join(".");
    const r = next.resources?.find(
      (x) => x.mode === "managed" && !x.module && x.type === type && x.name === name,
    );
    for (const inst of r?.instances ?? []) {
      for (const [k, v] of Object.entries(d.unreadable)) {
        if (v !== null && (inst.attributes[k] === null || inst.attributes[k] === undefined)) {
          inst.attributes[k] = v;
        }
      }
    }
  }
  next.serial = state.serial + 1;
  return next;
}

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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
      await sleep(1000);
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
  const pulled = await runner.tofu(["state", "pull"]);
  if (pulled.status !== 0) throw new Error(`tofu state pull failed:\n${pulled.stderr.trim()}`);
  const patched = patchImported(JSON.parse(pulled.stdout) as RawState, imported);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-state-"));
  const file = path.join(dir, "terraform.tfstate");
  try {
    fs.writeFileSync(file, JSON.stringify(patched, null, 2), { mode: 0o600 });
    const pushed = await runner.tofu(["state", "push", file]);
    if (pushed.status !== 0) throw new Error(`tofu state push failed:\n${pushed.stderr.trim()}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
