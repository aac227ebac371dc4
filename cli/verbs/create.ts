/** -c: deploys the cluster (ops/deploy.ts through cli/stack.ts) and says what runs. */
import * as path from "path";
import { CONFIG_FILE } from "../../config/load";
import { upgradeAllowed } from "../upgrade";
import { Upgrade } from "../../config/upgrade";
import { EMULATOR_TEST_IMAGE, imageRunsK3s } from "../../config/naming";
import { buildTestImage } from "../../emulator/test-image";
import { clusterApps } from "../cluster-apps";
import { noKubernetes } from "../no-kubernetes";
import { probeBeforeDeploy } from "../probe";
import { DEPLOY_FAILED, deployReport } from "../stack";
import { VerbContext } from "./context";
import { snapshotBeforeUpgrade } from "./snapshot";
import { machineStatus } from "./status";
import { verify } from "./verify";

export async function create(ctx: VerbContext): Promise<number> {
  const { config } = ctx.cluster;
  const { log } = ctx;
  // runVerb has checked the toolchain (VERBS: tofu) before this starts the target.
  const target = await ctx.target();
  const stack = await ctx.stack(config);
  // Synthesis and init run beside what must come before the deploy: the
  // first-contact probe on Fly, the test image's build on the local Fly.
  const prepared = stack.prepare();
  prepared.catch(() => {}); // awaited below; not unhandled if this returns first
  if (target.kind === "fly") {
    // First contact: what this org and region can run, before anything is created.
    const reasons = await probeBeforeDeploy({ config, api: await ctx.api(), log, target: "fly" });
    if (reasons.length > 0) {
      log(`not deploying ${config.clusterName}: the probe of its org, region and image says:`);
      for (const r of reasons) log(`  - ${r}`);
      await prepared.catch(() => {});
      return 1;
    }
  }
  if (target.kind === "local" && config.nodeImage === EMULATOR_TEST_IMAGE) {
    log(`building the local Fly's test image ${EMULATOR_TEST_IMAGE} (cached)`);
    buildTestImage();
  }
  await prepared;
  const shown = path.join(ctx.dir, CONFIG_FILE);
  // A K3S_VERSION change rolls only after a fresh etcd snapshot (cli/verbs/snapshot.ts).
  const snapshotFirst = (u: Upgrade) => snapshotBeforeUpgrade(ctx, u);
  // The state read here is the one the deploy starts from (read once).
  const tofu = (a: string[]) =>
    a[0] === "show" && a.length <= 3 ? stack.showState() : stack.tofu(a);
  if (!(await upgradeAllowed(tofu, ctx.cluster, shown, log, snapshotFirst))) {
    return 1;
  }
  const r = await stack.deploy();
  if (r.status !== 0) {
    log(`deploy failed (exit ${r.status}); ${DEPLOY_FAILED}`);
    return 1;
  }
  const rows = await machineStatus(await ctx.api(), clusterApps(ctx.cluster));
  const running = rows.filter((m) => m.state === "started").length;
  log(
    `cluster ${config.clusterName}: ${running} of ${rows.length} machines started on ${target.kind === "fly" ? "Fly.io" : "the local Fly emulator"}`,
  );
  for (const line of deployReport(r)) log(line);
  if (imageRunsK3s(config.nodeImage)) {
    if (ctx.opts.noVerify) {
      log(`--no-verify: the conformance check (./k3s.sh --verify ${ctx.dir}) was skipped`);
    } else {
      log(`checking that the cluster works (./k3s.sh --verify; --no-verify skips it)`);
      const code = await verify(ctx, false);
      // 3 (no Kubernetes) is a failure here: this image was meant to run k3s.
      if (code !== 0) return code === 3 ? 1 : code;
    }
    log(`cluster ${config.clusterName} is up; ./k3s.sh -k ${ctx.dir} writes the kubeconfig`);
  } else {
    log(
      noKubernetes(config.nodeImage, ctx.dir, "the join, taint and kubeconfig steps were left out"),
    );
  }
  return 0;
}
