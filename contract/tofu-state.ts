/**
 * What OpenTofu writes and the project reads back: the part of
 * `tofu show -json` (of a state) that the deploy, the adoption and the CLI
 * read, and the stategraph/fly provider's `mount` block as both the state and
 * the synthesized `cdk.tf.json` hold it. Pure.
 */
import type { RunningNode } from "../config/upgrade";
import { MACHINE_GONE, stateIn } from "./fly-states";
import type { NodeEnvName } from "./node-env";

export interface StateResource {
  readonly address: string;
  readonly type: string;
  readonly values: Record<string, unknown>;
}

/** The part of `tofu show -json` (of a state) that is read. */
export interface ShowState {
  readonly values?: { readonly root_module?: { readonly resources?: StateResource[] } };
}

/** The resources of a `tofu show -json`, none when there is no state. Pure. */
export function stateResources(show: ShowState | undefined): StateResource[] {
  return show?.values?.root_module?.resources ?? [];
}

/**
 * The volume a machine's `mount` names: the provider stores the block as one
 * object, Terraform's JSON may give it as a one-element list. Pure.
 */
export function mountedVolume(mount: unknown): string | undefined {
  const m = (Array.isArray(mount) ? mount[0] : mount) as { volume?: unknown } | null | undefined;
  return typeof m?.volume === "string" && m.volume ? m.volume : undefined;
}

/**
 * The k3s nodes a state records and the K3S_VERSION each was last rolled to
 * (config/upgrade.ts checks a new K3S_VERSION against them): each
 * fly_machine's env as the last refresh saw it on Fly, or, when that holds
 * none, the desired config its roll step last applied (`triggers.config`).
 * Machines Fly reports destroyed are left out: the deploy replaces them on the
 * configured version. Pure.
 */
export function runningNodes(show: ShowState | undefined): RunningNode[] {
  const resources = stateResources(show);
  const rolledTo = new Map<string, string>();
  for (const step of resources.filter((r) => r.type === "null_resource")) {
    const t = (step.values.triggers ?? {}) as Record<string, unknown>;
    if (typeof t.machine_id !== "string" || typeof t.config !== "string") continue;
    try {
      const env = (JSON.parse(t.config) as { env?: Record<string, unknown> }).env;
      if (typeof env?.K3S_VERSION === "string") rolledTo.set(t.machine_id, env.K3S_VERSION);
    } catch {
      // A trigger that is not JSON names no version.
    }
  }
  return resources
    .filter((r) => r.type === "fly_machine" && !stateIn(MACHINE_GONE, r.values.state))
    .flatMap((r) => {
      const env = (r.values.env ?? {}) as Partial<Record<NodeEnvName, string>>;
      const version = env.K3S_VERSION ?? rolledTo.get(r.values.id as string);
      if (version === undefined) return [];
      return [
        {
          machine: r.values.name as string,
          app: r.values.app as string,
          version,
          role: env.K3S_ROLE === "server" ? ("server" as const) : ("agent" as const),
          bootstrap: env.K3S_BOOTSTRAP === "true",
        },
      ];
    });
}
