/**
 * The critical-path floor of creating a cluster under Fly's rate limits: the
 * API calls a deploy cannot do without (apps, volumes, snapshots off, machines
 * with their final config, the wait for `started`), issued straight at the
 * Machines API, as early as Fly's per-action buckets (config/fly-limits.ts)
 * allow and as parallel as they allow. No Terraform, no state, no steps: what
 * is left when every avoidable cost is gone. Used by bench/create.ts.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { bucketKey, flyAction } from "../config/fly-limits";
import { MachinesApi } from "../ops/machines-api";
import { TokenBuckets } from "../ops/fly-pacer";

/** Waits for a token of Fly's bucket for one request, queueing as the pacer does. */
export class Buckets {
  private readonly buckets = new TokenBuckets();

  async take(method: string, path: string): Promise<void> {
    const a = flyAction(method, path);
    const wait = this.buckets.reserve(bucketKey(a), a.limit, Date.now());
    if (wait > 0) await sleep(wait);
  }
}

export interface FloorApp {
  readonly app: string;
  readonly machines: string[];
}

export interface FloorShape {
  readonly org: string;
  readonly region: string;
  readonly image: string;
  readonly volumeName: string;
  readonly apps: FloorApp[];
}

/** Creates the shape through the API as fast as the limits allow; resolves with the seconds it took. */
export async function createFloor(api: MachinesApi, shape: FloorShape): Promise<number> {
  const buckets = new Buckets();
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    await buckets.take(method, path);
    return api.request<T>(method, path, body);
  };
  const t0 = Date.now();
  await Promise.all(
    shape.apps.map(async ({ app, machines }) => {
      await call("POST", "/apps", { app_name: app, org_slug: shape.org });
      await Promise.all(
        machines.map(async (name) => {
          const vol = await call<{ id: string }>("POST", `/apps/${app}/volumes`, {
            name: shape.volumeName,
            region: shape.region,
            size_gb: 1,
            require_unique_zone: true,
          });
          const [, machine] = await Promise.all([
            call("PUT", `/apps/${app}/volumes/${vol.id}`, { auto_backup_enabled: false }),
            call<{ id: string }>("POST", `/apps/${app}/machines`, {
              name,
              region: shape.region,
              config: {
                image: shape.image,
                mounts: [{ volume: vol.id, path: "/var/lib/rancher" }],
                restart: { policy: "always", max_retries: 0 },
                stop_config: { signal: "SIGTERM", timeout: "120s" },
              },
            }),
          ]);
          await call("GET", `/apps/${app}/machines/${machine.id}/wait?state=started&timeout=60`);
        }),
      );
    }),
  );
  return (Date.now() - t0) / 1000;
}

/** Removes what createFloor made (not timed). */
export async function removeFloor(api: MachinesApi, shape: FloorShape): Promise<void> {
  const buckets = new Buckets();
  const call = async <T>(method: string, path: string): Promise<T> => {
    await buckets.take(method, path);
    return api.request<T>(method, path);
  };
  for (const { app } of shape.apps) {
    const ms = await call<{ id: string }[]>("GET", `/apps/${app}/machines`);
    await Promise.all(
      ms.map((m) => call("DELETE", `/apps/${app}/machines/${m.id}?force=true`).catch(() => {})),
    );
    await call("DELETE", `/apps/${app}`).catch(() => {});
  }
}
