/**
 * Machine and volume states as Fly names them, and the groups the project
 * acts on: the deploy, the adoption, the roll and the CLI read them; the
 * local Fly (emulator/) moves its machines through them. One named list per
 * meaning, so a state added or misspelled shows in one place. Pure.
 */

/** Every state of a machine (Fly's machine lifecycle). */
export const MACHINE_STATES = [
  "created",
  "starting",
  "started",
  "stopping",
  "stopped",
  "suspending",
  "suspended",
  "updating",
  "failed",
  "destroying",
  "destroyed",
] as const;

export type MachineState = (typeof MACHINE_STATES)[number];

/** States of a machine that is no more (or soon no more). */
export const MACHINE_GONE: readonly MachineState[] = ["destroyed", "destroying"];

/**
 * States of a machine that exists but does not run: the roll starts it again
 * (the provider does not notice a machine that stopped), so the deploy re-runs
 * its roll step.
 */
export const MACHINE_DOWN: readonly MachineState[] = ["stopped", "suspended", "failed"];

/** The states `GET .../machines/<id>/wait?state=` accepts. */
export const WAITABLE_STATES = ["started", "stopped", "suspended", "destroyed"] as const;

/** Every state of a volume the project meets. */
export const VOLUME_STATES = ["created", "pending_destroy", "destroying", "destroyed"] as const;

export type VolumeState = (typeof VOLUME_STATES)[number];

/** States of a deleted volume (Fly soft-deletes: `pending_destroy` first). */
export const VOLUME_GONE: readonly VolumeState[] = ["pending_destroy", "destroyed", "destroying"];

/** Whether `state` (as Fly or the state file reports it, any string) is in `list`. Pure. */
export function stateIn(list: readonly string[], state: unknown): boolean {
  return typeof state === "string" && list.includes(state);
}
