/**
 * Checks on a machine config that need the emulator's state (the shape is
 * checked by machine-schemas.ts): the mounted volume, host capacity, the
 * image, and where a new machine goes.
 */
import { DEFAULT_GUEST, parseImageRef } from "./container-spec";
import type { Context } from "./context";
import { badRequest, notFound, preconditionFailed, unprocessable } from "./errors";
import { regionZones } from "./ids";
import type { AppRecord, ImageRef, MachineConfig, MachineRecord, VolumeRecord } from "./types";
import { volumeMountError } from "./volumes";

export interface CheckedConfig {
  config: MachineConfig;
  imageRef: ImageRef;
  /** The zone of the mounted volume, which the machine must share. */
  zone: string | undefined;
}

/** The volume a config mounts, if any. */
export function mountedVolume(ctx: Context, config: MachineConfig): VolumeRecord | undefined {
  const id = config.mounts?.[0]?.volume;
  return id === undefined ? undefined : ctx.store.state.volumes[id];
}

/**
 * The `fullZones` setting: a machine whose volume sits on a full host cannot
 * be placed there (Fly's 412, text from a user report; see README).
 */
export function assertHostCapacity(ctx: Context, config: MachineConfig): void {
  const vol = mountedVolume(ctx, config);
  if (vol && ctx.settings.fullZones.includes(vol.zone)) {
    throw preconditionFailed(
      `insufficient resources to create new machine with existing volume '${vol.id}'`,
    );
  }
}

function checkMount(
  ctx: Context,
  app: AppRecord,
  config: MachineConfig,
  region: string,
  existing?: MachineRecord,
): VolumeRecord | undefined {
  const mount = config.mounts?.[0];
  const prev = existing?.config.mounts?.[0]?.volume;
  if (!mount) {
    if (existing && prev !== undefined) {
      throw badRequest(
        `config.mounts: the mounted volume of machine ${existing.id} cannot be removed by an update`,
      );
    }
    return undefined;
  }
  const vol = ctx.store.state.volumes[mount.volume];
  if (!vol || vol.app !== app.name) throw notFound(`volume not found: ${mount.volume}`);
  const unusable = volumeMountError(vol); // pending_destroy (deleted or lost)
  if (unusable) throw unusable;
  if (existing && prev !== mount.volume) {
    throw badRequest(
      `config.mounts[0].volume: the mounted volume of machine ${existing.id} cannot change (${prev ?? "none"} -> ${mount.volume}); destroy and recreate the machine`,
    );
  }
  if (vol.region !== region) {
    throw badRequest(
      `config.mounts[0].volume: volume ${vol.id} is in region ${vol.region}, but the machine is in ${region}`,
    );
  }
  if (vol.attachedMachineId && vol.attachedMachineId !== existing?.id) {
    const other = ctx.store.state.machines[vol.attachedMachineId];
    if (other && other.state !== "destroyed") {
      throw preconditionFailed(
        `failed_precondition: volume ${vol.id} is already attached to machine ${vol.attachedMachineId}`,
      );
    }
  }
  return vol;
}

/** Check a (schema-valid) config against the state; fills Fly's default `guest`. */
export async function checkMachineConfig(
  ctx: Context,
  app: AppRecord,
  raw: MachineConfig,
  region: string,
  existing?: MachineRecord,
): Promise<CheckedConfig> {
  const vol = checkMount(ctx, app, raw, region, existing);
  assertHostCapacity(ctx, raw);
  const img = await ctx.podman.imageDigest(raw.image);
  if (!img) {
    throw unprocessable(
      `image ${JSON.stringify(raw.image)} not found: the local emulator only runs images present in podman (podman build/import/load it first)`,
    );
  }
  const config = { ...raw };
  if (config.guest === undefined || config.guest === null) config.guest = { ...DEFAULT_GUEST };
  return { config, imageRef: parseImageRef(raw.image, img.digest, img.labels), zone: vol?.zone };
}

/** A zone (host) for a new machine without a volume: any zone not listed in `fullZones`. */
export function placeMachine(ctx: Context, region: string): string {
  const zones = regionZones(region, ctx.settings.zonesPerRegion);
  const open = zones.filter((z) => !ctx.settings.fullZones.includes(z));
  const pick = open.length ? open : zones;
  return pick[Math.floor(Math.random() * pick.length)];
}
