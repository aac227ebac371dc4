/**
 * What to adopt, pure: what an interrupted run created on Fly but never
 * recorded in the state, and what it created twice (ops/adopt.ts runs it).
 * `planAdoption` compares each declared app's machines and volumes, as the
 * Machines API lists them, with the state and the synthesized stack:
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
 * or volume whose name the stack does not declare.
 *
 * The provider's import cannot read back what Fly does not answer
 * (`require_unique_zone` of a volume; `desired_status`, `cordoned`,
 * `skip_launch` of a machine): left empty, the next plan would replace the
 * volume (and so its machine), or update the machine in place, which the
 * provider cannot do on Fly. `patchImported` writes the declared values of
 * those into the state after importing.
 */
import { MACHINE_GONE, VOLUME_GONE, stateIn } from "../contract/fly-states";
import { Machine, Volume } from "../contract/machines-api-types";
import { ShowState, stateResources } from "../contract/tofu-state";
import { Declared, DeclaredResource } from "./declared";
import type { RawState } from "./state-file";

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
