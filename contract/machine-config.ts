/**
 * Which machine config fields the stack manages and how the roll compares
 * them: the stack (constructs/fly-node.ts: `ignore_changes`, the roll step's
 * desired config), the roll (ops/roll.ts) and the deploy's repairs
 * (ops/deploy.ts) all read these. Pure.
 */
import { MachineConfig } from "./machines-api-types";

/**
 * Fields of the machine config that the stack declares to Terraform and the
 * roll keeps in step; Terraform ignores later changes to them (its
 * `ignore_changes` list is this one), and the deploy compares them between the
 * state and the roll step's config (ops/deploy.ts).
 */
export const MANAGED_CONFIG_FIELDS = ["image", "env", "metadata", "guest"] as const;

/**
 * Fields only the roll sets. The provider has no attribute for them (it never
 * sends `stop_config`), so they are neither in Terraform's `ignore_changes`
 * nor in the state: the roll step's desired config carries them, and the roll
 * compares them with what Fly reports.
 */
export const ROLL_ONLY_CONFIG_FIELDS = ["stop_config"] as const;

/** Every field the roll (`rollMachine`, ops/roll.ts) sets. */
export const ROLLED_CONFIG_FIELDS = [...MANAGED_CONFIG_FIELDS, ...ROLL_ONLY_CONFIG_FIELDS] as const;

/**
 * How Fly stops a node: k3s exits cleanly on SIGTERM (etcd leaves its peers
 * in order, the kubelet stops its pods' sandboxes), and 120 s gives it time;
 * Fly's default is SIGINT with 5 s (at most 300 s).
 */
export const NODE_STOP_CONFIG = { signal: "SIGTERM", timeout: "120s" } as const;

/** A machine's guest on the wire (Fly's snake_case). */
export interface MachineGuest {
  readonly cpu_kind: string;
  readonly cpus: number;
  readonly memory_mb: number;
}

/**
 * The guest Fly gets for a size: the one place the config's camelCase VM
 * spec becomes the Machines API's snake_case. Pure.
 */
export function guestOf(vm: {
  readonly cpuKind: string;
  readonly cpus: number;
  readonly memoryMb: number;
}): MachineGuest {
  return { cpu_kind: vm.cpuKind, cpus: vm.cpus, memory_mb: vm.memoryMb };
}

/**
 * A Fly duration (fly-go writes strings such as "2m0s" or "120s"; the API
 * docs describe nanoseconds as a number) in seconds, or undefined. Pure.
 */
export function durationSeconds(v: unknown): number | undefined {
  if (typeof v === "number") return v / 1e9;
  if (typeof v !== "string") return undefined;
  const parts = [...v.trim().matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== v.trim()) return undefined;
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
  return parts.reduce((sum, p) => sum + Number(p[1]) * unit[p[2]], 0);
}

/** stop_config with its timeout in seconds, so that "120s" and "2m0s" compare equal. */
function normalStopConfig(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  const c = v as Record<string, unknown>;
  return { ...c, timeout: durationSeconds(c.timeout) ?? c.timeout };
}

/** True when `current` already has every rolled field of `desired`. Pure. */
export function configMatches(current: MachineConfig, desired: MachineConfig): boolean {
  return ROLLED_CONFIG_FIELDS.every((f) => {
    if (desired[f] === undefined) return true;
    const norm = f === "stop_config" ? normalStopConfig : (x: unknown) => x;
    return sameValue(norm(current[f]), norm(desired[f]));
  });
}

/** Deep equality of JSON values, whatever the order of object keys. Pure. */
export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(v: unknown): unknown {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
  return Object.fromEntries(
    Object.entries(v as Record<string, unknown>)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, x]) => [k, sortKeys(x)]),
  );
}
