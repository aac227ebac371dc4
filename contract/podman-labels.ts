/**
 * The podman labels the local Fly puts on every container, network and volume
 * it makes: the emulator writes them and filters by them; the operator CLI
 * (`./k3s.sh -s`) and the tests find a machine's container by them. Pure.
 */

/** On everything any emulator made (`npm run emulator -- --reset-all` removes by it). */
export const LABEL = "io.fly-k3s.emulator";
/** The emulator instance (EmulatorState.instance) that made it. */
export const LABEL_INSTANCE = `${LABEL}.instance`;
export const LABEL_APP = `${LABEL}.app`;
/** The machine id a container runs. */
export const LABEL_MACHINE = `${LABEL}.machine`;
export const LABEL_ZONE = `${LABEL}.zone`;

/** A podman `--filter` value selecting objects whose `label` is `value`. Pure. */
export function labelFilter(label: string, value: string): string {
  return `label=${label}=${value}`;
}
