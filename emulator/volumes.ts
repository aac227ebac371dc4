/**
 * Volumes: zone placement (require_unique_zone), podman volumes for the data,
 * soft delete (`pending_destroy` for `pendingDestroyMs`, then gone) and loss
 * with a host.
 */
import { VOLUME_NAME } from "../config/fly";
import { LABEL, LABEL_APP, LABEL_INSTANCE, LABEL_ZONE } from "../contract/podman-labels";
import type { Context } from "./context";
import { ApiError, badRequest, notFound, preconditionFailed, unprocessable } from "./errors";
import { regionZones, volumeId } from "./ids";
import type { AppRecord, VolumeRecord } from "./types";

function optInt(
  body: Record<string, unknown>,
  key: string,
  min: number,
  max: number,
): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw badRequest(`${key} must be an integer from ${min} to ${max} (got ${JSON.stringify(v)})`);
  }
  return v;
}

function optBool(body: Record<string, unknown>, key: string): boolean | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean")
    throw badRequest(`${key} must be a boolean (got ${JSON.stringify(v)})`);
  return v;
}

/** The API `state` of a volume record. */
export function volumeState(v: VolumeRecord): "created" | "pending_destroy" {
  return v.destroyedAt === undefined ? "created" : "pending_destroy";
}

/** False once the volume was deleted or lost: it can no longer be mounted, updated or extended. */
export function volumeUsable(v: VolumeRecord): boolean {
  return v.destroyedAt === undefined;
}

/**
 * The error for mounting (machine create/update) or changing a volume that is
 * pending_destroy, or undefined when it is usable. 412 failed_precondition is
 * the emulator's choice (Fly's status: UNCONFIRMED).
 */
export function volumeMountError(v: VolumeRecord): ApiError | undefined {
  if (volumeUsable(v)) return undefined;
  return preconditionFailed(
    `failed_precondition: volume ${v.id} is pending_destroy${v.lost ? " (lost with its host)" : ""} and cannot be used`,
  );
}

/**
 * A podman volume that can never be mounted (a bind of a path that does not
 * exist): it takes the place of a deleted or lost volume's data, so a machine
 * that still names it fails to start instead of getting a fresh empty volume.
 */
const TOMBSTONE_DEVICE = "/nonexistent/fly-emulator-volume-pending-destroy";

export class Volumes {
  constructor(private readonly ctx: Context) {}

  /** See `volumeUsable`. */
  usable(vol: VolumeRecord): boolean {
    return volumeUsable(vol);
  }

  /** See `volumeMountError`. */
  mountError(vol: VolumeRecord): ApiError | undefined {
    return volumeMountError(vol);
  }

  stateOf(vol: VolumeRecord): "created" | "pending_destroy" {
    return volumeState(vol);
  }

  /**
   * Forget volumes whose pending_destroy time is over, and volumes of apps
   * deleted since (Fly deletes an app's volumes with it). A lost volume's
   * stand-in goes once no live machine mounts it.
   */
  sweep(now = Date.now()): void {
    let changed = false;
    for (const v of Object.values(this.state.volumes)) {
      const app = this.state.apps[v.app];
      const orphan = !app || (v.appId !== undefined && v.appId !== app.id);
      const expired =
        v.destroyedAt !== undefined && now - v.destroyedAt >= this.ctx.settings.pendingDestroyMs;
      if (orphan || expired) {
        delete this.state.volumes[v.id];
        void this.ctx.podman.remove("volume", v.podmanVolume).catch(() => undefined);
        changed = true;
      } else if (v.tombstone && !this.liveAttachment(v)) {
        v.tombstone = false;
        void this.ctx.podman.remove("volume", v.podmanVolume).catch(() => undefined);
        changed = true;
      }
    }
    if (changed) this.ctx.store.save();
  }

  private get state() {
    return this.ctx.store.state;
  }

  private liveAttachment(v: VolumeRecord): boolean {
    const m = v.attachedMachineId ? this.state.machines[v.attachedMachineId] : undefined;
    return m !== undefined && m.state !== "destroyed";
  }

  get(app: AppRecord, id: string): VolumeRecord {
    this.sweep();
    const v = this.state.volumes[id];
    if (!v || v.app !== app.name || (v.appId !== undefined && v.appId !== app.id)) {
      throw notFound(`volume not found: ${id}`);
    }
    return v;
  }

