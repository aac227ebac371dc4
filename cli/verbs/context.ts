/**
 * What every verb of ./k3s.sh gets (cli/verbs/index.ts maps actions to
 * verbs): the parsed options, the validated cluster, and getters for what
 * costs something to start (the target may start the local Fly; a stack run
 * starts the pacer), so a verb starts only what it uses.
 */
import { ClusterDefinition } from "../../config/load";
import { ClusterConfig } from "../../config/schema";
import { Log } from "../../ops/log";
import { MachinesApi } from "../../ops/machines-api";
import { Options } from "../options";
import { Stack } from "../stack";
import { Target, chooseTarget } from "../target";
import { toolchain } from "../toolchain";

export interface VerbContext {
  readonly opts: Options;
  /** The cluster directory as given, relative to the checkout: `clusters/<name>`. */
  readonly dir: string;
  readonly cluster: ClusterDefinition;
  /** Name of the control-plane server that bootstraps the cluster (BOOTSTRAP_NODE_ID). */
  readonly bootstrap: string;
  readonly log: Log;
  /** Fly.io or the local Fly, chosen on first use. */
  target(): Promise<Target>;
  /** A Machines API client for the target (directly, not through the pacer). */
  api(): Promise<MachinesApi>;
  /** OpenTofu runs on the stack of `config`; closed (pacer stopped) when the verb ends. */
  stack(config: ClusterConfig): Promise<Stack>;
}

/** One action of ./k3s.sh; answers the exit code. */
export type Verb = (ctx: VerbContext) => Promise<number>;

/** Runs `verb` with a context of those values; every stack it opened is closed, whatever happens. */
export async function runVerb(
  verb: Verb,
  values: Pick<VerbContext, "opts" | "dir" | "cluster" | "bootstrap" | "log">,
): Promise<number> {
  let target: Promise<Target> | undefined;
  let api: Promise<MachinesApi> | undefined;
  const stacks: Stack[] = [];
  const ctx: VerbContext = {
    ...values,
    target: () => (target ??= chooseTarget(values.log)),
    api: () =>
      (api ??= ctx.target().then((t) => new MachinesApi({ baseUrl: t.apiUrl, token: t.token }))),
    stack: async (config) => {
      const s = new Stack(config, toolchain(), await ctx.target(), values.log);
      stacks.push(s);
      return s;
    },
  };
  try {
    return await verb(ctx);
  } finally {
    for (const s of stacks) await s.close();
  }
}
