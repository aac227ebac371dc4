/** Volumes: zone placement (require_unique_zone), podman volumes for the data. */
import { VOLUME_NAME } from "../config/fly";
import type { Context } from "./context";
import { badRequest, notFound, preconditionFailed, unprocessable } from "./errors";
import { regionZones, volumeId } from "./ids";
import { LABEL, LABEL_APP, LABEL_INSTANCE, LABEL_ZONE } from "./podman";
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

export class Volumes {
  constructor(private readonly ctx: Context) {}

  private get state() {
    return this.ctx.store.state;
  }

  get(app: AppRecord, id: string): VolumeRecord {
    const v = this.state.volumes[id];
    if (!v || v.app !== app.name) throw notFound(`volume not found: ${id}`);
    return v;
  }

  list(app: AppRecord): VolumeRecord[] {
    return Object.values(this.state.volumes)
      .filter((v) => v.app === app.name)
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
    const retention = optInt(body, "snapshot_retention", 1, 60);
    const backup = optBool(body, "auto_backup_enabled");
    if (retention !== undefined) vol.snapshotRetention = retention;
    if (backup !== undefined) vol.autoBackupEnabled = backup;
    this.ctx.store.save();
    return vol;
  }

  extend(vol: VolumeRecord, body: Record<string, unknown>): VolumeRecord {
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

  async destroy(vol: VolumeRecord): Promise<void> {
    if (vol.attachedMachineId) {
      const m = this.state.machines[vol.attachedMachineId];
      if (m && m.state !== "destroyed") {
        throw preconditionFailed(
          `failed_precondition: volume ${vol.id} is attached to machine ${vol.attachedMachineId}; destroy the machine first`,
        );
      }
    }
    await this.ctx.podman.remove("volume", vol.podmanVolume);
    delete this.state.volumes[vol.id];
    this.ctx.store.save();
  }
}
