/**
 * The "host lost" fault. Fly encodes the host in a machine's 6PN address
 * (Fly docs, private networking); here the zone is that host part.
 *
 *  - gone for good (`renumber: false`): container removed, machine record
 *    deleted (GET answers 404), its volume kept and detached;
 *  - back on another host (`renumber: true`): the machine stops, moves to
 *    another zone (its volume with it), gets a new 6PN address there and
 *    starts again, like Fly's host migration.
 */
import type { Apps } from "./apps";
import type { Context } from "./context";
import { regionZones } from "./ids";
import { mountedVolume } from "./machine-config";
import type { MachineLifecycle } from "./machine-lifecycle";
import { machineAddress } from "./network";
import type { MachineRecord } from "./types";
import { volumeUsable } from "./volumes";

/**
 * Another zone for a machine leaving `current`: not full, and (when it brings
 * a volume) without a same-named volume of the app; `current` if none is left.
 */
export function nextZone(
  zones: readonly string[],
  current: string,
  excluded: ReadonlySet<string>,
  random: () => number = Math.random,
): string {
  const open = zones.filter((z) => z !== current && !excluded.has(z));
  return open.length ? open[Math.floor(random() * open.length)] : current;
}

export async function loseHost(
  ctx: Context,
  apps: Apps,
  life: MachineLifecycle,
  m: MachineRecord,
  opts: { renumber: boolean },
): Promise<void> {
  life.assertAlive(m);
  const state = ctx.store.state;
  if (!opts.renumber) {
    m.state = "destroying"; // refuse other calls meanwhile; never shown as destroyed
    await life.queues.serialize(m.id, async () => {
      await ctx.podman.removeContainer(life.containerName(m));
      for (const v of Object.values(state.volumes)) {
        if (v.attachedMachineId === m.id) v.attachedMachineId = null;
      }
      delete state.machines[m.id];
      ctx.store.save();
    });
    return;
  }
  life.setState(m, "stopping");
  await life.queues.serialize(m.id, async () => {
    await life.stopContainer(m).catch(() => undefined);
    await ctx.podman.removeContainer(life.containerName(m));
    life.event(m, "exit", "stopped", "flyd");
    life.setState(m, "stopped");

    const vol = mountedVolume(ctx, m.config);
    const excluded = new Set(ctx.settings.fullZones);
    if (vol) {
      for (const v of Object.values(state.volumes)) {
        const holdsZone = volumeUsable(v) || ctx.settings.pendingDestroyHoldsZone;
        if (v.id !== vol.id && v.app === vol.app && v.name === vol.name && holdsZone)
          excluded.add(v.zone);
      }
    }
    const zone = nextZone(regionZones(m.region, ctx.settings.zonesPerRegion), m.zone, excluded);
    const taken = new Set(Object.values(state.machines).map((x) => x.privateIp));
    taken.add(m.privateIp);
    m.zone = zone;
    if (vol) vol.zone = zone;
    m.privateIp = machineAddress(apps.org(apps.get(m.app).org), zone, taken);
    life.setState(m, "starting");
    try {
      await life.launch(m);
    } catch (e) {
      m.lastError = e instanceof Error ? e.message : String(e);
      life.event(m, "launch", "failed", "flyd");
      life.setState(m, "failed");
      throw e;
    }
  });
}
