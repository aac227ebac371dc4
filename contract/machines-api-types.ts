/**
 * The Machines API objects as they travel on the wire: the client
 * (ops/machines-api.ts) reads them and the local Fly (emulator/views.ts)
 * serves them. Only the fields the project reads are typed. Pure.
 */

export interface Machine {
  readonly id: string;
  readonly name: string;
  /** One of MACHINE_STATES (contract/fly-states.ts); Fly may add others. */
  readonly state: string;
  readonly region: string;
  readonly instance_id: string;
  readonly private_ip: string;
  readonly config: MachineConfig;
}

/** The machine config as the API takes it; only the fields we read are typed. */
export interface MachineConfig {
  readonly image: string;
  readonly env?: Record<string, string>;
  readonly metadata?: Record<string, string>;
  readonly guest?: { cpu_kind?: string; cpus?: number; memory_mb?: number };
  readonly mounts?: readonly { volume: string; path: string }[];
  readonly [key: string]: unknown;
}

export interface Volume {
  readonly id: string;
  readonly name: string;
  /** `created`; `pending_destroy` or `destroyed` once deleted (Fly soft-deletes). */
  readonly state?: string;
  readonly zone: string;
  readonly auto_backup_enabled: boolean;
  readonly attached_machine_id: string | null;
}

/** The answer of `POST .../exec`. */
export interface ExecResult {
  readonly exit_code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A lease as the client holds it: its nonce goes with every mutation. */
export interface Lease {
  readonly nonce: string;
}
