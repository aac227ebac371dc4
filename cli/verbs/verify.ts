/** --verify: a conformance check of a running cluster (cli/verify/). */
import { runVerify } from "../verify/run";
import { VerbContext } from "./context";

export async function verify(ctx: VerbContext, json = ctx.opts.json): Promise<number> {
  const r = await runVerify({
    config: ctx.cluster.config,
    nodeGroups: ctx.cluster.nodeGroups,
    api: await ctx.api(),
    log: ctx.log,
    json,
  });
  return r.exitCode;
}
