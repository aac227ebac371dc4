/**
 * Normalizes `tofu show -json <planfile>` into a reviewable plan: one entry
 * per resource change with its address, actions and the planned values that
 * describe the cluster, with ids, zones and timestamps replaced by
 * placeholders so that the same change always reads the same. Pure.
 */

export interface PlanChange {
  readonly address: string;
  readonly actions: string[];
  readonly values?: Record<string, unknown>;
}

interface RawPlan {
  resource_changes?: {
    address: string;
    mode: string;
    type: string;
    change: { actions: string[]; after?: Record<string, unknown> | null };
  }[];
}

/** Planned values that vary from run to run however the cluster is declared. */
const VOLATILE = new Set([
  "id",
  "created_at",
  "updated_at",
  "instance_id",
  "private_ip",
  "state",
  "zone",
  "attached_machine_id",
]);

/** Values kept per resource type: what the cluster declares, not what Fly computes. */
const KEPT: Record<string, readonly string[]> = {
  fly_app: ["name", "org_slug"],
  fly_volume: ["app", "name", "region", "size_gb", "encrypted", "require_unique_zone"],
  fly_machine: ["app", "name", "region", "image", "guest", "mount", "restart", "env", "metadata"],
  null_resource: ["triggers"],
};

export function placeholders(text: string): string {
  return text
    .replace(/\bvol_[0-9a-z]+\b/g, "<volume-id>")
    .replace(/\b[0-9a-f]{14}\b/g, "<machine-id>")
    .replace(/("K3S_ZONE":")[0-9a-f]{4}(")/g, "$1<zone>$2");
}

function clean(value: unknown): unknown {
  if (typeof value === "string") return placeholders(value);
  if (Array.isArray(value)) return value.map(clean);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([k, v]) => !VOLATILE.has(k) && v !== null)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, k === "K3S_ZONE" ? "<zone>" : clean(v)]),
    );
  }
  return value;
}

export function normalizePlan(raw: RawPlan): PlanChange[] {
  return (raw.resource_changes ?? [])
    .filter((rc) => rc.mode === "managed" && !rc.change.actions.every((a) => a === "no-op"))
    .map((rc) => {
      const after = rc.change.after ?? undefined;
      const kept = KEPT[rc.type];
      const values =
        after && kept
          ? (clean(
              Object.fromEntries(kept.filter((k) => k in after).map((k) => [k, after[k]])),
            ) as Record<string, unknown>)
          : undefined;
      return { address: rc.address, actions: rc.change.actions, ...(values ? { values } : {}) };
    })
    .sort((a, b) => a.address.localeCompare(b.address));
}
