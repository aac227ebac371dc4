/**
 * --restore SNAPSHOT: restores etcd from a k3s snapshot (ops/restore.ts),
 * after the cluster's name is typed (or --yes), then, when the node image
 * runs k3s, the conformance check. Without k3s (the local Fly's test image)
 * only the Fly half runs: which machine stops, starts, and what it is told.
 */
import { controlPlaneAppName, imageRunsK3s, nodeGroupAppName } from "../../config/naming";
import { restoreCluster } from "../../ops/restore";
import { noKubernetes } from "../no-kubernetes";
import { UsageError } from "../options";
import { VerbContext } from "./context";
import { verify } from "./verify";
import { ask } from "../ask";

/** How long the restore waits for each server to be healthy, and each agent Ready. */
const WAIT_SEC = 900;

export async function restore(ctx: VerbContext): Promise<number> {
  const { config, nodeGroups } = ctx.cluster;
  const name = config.clusterName;
  const snapshot = ctx.opts.snapshot;
  if (!snapshot) throw new UsageError("--restore needs SNAPSHOT (see ./k3s.sh -h)");
  // Refused before anything starts: no answer could ever come.
  if (!ctx.opts.yes && !process.stdin.isTTY) {
    throw new Error(
      "--restore asks for the cluster's name before it stops every server: give --yes to " +
        "restore without a terminal",
    );
  }
  const k3s = imageRunsK3s(config.nodeImage);
  if (!k3s) {
    ctx.log(
      noKubernetes(
        config.nodeImage,
        ctx.dir,
        "the restore runs its Fly half only (which server stops and starts, and what each is " +
          "told); nothing restores etcd or becomes healthy",
      ),
    );
  }
  const target = await ctx.target();
  const r = await restoreCluster(
    await ctx.api(),
    {
      cpApp: controlPlaneAppName(name),
      bootstrap: ctx.bootstrap,
      agentApps: nodeGroups.map((g) => nodeGroupAppName(name, g)),
      snapshot,
      k3s,
      force: ctx.opts.force,
      timeoutSec: WAIT_SEC,
      confirm: async () => {
        if (ctx.opts.yes) return true;
        const answer = await ask(
          `restore cluster ${name} (${target.kind}) from ${snapshot}: every server stops, and ` +
            `everything written since the snapshot is lost. Type its name: `,
        );
        if (answer.trim() === name) return true;
        ctx.log("not restored: nothing was changed");
        return false;
      },
    },
    ctx.log,
  );
  if (r === "declined") return 1;
  if (!k3s) return 0;
  ctx.log(`checking that the restored cluster works (./k3s.sh --verify ${ctx.dir})`);
  const code = await verify(ctx, false);
  // 3 (no Kubernetes) is a failure here: this image was meant to run k3s.
  return code === 3 ? 1 : code;
}
