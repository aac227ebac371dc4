/**
 * The command line of ./k3s.sh: every flag defined once, with its help text;
 * parsing with Node's util.parseArgs and the help generated from the same
 * table. Pure.
 */
import { parseArgs } from "util";
import { EnvVar, environmentOf } from "../contract/environment";

interface FlagDef<A extends string = string> {
  readonly long: string;
  readonly short?: string;
  /** Name of the flag's value in the help, when it takes one. */
  readonly value?: string;
  /** The action it selects (cli/verbs/index.ts runs it); flags without one modify an action. */
  readonly action?: A;
  readonly help: string;
}

// The actions are read off this table, so a new action is one row here (and
// its verb: cli/verbs/index.ts refuses to compile without it).
const FLAG_TABLE = [
  {
    long: "create",
    short: "c",
    action: "create",
    help: "create or update the cluster: control plane (ctrl-0..2) and every recorded node group; repairs what drifted; safe to re-run",
  },
  {
    long: "add",
    short: "a",
    value: "GROUP",
    action: "add",
    help: "record node group GROUP (clusters/<name>/node-groups) and deploy it",
  },
  {
    long: "kubeconfig",
    short: "k",
    action: "kubeconfig",
    help: "write ~/.kube/<cluster> with two contexts: <cluster> (6PN, over a Fly WireGuard peer) and <cluster>-proxy (through fly proxy); exit 3 when the node image holds no k3s",
  },
  {
    long: "taint",
    short: "t",
    action: "taint",
    help: "taint the control plane CriticalAddonsOnly=true:NoExecute; exit 3 when the node image holds no k3s",
  },
  {
    long: "list",
    short: "l",
    value: "cp|GROUP",
    action: "list",
    help: "list the machines of the control plane or a node group",
  },
  {
    long: "shell",
    short: "s",
    value: "cp|GROUP",
    action: "shell",
    help: "open a shell on a machine of the control plane or a node group (MACHINE=<name> picks one)",
  },
  {
    long: "plan",
    short: "p",
    action: "plan",
    help: "show what a deploy would change; changes nothing (exit 0 none, 2 changes, 1 error or a refused K3S_VERSION)",
  },
  {
    long: "destroy",
    short: "d",
    action: "destroy",
    help: "remove everything the cluster created (apps, machines, volumes, state) after a confirmation",
  },
  {
    long: "drift",
    action: "drift",
    help: "compare Fly with the config and state (exit 0 same, 2 differs, with the list)",
  },
  {
    long: "status",
    action: "status",
    help: "per machine: app, id, state, zone, 6PN address, image, size, node name",
  },
  {
    long: "probe",
    action: "probe",
    help: "what the cluster's org and region can run with NODE_IMAGE: one throwaway machine, removed afterwards (exit 0, 2 a deploy would be refused)",
  },
  {
    long: "verify",
    action: "verify",
    help: "check a running cluster: nodes, etcd, pod traffic across nodes, DNS, Services, a volume (exit 0 pass, 2 failures, 1 could not run, 3 no Kubernetes)",
  },
  {
    long: "snapshot",
    action: "snapshot",
    help: "take an etcd snapshot now, on the bootstrap server (to S3 when SNAPSHOT_S3_BUCKET is set); exit 3 when the node image holds no k3s",
  },
  {
    long: "snapshots",
    action: "snapshots",
    help: "list the etcd snapshots: name, time, size, where; exit 3 when the node image holds no k3s",
  },
  {
    long: "restore",
    value: "SNAPSHOT",
    action: "restore",
    help: "restore etcd from SNAPSHOT: stop every server, cluster-reset on the bootstrap server, rejoin the others, restart agents; asks for the cluster's name",
  },
  {
    long: "remove",
    short: "r",
    value: "GROUP",
    action: "remove",
    help: "drain and delete node group GROUP (nodes, machines, volumes, app) and its node-groups entry, after a confirmation",
  },
  { long: "json", help: "with --status, -l, --probe, --snapshots or --verify: print JSON" },
  { long: "no-verify", help: "with -c or -a: skip the conformance check (--verify) at the end" },
  { long: "yes", help: "with --destroy, --restore or -r: do not ask (for CI)" },
  { long: "force", help: "with --restore: restore even while the cluster answers healthy" },
  { long: "help", short: "h", help: "this help" },
] as const satisfies readonly FlagDef[];

/** What ./k3s.sh is asked to do: one flag of the table selects it. */
export type Action = Extract<(typeof FLAG_TABLE)[number], { action: string }>["action"];

export const FLAGS: readonly FlagDef<Action>[] = FLAG_TABLE;

export interface Options {
  readonly action?: Action;
  /** GROUP of -a, -l, -s, -r. */
  readonly group?: string;
  /** SNAPSHOT of --restore. */
  readonly snapshot?: string;
  readonly clusterDir?: string;
  readonly json: boolean;
  readonly yes: boolean;
  /** --restore: even while the cluster answers healthy. */
  readonly force: boolean;
  /** -c/-a: skip --verify at the end. */
  readonly noVerify: boolean;
  readonly help: boolean;
}

export class UsageError extends Error {}

function flagName(f: FlagDef): string {
  return (f.short ? `-${f.short}, ` : "    ") + `--${f.long}` + (f.value ? ` ${f.value}` : "");
}

/** The environment section of the help: contract/environment.ts, the one table. Pure. */
function environmentHelp(): string[] {
  const operator = environmentOf("operator");
  const internal = environmentOf("internal");
  const width = Math.max(...[...operator, ...internal].map((v) => v.name.length));
  const rows = (vars: readonly EnvVar[]) => vars.map((v) => `  ${v.name.padEnd(width)}  ${v.doc}`);
  return [
    "Environment:",
    ...rows(operator),
    "",
    "Set by fly-k3s for the processes it starts (not for you to set):",
    ...rows(internal),
  ];
}

export function usage(): string {
  const width = Math.max(...FLAGS.map((f) => flagName(f).length));
  return [
    "Usage: ./k3s.sh ACTION clusters/<name>",
    "",
    ...FLAGS.map((f) => `  ${flagName(f).padEnd(width)}  ${f.help}`),
    "",
    ...environmentHelp(),
    "",
  ].join("\n");
}

export function parseOptions(argv: string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(
        FLAGS.map((f) => [
          f.long,
          { type: f.value ? "string" : "boolean", ...(f.short ? { short: f.short } : {}) } as const,
        ]),
      ),
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message} (see ./k3s.sh -h)`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) return { help: true, json: false, yes: false, force: false, noVerify: false };
  const chosen = FLAGS.filter((f) => f.action && values[f.long] !== undefined);
  if (chosen.length === 0) throw new UsageError(`give an action\n\n${usage()}`);
  if (chosen.length > 1) {
    throw new UsageError(
      `give one action, not ${chosen.map((f) => `--${f.long}`).join(" and ")} (see ./k3s.sh -h)`,
    );
  }
  if (parsed.positionals.length !== 1) {
    throw new UsageError(
      "give exactly one cluster directory, e.g. clusters/fly-k3s-poc (see ./k3s.sh -h)",
    );
  }
  const [flag] = chosen;
  return {
    action: flag.action,
    group: flag.value && flag.long !== "restore" ? String(values[flag.long]) : undefined,
    snapshot: flag.long === "restore" ? String(values[flag.long]) : undefined,
    clusterDir: parsed.positionals[0],
    json: values.json === true,
    yes: values.yes === true,
    force: values.force === true,
    noVerify: values["no-verify"] === true,
    help: false,
  };
}
