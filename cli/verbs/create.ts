/** -c: deploys the cluster (ops/deploy.ts through cli/stack.ts) and says what runs. */
import { EMULATOR_TEST_IMAGE, imageRunsK3s } from "../../config/naming";
import { buildTestImage } from "../../emulator/test-image";
import { addressChangeLine } from "../../ops/deploy";
import { clusterApps } from "../cluster-apps";
import { probeBeforeDeploy } from "../probe";
import { VerbContext } from "./context";
import { machineStatus } from "./status";
import { verify } from "./verify";

export async function create(ctx: VerbContext): Promise<number> {
  const { config } = ctx.cluster;
  const { log } = ctx;
  const target = await ctx.target();
  // The toolchain first (a missing one fails in a second), then first contact.
  const stack = await ctx.stack(config);
  if (target.kind === "fly") {
    // First contact: what this org and region can run, before anything is created.
    const reasons = await probeBeforeDeploy({ config, api: await ctx.api(), log, target: "fly" });
    if (reasons.length > 0) {
      log(`not deploying ${config.clusterName}: the probe of its org, region and image says:`);
      for (const r of reasons) log(`  - ${r}`);
      return 1;
    }
  }
  if (target.kind === "local" && config.nodeImage === EMULATOR_TEST_IMAGE) {
    log(`building the local Fly's test image ${EMULATOR_TEST_IMAGE} (cached)`);
    buildTestImage();
  }
  await stack.prepare();
  const r = await stack.deploy();
  if (r.status !== 0) {
    log(
      `deploy failed (exit ${r.status}); re-run the same command to resume: what was created is in the state`,
    );
    return 1;
  }
  const rows = await machineStatus(await ctx.api(), clusterApps(ctx.cluster));
  const running = rows.filter((m) => m.state === "started").length;
  log(
    `cluster ${config.clusterName}: ${running} of ${rows.length} machines started on ${target.kind === "fly" ? "Fly.io" : "the local Fly emulator"}`,
  );
  for (const rep of r.repairs) log(`repaired ${rep.address} (${rep.reason})`);
  for (const c of r.renumbered) log(addressChangeLine(c));
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
      `no Kubernetes is running: the node image ${config.nodeImage} is the local Fly's test image, which holds no k3s ` +
        `(k3s cannot be downloaded on this machine), so the join, taint and kubeconfig steps were left out. ` +
        `Set NODE_IMAGE in ${ctx.dir}/config to an image built from images/k3s-node to run them.`,
    );
  }
  return 0;
}
