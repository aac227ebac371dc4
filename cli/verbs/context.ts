/**
 * What every verb of ./k3s.sh gets (cli/verbs/index.ts maps actions to
 * verbs): the parsed options, the validated cluster, and getters for what
 * costs something to start (the target may start the local Fly; a stack run
 * starts the pacer), so a verb starts only what it uses.
 */
import { ClusterDefinition } from "../../config/load";
import { imageRunsK3s } from "../../config/naming";
import { ClusterConfig } from "../../config/schema";
import { Log } from "../../ops/log";
import { MachinesApi } from "../../ops/machines-api";
import { noKubernetes } from "../no-kubernetes";
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

/** Exit code of a verb refused because no Kubernetes is running (as --verify's). */
export const NO_KUBERNETES_EXIT = 3;

/** A verb and what it needs, checked before it runs (cli/verbs/index.ts has one per action). */
export interface VerbSpec {
  readonly run: Verb;
  /** It runs OpenTofu: the toolchain is checked first, before the local Fly is started. */
  readonly tofu: boolean;
  /**
   * It works on k3s. On a node image without k3s it is said so, with what
   * that means for this verb (`consequence`), before anything starts; with
   * `refuse`, the verb does not run and the exit code is NO_KUBERNETES_EXIT.
   */
  readonly k3s?: { readonly refuse: boolean; readonly consequence: string };
}

/**
 * Runs a verb with a context of those values, after what it needs is checked
 * (k3s on the node image, then the toolchain: before the target, so a missing
 * OpenTofu never waits for the local Fly to start); every stack it opened is
 * closed, whatever happens.
 */
export async function runVerb(
  spec: VerbSpec,
  values: Pick<VerbContext, "opts" | "dir" | "cluster" | "bootstrap" | "log">,
): Promise<number> {
  const { config } = values.cluster;
  if (spec.k3s && !imageRunsK3s(config.nodeImage)) {
    values.log(noKubernetes(config.nodeImage, values.dir, spec.k3s.consequence));
    if (spec.k3s.refuse) return NO_KUBERNETES_EXIT;
  }
  const tools = spec.tofu ? toolchain() : undefined;
  let target: Promise<Target> | undefined;
  let api: Promise<MachinesApi> | undefined;
  const stacks: Stack[] = [];
  const ctx: VerbContext = {
    ...values,
    target: () => (target ??= chooseTarget(values.log)),
    api: () =>
      (api ??= ctx.target().then((t) => new MachinesApi({ baseUrl: t.apiUrl, token: t.token }))),
    stack: async (stackConfig) => {
      const s = new Stack(stackConfig, tools ?? toolchain(), await ctx.target(), values.log);
      stacks.push(s);
      return s;
    },
  };
  try {
    return await spec.run(ctx);
  } finally {
    for (const s of stacks) await s.close();
  }
}
