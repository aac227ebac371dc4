/**
 * The command line of bin/fly-machines, defined once: the stack's steps build
 * their invocations with `flyMachinesArgs` from a typed call, and the command
 * parses them with `FLY_MACHINES_OPTIONS`. Pure.
 */

/** Options of bin/fly-machines (util.parseArgs form). */
export const FLY_MACHINES_OPTIONS = {
  app: { type: "string" },
  volume: { type: "string" },
  machine: { type: "string" },
  "cp-app": { type: "string" },
  bootstrap: { type: "string" },
  cluster: { type: "string" },
  server: { type: "string" },
  out: { type: "string" },
  timeout: { type: "string" },
  "wait-ready": { type: "boolean" },
  etcd: { type: "boolean" },
} as const;

/** The bootstrap server, as the subcommands that talk to k3s name it. */
export interface BootstrapRef {
  readonly cpApp: string;
  /** Machine id or name of the server whose k3s answers. */
  readonly bootstrap: string;
}

export type FlyMachinesCall =
  | { readonly command: "snapshots-off"; readonly app: string; readonly volume: string }
  | {
      readonly command: "roll";
      readonly app: string;
      readonly machine: string;
      /** Wait for the node to be Ready (and etcd healthy) around the roll. */
      readonly waitReady?: BootstrapRef & { readonly etcd: boolean };
    }
  | ({
      readonly command: "join" | "wait-ready";
      readonly app: string;
      readonly machine: string;
    } & BootstrapRef)
  | ({
      readonly command: "bootstrap";
      /** The image runs k3s: check etcd health, pass the token, wait until Ready. */
      readonly waitReady: boolean;
    } & BootstrapRef)
  | ({ readonly command: "taint" } & BootstrapRef)
  | ({
      readonly command: "kubeconfig";
      readonly cluster: string;
      readonly server: string;
      readonly out: string;
    } & BootstrapRef);

type Option = keyof typeof FLY_MACHINES_OPTIONS;

function opts(values: Partial<Record<Option, string | boolean | undefined>>): string[] {
  return Object.entries(values).flatMap(([k, v]) => {
    if (!(k in FLY_MACHINES_OPTIONS)) throw new Error(`fly-machines has no option --${k}`);
    if (v === undefined || v === false) return [];
    return v === true ? [`--${k}`] : [`--${k}`, v];
  });
}

const bootstrapOpts = (b: BootstrapRef) => ({ "cp-app": b.cpApp, bootstrap: b.bootstrap });

/** The arguments of one bin/fly-machines invocation, subcommand first. */
export function flyMachinesArgs(call: FlyMachinesCall): string[] {
  switch (call.command) {
    case "snapshots-off":
      return [call.command, ...opts({ app: call.app, volume: call.volume })];
    case "roll": {
      const w = call.waitReady;
      return [
        call.command,
        ...opts({ app: call.app, machine: call.machine }),
        ...(w ? opts({ "wait-ready": true, ...bootstrapOpts(w), etcd: w.etcd }) : []),
      ];
    }
    case "join":
    case "wait-ready":
      return [
        call.command,
        ...opts({ ...bootstrapOpts(call), app: call.app, machine: call.machine }),
      ];
    case "bootstrap":
      return [call.command, ...opts({ ...bootstrapOpts(call), "wait-ready": call.waitReady })];
    case "taint":
      return [call.command, ...opts(bootstrapOpts(call))];
    case "kubeconfig":
      return [
        call.command,
        ...opts({
          ...bootstrapOpts(call),
          cluster: call.cluster,
          server: call.server,
          out: call.out,
        }),
      ];
  }
}
