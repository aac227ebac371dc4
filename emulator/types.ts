/**
 * Shapes of the emulator's persisted state. The wire shapes it serves are
 * contract/machines-api-types.ts; state names are contract/fly-states.ts.
 */
import type { MachineState } from "../contract/fly-states";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };
export type JsonObject = { [k: string]: JsonValue };

/** The machine config as the client sent it; echoed back exactly (plus Fly's `guest` default). */
export interface MachineConfig {
  image: string;
  env?: Record<string, string>;
  metadata?: Record<string, string>;
  init?: {
    exec?: string[];
    entrypoint?: string[];
    cmd?: string[];
    [k: string]: JsonValue | undefined;
  };
  guest?: {
    cpu_kind?: string;
    cpus?: number;
    memory_mb?: number;
    [k: string]: JsonValue | undefined;
  };
  mounts?: { volume: string; path: string; [k: string]: JsonValue | undefined }[];
  files?: { guest_path: string; raw_value?: string; secret_name?: string; mode?: number }[];
  restart?: { policy?: string; max_retries?: number };
  stop_config?: { signal?: string; timeout?: string | number };
  auto_destroy?: boolean;
  [k: string]: JsonValue | undefined | object;
}

export interface MachineEvent {
  id: string;
  type: string;
  status: string;
  source: string;
  timestamp: number;
}

export interface Lease {
  nonce: string;
  owner: string;
  description: string;
  /** Unix milliseconds. */
  expiresAt: number;
  version: string;
}

export interface MachineRecord {
  id: string;
  app: string;
  name: string;
  region: string;
  zone: string;
  state: MachineState;
  instanceId: string;
  privateIp: string;
  createdAt: number;
  updatedAt: number;
  config: MachineConfig;
  imageRef: ImageRef;
  events: MachineEvent[];
  lease?: Lease;
  cordoned: boolean;
  /** Unix ms of destruction; destroyed machines are kept a while so GET/wait can see them. */
  destroyedAt?: number;
  /** Last launch error, for a machine in state "failed". */
  lastError?: string;
}

export interface ImageRef {
  registry: string;
  repository: string;
  tag: string;
  digest: string;
  labels: Record<string, string>;
}

export interface VolumeRecord {
  id: string;
  app: string;
  name: string;
  region: string;
  zone: string;
  sizeGb: number;
  encrypted: boolean;
  snapshotRetention: number;
  autoBackupEnabled: boolean;
  createdAt: number;
  attachedMachineId: string | null;
  /** The podman volume that holds the data. */
  podmanVolume: string;
  /** Unix ms of the delete (or loss): the volume is `pending_destroy` from then on. */
  destroyedAt?: number;
  /** True when lost with its host (admin `lose`), not deleted by a client. */
  lost?: boolean;
  /** True while an unmountable stand-in podman volume holds the lost volume's name. */
  tombstone?: boolean;
  /** The id of the app that made it: an app deleted and made again under the same name does not inherit it. */
  appId?: string;
}

export interface SecretRecord {
  value: string;
  type: string;
  digest: string;
  createdAt: number;
  updatedAt: number;
}

export interface AppRecord {
  id: string;
  name: string;
  org: string;
  network: string;
  createdAt: number;
  secrets: Record<string, SecretRecord>;
  secretsVersion: number;
}

export interface OrgRecord {
  slug: string;
  /** 16-bit org number: 6PN prefix is fdaa:0:<hex>::/48. */
  prefix: number;
  /** Third octet of the org's private IPv4 /24 (172.19.<n>.0/24). */
  v4Octet: number;
  podmanNetwork: string;
}

export interface EmulatorState {
  version: 1;
  /** Random id of this emulator instance; labels every podman object it makes. */
  instance: string;
  token: string;
  orgs: Record<string, OrgRecord>;
  apps: Record<string, AppRecord>;
  volumes: Record<string, VolumeRecord>;
  machines: Record<string, MachineRecord>;
}
