/** --probe: what the cluster's org and region can run with its node image (cli/probe/). */
import { EMULATOR_TEST_IMAGE } from "../../config/naming";
import { buildTestImage } from "../../emulator/test-image";
import { ProbeInterrupted, printProbe, runProbe } from "../probe";
import { VerbContext } from "./context";

export async function probe(ctx: VerbContext): Promise<number> {
  const { config } = ctx.cluster;
  const target = await ctx.target();
  if (target.kind === "local" && config.nodeImage === EMULATOR_TEST_IMAGE) buildTestImage();
  try {
    const r = await runProbe({
      config,
      api: await ctx.api(),
      log: ctx.log,
      json: ctx.opts.json,
      target: target.kind,
    });
    printProbe(r, ctx.opts.json);
    return r.refusals.length === 0 ? 0 : 2;
  } catch (e) {
    if (e instanceof ProbeInterrupted) {
      ctx.log(e.message);
      return 130;
    }
    throw e;
  }
}
