/**
 * --snapshots [--json]: the cluster's etcd snapshots, as k3s records them
 * (ETCDSnapshotFile resources, read through the bootstrap server:
 * ops/etcd-snapshot.ts): name, time, size, where. runVerb refuses it (exit 3)
 * on a node image without k3s.
 */
import { controlPlaneAppName } from "../../config/naming";
import { SnapshotRow, listEtcdSnapshots, whereText } from "../../ops/etcd-snapshot";
import { VerbContext } from "./context";

/** Bytes in binary units: `4.8 MiB`. Pure. */
export function sizeText(bytes: number | undefined): string {
  if (bytes === undefined) return "-";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let n = bytes;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${n.toFixed(1)} ${units[u]}`;
}

/** The table --snapshots prints: NAME, TIME, SIZE, WHERE. Pure. */
export function snapshotTable(rows: readonly SnapshotRow[]): string[] {
  if (rows.length === 0) return ["no etcd snapshots recorded yet"];
  const cells = [
    ["NAME", "TIME", "SIZE", "WHERE"],
    ...rows.map((r) => [
      r.name,
      r.time || "-",
      sizeText(r.sizeBytes),
      whereText(r) + (r.ready ? "" : ` (failed: ${r.error ?? "not ready"})`),
    ]),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...cells.map((c) => c[i].length)));
  return cells.map((c) =>
    [...c.slice(0, 3).map((x, i) => x.padEnd(widths[i])), c[3]].join("  ").trimEnd(),
  );
}

/** The JSON --snapshots --json prints, one object per snapshot. Pure. */
export function snapshotJson(rows: readonly SnapshotRow[]): string {
  return JSON.stringify(
    rows.map((r) => ({
      name: r.name,
      time: r.time || null,
      sizeBytes: r.sizeBytes ?? null,
      where: r.storage,
      node: r.node,
      location: r.location,
      ready: r.ready,
      ...(r.error ? { error: r.error } : {}),
    })),
    null,
    2,
  );
}

export async function snapshots(ctx: VerbContext): Promise<number> {
  const cpApp = controlPlaneAppName(ctx.cluster.config.clusterName);
  try {
    const rows = await listEtcdSnapshots(await ctx.api(), cpApp, ctx.bootstrap);
    if (ctx.opts.json) console.log(snapshotJson(rows));
    else for (const line of snapshotTable(rows)) console.log(line);
    return 0;
  } catch (e) {
    ctx.log(`the etcd snapshots could not be listed: ${(e as Error).message}`);
    return 1;
  }
}