  list(app: AppRecord): VolumeRecord[] {
    this.sweep();
    return Object.values(this.state.volumes)
      .filter((v) => v.app === app.name && (v.appId === undefined || v.appId === app.id))
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  zones(region: string): string[] {
    return regionZones(region, this.ctx.settings.zonesPerRegion);
  }

  async create(app: AppRecord, body: Record<string, unknown>): Promise<VolumeRecord> {
    const { name, region } = body;
    if (typeof name !== "string" || !VOLUME_NAME.test(name)) {
      throw badRequest(
        `invalid volume name ${JSON.stringify(name)}: use 1-30 lowercase letters, digits and underscores`,
      );
    }
    if (typeof region !== "string" || !this.ctx.settings.regions.includes(region)) {
      throw badRequest(
        `invalid region ${JSON.stringify(region)}: use one of ${this.ctx.settings.regions.join(", ")}`,
      );
    }
    const sizeGb = optInt(body, "size_gb", 1, 500) ?? 3;
    const requireUnique = optBool(body, "require_unique_zone") ?? true;
    const appWide = optBool(body, "unique_zone_app_wide") ?? false;
    if (body.snapshot_id || body.source_volume_id) {
      throw badRequest("snapshot_id and source_volume_id are not supported by the local emulator");
    }
    const zones = this.zones(region);
    let free = zones;
    if (requireUnique) {
      const used = new Set(
        this.list(app)
          .filter((v) => v.region === region && (appWide || v.name === name))
          .filter((v) => volumeUsable(v) || this.ctx.settings.pendingDestroyHoldsZone)
          .map((v) => v.zone),
      );
      free = zones.filter((z) => !used.has(z));
      if (free.length === 0) {
        throw unprocessable(
          `insufficient resources to create volume "${name}" in ${region}: all ${zones.length} zones already hold a volume ${appWide ? "of this app" : "with this name"} and require_unique_zone is true; set require_unique_zone=false or use another region`,
          "insufficient_capacity",
        );
      }
    }
    const id = volumeId();
    const zone = free[Math.floor(Math.random() * free.length)];
    const vol: VolumeRecord = {
      id,
      app: app.name,
      appId: app.id,
      name,
      region,
      zone,
      sizeGb,
      encrypted: optBool(body, "encrypted") ?? true,
      snapshotRetention: optInt(body, "snapshot_retention", 1, 60) ?? 5,
      autoBackupEnabled: optBool(body, "auto_backup_enabled") ?? true,
      createdAt: Date.now(),
      attachedMachineId: null,
      podmanVolume: `flyemu-${this.state.instance}-${id}`,
    };
    // Record the volume (and so its zone) before the first await: parallel
    // creates must see it, or two of them pick the same "unique" zone.
    this.state.volumes[id] = vol;
    try {
      await this.ctx.podman.volumeCreate(vol.podmanVolume, {
        [LABEL]: "1",
        [LABEL_INSTANCE]: this.state.instance,
        [LABEL_APP]: app.name,
        [LABEL_ZONE]: zone,
      });
    } catch (e) {
      delete this.state.volumes[id];
      throw e;
    }
    this.ctx.store.save();
    return vol;
  }

  update(vol: VolumeRecord, body: Record<string, unknown>): VolumeRecord {
    this.mustBeUsable(vol);
    const retention = optInt(body, "snapshot_retention", 1, 60);
    const backup = optBool(body, "auto_backup_enabled");
    if (retention !== undefined) vol.snapshotRetention = retention;
    if (backup !== undefined) vol.autoBackupEnabled = backup;
    this.ctx.store.save();
    return vol;
  }

  extend(vol: VolumeRecord, body: Record<string, unknown>): VolumeRecord {
    this.mustBeUsable(vol);
    const size = optInt(body, "size_gb", 1, 500);
    if (size === undefined) throw badRequest("size_gb is required");
    if (size < vol.sizeGb) {
      throw badRequest(
        `size_gb ${size} is smaller than the current ${vol.sizeGb}: volumes can only grow`,
      );
    }
    vol.sizeGb = size;
    this.ctx.store.save();
    return vol;
  }

  /**
   * Soft delete: the volume becomes pending_destroy (still listed, unusable)
   * for `pendingDestroyMs`, then disappears. Its data goes at once. Deleting a
   * pending_destroy volume again answers it unchanged. Refused (412) while a
   * live machine has it attached.
   */
  async destroy(vol: VolumeRecord): Promise<void> {
    if (!volumeUsable(vol)) return;
    if (vol.attachedMachineId) {
      const m = this.state.machines[vol.attachedMachineId];
      if (m && m.state !== "destroyed") {
        throw preconditionFailed(
          `failed_precondition: volume ${vol.id} is attached to machine ${vol.attachedMachineId}; destroy the machine first`,
        );
      }
      vol.attachedMachineId = null;
    }
    vol.destroyedAt = Date.now();
    this.ctx.store.save();
    // The data goes at once; nothing can mount the volume any more (volumeMountError).
    await this.ctx.podman.remove("volume", vol.podmanVolume);
  }

  /**
   * The volume is lost with its host: pending_destroy even when attached, its
   * data removed at once (the container of a machine using it goes too, so
   * the machine stops; any later start fails: state `failed`).
   */
  async lose(vol: VolumeRecord): Promise<void> {
    vol.lost = true;
    if (vol.destroyedAt === undefined) vol.destroyedAt = Date.now();
    vol.tombstone = this.liveAttachment(vol);
    this.ctx.store.save();
    if (vol.tombstone) await this.tombstone(vol);
    else await this.ctx.podman.remove("volume", vol.podmanVolume);
  }

  private mustBeUsable(vol: VolumeRecord): void {
    const e = volumeMountError(vol);
    if (e) throw e;
  }

  /**
   * Replace the volume's data with a podman volume that cannot be mounted, so
   * the machine that still names it fails to start instead of getting a fresh
   * empty volume. Removed once no live machine mounts it (sweep).
   */
  private async tombstone(vol: VolumeRecord): Promise<void> {
    await this.ctx.podman
      .must(["volume", "rm", "--force", "--time", "0", vol.podmanVolume])
      .catch(() => undefined);
    await this.ctx.podman.must([
      "volume",
      "create",
      ...["--label", `${LABEL}=1`, "--label", `${LABEL_INSTANCE}=${this.state.instance}`],
      ...["--label", `${LABEL_APP}=${vol.app}`, "--label", `${LABEL_ZONE}=${vol.zone}`],
      ...["--opt", "type=none", "--opt", `device=${TOMBSTONE_DEVICE}`, "--opt", "o=bind"],
      vol.podmanVolume,
    ]);
  }
}
