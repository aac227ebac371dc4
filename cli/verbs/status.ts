/** --status and -l: every machine of the cluster (or of one app) as a table or JSON. */
import { vmSizeName } from "../../config/fly";
import { machineInternalName } from "../../config/naming";
import { MachinesApi } from "../../ops/machines-api";
import { appFor, clusterApps } from "../cluster-apps";
import { VerbContext } from "./context";

export interface MachineStatus {
  app: string;
  name: string;
  id: string;
  state: string;
  zone: string;
  private_ip: string;
  image: string;
  size: string;
  node_name: string;
}

/** The machines of `apps` Fly has not destroyed, sorted by app and name; an app Fly does not know has none. */
export async function machineStatus(
  api: MachinesApi,
  apps: readonly string[],
): Promise<MachineStatus[]> {
  const rows: MachineStatus[] = [];
  for (const app of apps) {
    const machines = await api.listMachines(app).catch((e: Error) => {
      if (/\b404\b/.test(e.message)) return [];
      throw e;
    });
    for (const m of machines.filter((x) => x.state !== "destroyed")) {
      const g = m.config.guest;
      rows.push({
        app,
        name: m.name,
        id: m.id,
        state: m.state,
        zone: m.config.env?.K3S_ZONE ?? "",
        private_ip: m.private_ip,
        image: m.config.image,
        size: g
          ? `${vmSizeName(g.cpu_kind, g.cpus) ?? `${g.cpu_kind} ${g.cpus} CPU`} ${g.memory_mb} MB`
          : "",
        node_name: machineInternalName(app, m.id),
      });
    }
  }
  return rows.sort((a, b) => a.app.localeCompare(b.app) || a.name.localeCompare(b.name));
}

function printTable(rows: Record<string, string>[]): void {
  if (rows.length === 0) return;
  const keys = Object.keys(rows[0]);
  const table = [
    keys.map((k) => k.toUpperCase().replace(/_/g, " ")),
    ...rows.map((r) => keys.map((k) => r[k])),
  ];
  const widths = keys.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  for (const r of table)
    console.log(
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join("  ")
        .trimEnd(),
    );
}

export async function status(ctx: VerbContext): Promise<number> {
  const { opts, cluster } = ctx;
  const apps = opts.group ? [appFor(cluster, ctx.dir, opts.group)] : clusterApps(cluster);
  const rows = await machineStatus(await ctx.api(), apps);
  if (opts.json) console.log(JSON.stringify(rows, null, 2));
  else printTable(rows as unknown as Record<string, string>[]);
  return 0;
}
