/**
 * Turn stored records into the JSON objects the Machines API returns; each
 * satisfies the wire type the client reads (contract/machines-api-types.ts),
 * with the fields only the provider reads besides.
 */
import type { Machine, Volume } from "../contract/machines-api-types";
import { rfc3339, rfc3339Ms } from "./ids";
import type { AppRecord, MachineRecord, VolumeRecord } from "./types";

export function appView(app: AppRecord, counts: { machines: number; volumes: number }) {
  return {
    id: app.id,
    name: app.name,
    status: counts.machines > 0 ? "deployed" : "pending",
    organization: { name: app.org, slug: app.org },
    network: app.network,
    machine_count: counts.machines,
    volume_count: counts.volumes,
  };
}

export function volumeView(v: VolumeRecord, state = "created") {
  const blocks = Math.floor((v.sizeGb * 1024 ** 3) / 4096);
  const view = {
    id: v.id,
    name: v.name,
    state,
    size_gb: v.sizeGb,
    region: v.region,
    zone: v.zone,
    encrypted: v.encrypted,
    attached_machine_id: v.attachedMachineId,
    attached_alloc_id: null,
    created_at: rfc3339Ms(v.createdAt),
    blocks,
    block_size: 4096,
    blocks_free: blocks,
    blocks_avail: blocks,
    fstype: "ext4",
    snapshot_retention: v.snapshotRetention,
    auto_backup_enabled: v.autoBackupEnabled,
    host_dedication_key: "",
  };
  return view satisfies Volume;
}

export function machineView(m: MachineRecord) {
  const view = {
    id: m.id,
    name: m.name,
    state: m.state,
    region: m.region,
    instance_id: m.instanceId,
    private_ip: m.privateIp,
    created_at: rfc3339(m.createdAt),
    updated_at: rfc3339(m.updatedAt),
    config: m.config,
    image_ref: m.imageRef,
    events: [...m.events].reverse(),
    host_status: "ok",
  };
  return view satisfies Machine;
}
