/**
 * --snapshot: an etcd snapshot now, taken by k3s on the bootstrap server
 * (ops/etcd-snapshot.ts); and the one the deploy takes before it rolls a new
 * K3S_VERSION (`snapshotBeforeUpgrade`, called by -c through
 * cli/upgrade.ts `upgradeAllowed`): no upgrade without a fresh snapshot.
 * runVerb refuses --snapshot (exit 3) on a node image without k3s.
 */
import { controlPlaneAppName, imageRunsK3s } from "../../config/naming";
import { Upgrade } from "../../config/upgrade";
import { snapshotDestination } from "../../config/snapshots";
import { preUpgradeSnapshotName, takeEtcdSnapshot, takenLines } from "../../ops/etcd-snapshot";
import { VerbContext } from "./context";

export async function snapshot(ctx: VerbContext): Promise<number> {
  const { config } = ctx.cluster;
  const cpApp = controlPlaneAppName(config.clusterName);
  ctx.log(
    `taking an etcd snapshot on ${cpApp}/${ctx.bootstrap}, ${snapshotDestination(config.snapshots)}`,
  );
  try {
    const taken = await takeEtcdSnapshot(await ctx.api(), cpApp, ctx.bootstrap, ctx.log);
    for (const line of takenLines(taken, config.snapshots.s3 !== undefined)) console.log(line);
    return 0;
  } catch (e) {
    ctx.log(`the etcd snapshot failed: ${(e as Error).message}`);
    return 1;
  }
}

/**
 * Before a deploy rolls `upgrade`: an etcd snapshot named
 * `pre-upgrade-<version>` on the bootstrap server, through the same
 * operation as --snapshot. True when the roll may go on: the snapshot was
 * taken, or no k3s runs on the bootstrap server (the local Fly's test image:
 * there is no etcd). False, saying why, when it failed: nothing is rolled.
 */
export async function snapshotBeforeUpgrade(
  ctx: Pick<VerbContext, "cluster" | "bootstrap" | "log" | "api" | "dir">,
  upgrade: Upgrade,
): Promise<boolean> {
  const { config } = ctx.cluster;
  const cpApp = controlPlaneAppName(config.clusterName);
  const name = preUpgradeSnapshotName(upgrade.to);
  const stop = (why: string) => {
    ctx.log(
      `not upgrading to ${upgrade.to}: the etcd snapshot before the roll (${name}) failed: ${why}. ` +
        `Nothing was rolled: no upgrade without a fresh snapshot. Fix the cause ` +
        `(./k3s.sh --snapshot ${ctx.dir} tries again and says what k3s answers), then deploy again`,
    );
    return false;
  };
  try {
    const api = await ctx.api();
    const server = await api.findMachine(cpApp, ctx.bootstrap);
    if (!imageRunsK3s(server.config.image)) {
      ctx.log(
        `no etcd snapshot before the roll to ${upgrade.to}: ${cpApp}/${server.name} runs ` +
          `${server.config.image}, which holds no k3s (no etcd to snapshot)`,
      );
      return true;
    }
    ctx.log(
      `before rolling ${upgrade.from.join(", ")} to ${upgrade.to}: an etcd snapshot, ` +
        `${snapshotDestination(config.snapshots)}`,
    );
    const taken = await takeEtcdSnapshot(api, cpApp, ctx.bootstrap, ctx.log, name);
    for (const line of takenLines(taken, config.snapshots.s3 !== undefined)) ctx.log(line);
    return true;
  } catch (e) {
    return stop((e as Error).message);
  }
}
