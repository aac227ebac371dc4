/**
 * The command line of bin/fly-machines, defined once: one table of its options
 * and commands. The stack's steps write an invocation from a typed call with
 * `flyMachinesArgs`, bin/fly-machines reads it back with
 * `parseFlyMachinesArgs`, and `flyMachinesUsage` prints the table, so there is
 * no second switch or usage text to drift (__tests__/contract/ holds the round
 * trip). Pure.
 */
import { parseArgs } from "util";

/** Every option: its parseArgs type, and for a value its placeholder and check. */
export const FLY_MACHINES_OPTIONS = {
  app: { type: "string", value: "APP" },
  volume: { type: "string", value: "VOL_ID" },
  machine: { type: "string", value: "ID|NAME" },
  "cp-app": { type: "string", value: "CP" },
  bootstrap: { type: "string", value: "ID|NAME" },
  cluster: { type: "string", value: "NAME" },
  server: { type: "string", value: "URL" },
  out: { type: "string", value: "FILE" },
  timeout: {
    type: "string",
    value: "S",
    pattern: /^[1-9]\d*$/,
    what: "a whole number of seconds",
  },
  "wait-ready": { type: "boolean" },
  etcd: { type: "boolean" },
} as const;

export type FlyMachinesOption = keyof typeof FLY_MACHINES_OPTIONS;

/** How long the commands that wait do so without --timeout. */
export const DEFAULT_TIMEOUT_SEC = 600;

/**
 * The environment variable that names bin/fly-machines for the stack's steps.
 * The synthesized stack holds no path of the machine that synthesized it, so a
 * stack synthesized in one place runs in another (a CI job's `cdktf synth`
 * then deploy, a moved checkout): whoever runs tofu on it sets this to its own
 * checkout's bin/fly-machines (cli/toolchain.ts does, for ./k3s.sh, npm run
 * cdktf and npm run tofu).
 */
export const OPS_COMMAND_ENV = "FLY_K3S_OPS_COMMAND";

/** The environment variable `roll` reads the desired machine config (JSON) from. */
export const ROLL_CONFIG_ENV = "FLY_K3S_MACHINE_CONFIG";

/**
 * Set to "1" by the deploy (ops/deploy.ts) on the OpenTofu runs whose rolls
 * it gives turns (ops/roll-turns.ts). Without it, `roll` refuses to change the
 * config of a machine that has run: outside the deploy nothing orders such
 * rolls (one server at a time, the workers after them). A machine's first
 * start, or a stopped machine started as it is, needs no turn.
 */
export const ROLLS_IN_TURNS_ENV = "FLY_K3S_ROLLS_IN_TURNS";

/** The bootstrap server, as the subcommands that talk to k3s name it. */
export interface BootstrapRef {
  readonly cpApp: string;
  /** Machine id or name of the server whose k3s answers. */
  readonly bootstrap: string;
}

/** Seconds to wait for a node before giving up. @default DEFAULT_TIMEOUT_SEC */
interface Waits {
  readonly timeoutSec?: number;
}

export type FlyMachinesCall =
  | { readonly command: "snapshots-off"; readonly app: string; readonly volume: string }
  | ({
      readonly command: "roll";
      readonly app: string;
      readonly machine: string;
      /** Wait for the node to be Ready (and etcd healthy) around the roll. */
      readonly waitReady?: BootstrapRef & { readonly etcd: boolean };
    } & Waits)
  | ({
      readonly command: "join" | "wait-ready";
      readonly app: string;
      readonly machine: string;
    } & BootstrapRef &
      Waits)
  | ({
      readonly command: "bootstrap";
      /** The image runs k3s: check etcd health, pass the token, wait until Ready. */
      readonly waitReady: boolean;
    } & BootstrapRef &
      Waits)
  | ({ readonly command: "taint" } & BootstrapRef)
  | { readonly command: "list"; readonly app: string }
  | ({
      readonly command: "kubeconfig";
      readonly cluster: string;
      readonly server: string;
      readonly out: string;
    } & BootstrapRef);

export type FlyMachinesCommand = FlyMachinesCall["command"];

/** The call of one command (join and wait-ready share a shape). */
type CallOf<C extends FlyMachinesCommand> = FlyMachinesCall & { readonly command: C };

/** Option values as parseArgs gives them; a command's required ones are present. */
type Values = Partial<Record<FlyMachinesOption, string | boolean>>;

interface CommandSpec<C extends FlyMachinesCommand> {
  /** What it does, for the usage text. */
  readonly doc: string;
  readonly required: readonly FlyMachinesOption[];
  readonly optional: readonly FlyMachinesOption[];
  /** With the key given, each option listed is required too. @default none */
  readonly needs?: Partial<Record<FlyMachinesOption, readonly FlyMachinesOption[]>>;
  /** The call's options, in the order they are written. */
  readonly write: (call: CallOf<C>) => Values;
  /** The call from options that passed the table's checks. */
  readonly read: (o: Values) => CallOf<C>;
}

const str = (o: Values, k: FlyMachinesOption): string => o[k] as string;
const timeoutOf = (o: Values): Waits => (o.timeout ? { timeoutSec: Number(o.timeout) } : {});
const writeTimeout = (c: Waits): Values =>
  c.timeoutSec === undefined ? {} : { timeout: String(c.timeoutSec) };
const writeRef = (b: BootstrapRef): Values => ({ "cp-app": b.cpApp, bootstrap: b.bootstrap });
const readRef = (o: Values): BootstrapRef => ({
  cpApp: str(o, "cp-app"),
  bootstrap: str(o, "bootstrap"),
});
const REF: readonly FlyMachinesOption[] = ["cp-app", "bootstrap"];

/** Every command of bin/fly-machines: its options, and how a call maps to them. */
export const FLY_MACHINES_COMMANDS: { readonly [C in FlyMachinesCommand]: CommandSpec<C> } = {
  "snapshots-off": {
    doc: "switch scheduled snapshots off on a volume",
    required: ["app", "volume"],
    optional: [],
    write: (c) => ({ app: c.app, volume: c.volume }),
    read: (o) => ({ command: "snapshots-off", app: str(o, "app"), volume: str(o, "volume") }),
  },
  roll: {
    doc:
      `bring a machine to the config in $${ROLL_CONFIG_ENV} (JSON) under a lease (a machine ` +
      `that never ran starts once; one that has run changes only with $${ROLLS_IN_TURNS_ENV}=1, ` +
      `set by the deploy); with --wait-ready, wait until the node is Ready in its new boot ` +
      `and, with --etcd, until etcd reports healthy through it`,
    required: ["app", "machine"],
    optional: ["wait-ready", ...REF, "etcd", "timeout"],
    needs: {
      "wait-ready": REF,
      "cp-app": ["wait-ready"],
      bootstrap: ["wait-ready"],
      etcd: ["wait-ready"],
    },
    write: (c) => ({
      app: c.app,
      machine: c.machine,
      ...(c.waitReady
        ? { "wait-ready": true, ...writeRef(c.waitReady), etcd: c.waitReady.etcd }
        : {}),
      ...writeTimeout(c),
    }),
    read: (o) => ({
      command: "roll",
      app: str(o, "app"),
      machine: str(o, "machine"),
      ...(o["wait-ready"] ? { waitReady: { ...readRef(o), etcd: !!o.etcd } } : {}),
      ...timeoutOf(o),
    }),
  },
  join: {
    doc: "write the join token onto a node, then wait until it is Ready",
    required: [...REF, "app", "machine"],
    optional: ["timeout"],
    write: (c) => ({ ...writeRef(c), app: c.app, machine: c.machine, ...writeTimeout(c) }),
    read: (o) => ({
      command: "join",
      ...readRef(o),
      app: str(o, "app"),
      machine: str(o, "machine"),
      ...timeoutOf(o),
    }),
  },
  "wait-ready": {
    doc: "wait until a node is Ready, as the bootstrap server sees it",
    required: [...REF, "app", "machine"],
    optional: ["timeout"],
    write: (c) => ({ ...writeRef(c), app: c.app, machine: c.machine, ...writeTimeout(c) }),
    read: (o) => ({
      command: "wait-ready",
      ...readRef(o),
      app: str(o, "app"),
      machine: str(o, "machine"),
      ...timeoutOf(o),
    }),
  },
  bootstrap: {
    doc:
      "ask the other servers whether the cluster formed and tell the bootstrap server to " +
      "found or join; with --wait-ready (the image runs k3s), wait until it is Ready",
    required: REF,
    optional: ["wait-ready", "timeout"],
    write: (c) => ({ ...writeRef(c), "wait-ready": c.waitReady, ...writeTimeout(c) }),
    read: (o) => ({
      command: "bootstrap",
      ...readRef(o),
      waitReady: !!o["wait-ready"],
      ...timeoutOf(o),
    }),
  },
  taint: {
    doc: "taint the control-plane nodes CriticalAddonsOnly",
    required: REF,
    optional: [],
    write: (c) => writeRef(c),
    read: (o) => ({ command: "taint", ...readRef(o) }),
  },
  list: {
    doc: "list an app's machines",
    required: ["app"],
    optional: [],
    write: (c) => ({ app: c.app }),
    read: (o) => ({ command: "list", app: str(o, "app") }),
  },
  kubeconfig: {
    doc: "write the admin kubeconfig for the cluster, its server URL replaced, to a file (0600)",
    required: [...REF, "cluster", "server", "out"],
    optional: [],
    write: (c) => ({ ...writeRef(c), cluster: c.cluster, server: c.server, out: c.out }),
    read: (o) => ({
      command: "kubeconfig",
      ...readRef(o),
      cluster: str(o, "cluster"),
      server: str(o, "server"),
      out: str(o, "out"),
    }),
  },
};

const COMMANDS = Object.keys(FLY_MACHINES_COMMANDS) as FlyMachinesCommand[];

function specOf<C extends FlyMachinesCommand>(command: C): CommandSpec<C> {
  return FLY_MACHINES_COMMANDS[command] as CommandSpec<C>;
}

/** Why the options given do not fit the command's row, or undefined. */
function problem(command: FlyMachinesCommand, o: Values): string | undefined {
  const spec = specOf(command);
  const given = (k: FlyMachinesOption) => o[k] !== undefined && o[k] !== false && o[k] !== "";
  const extra = (Object.keys(o) as FlyMachinesOption[]).find(
    (k) => given(k) && !spec.required.includes(k) && !spec.optional.includes(k),
  );
  if (extra) return `--${extra} is not an option of ${command}`;
  const missing = spec.required.find((k) => !given(k));
  if (missing) return `--${missing} is required`;
  for (const [k, needed] of Object.entries(spec.needs ?? {})) {
    const lacking = needed.find((n) => !given(n));
    if (given(k as FlyMachinesOption) && lacking) return `--${k} needs --${lacking}`;
  }
  return undefined;
}

/** The arguments of one bin/fly-machines invocation, subcommand first. */
export function flyMachinesArgs(call: FlyMachinesCall): string[] {
  const values = specOf(call.command).write(call as never);
  const why = problem(call.command, values);
  if (why) throw new Error(`fly-machines ${call.command}: ${why}`);
  return [
    call.command,
    ...Object.entries(values).flatMap(([k, v]) => {
      if (v === undefined || v === false) return [];
      return v === true ? [`--${k}`] : [`--${k}`, v];
    }),
  ];
}

/** An invocation of bin/fly-machines (subcommand first) as its call; throws saying what is wrong. */
export function parseFlyMachinesArgs(argv: readonly string[]): FlyMachinesCall {
  const [command, ...rest] = argv;
  if (!COMMANDS.includes(command as FlyMachinesCommand)) {
    throw new Error(
      `unknown command ${JSON.stringify(command ?? "")}; one of ${COMMANDS.join(", ")}`,
    );
  }
  const c = command as FlyMachinesCommand;
  const options = Object.fromEntries(
    Object.entries(FLY_MACHINES_OPTIONS).map(([k, v]) => [k, { type: v.type }]),
  ) as Record<FlyMachinesOption, { type: "string" | "boolean" }>;
  const { values } = parseArgs({ args: [...rest], options, strict: true });
  const o = values as Values;
  for (const [k, v] of Object.entries(FLY_MACHINES_OPTIONS)) {
    const given = o[k as FlyMachinesOption];
    if ("pattern" in v && typeof given === "string" && !v.pattern.test(given)) {
      throw new Error(`--${k} must be ${v.what} (got ${JSON.stringify(given)})`);
    }
  }
  const why = problem(c, o);
  if (why) throw new Error(`${c}: ${why}`);
  return specOf(c).read(o);
}

/** One option as the usage shows it. */
function shown(k: FlyMachinesOption): string {
  const v = FLY_MACHINES_OPTIONS[k] as { readonly value?: string };
  return v.value ? `--${k} ${v.value}` : `--${k}`;
}

/** The usage text, from the table. Pure. */
export function flyMachinesUsage(): string {
  const lines = [
    "usage: fly-machines COMMAND OPTIONS (FLY_API_TOKEN and FLY_API_URL from the environment)",
  ];
  for (const c of COMMANDS) {
    const spec = specOf(c);
    // "--a needs --b" lines, those needing the same options joined.
    const byNeeded = new Map<string, string[]>();
    for (const [k, n] of Object.entries(spec.needs ?? {})) {
      const key = n.map((x) => `--${x}`).join(", ");
      byNeeded.set(key, [...(byNeeded.get(key) ?? []), `--${k}`]);
    }
    const needs = [...byNeeded].map(
      ([n, ks]) => `${ks.join(", ")} ${ks.length > 1 ? "need" : "needs"} ${n}`,
    );
    lines.push(
      `  ${[c, ...spec.required.map(shown), ...spec.optional.map((k) => `[${shown(k)}]`)].join(" ")}`,
      `      ${spec.doc}${needs.length > 0 ? ` (${needs.join("; ")})` : ""}`,
    );
  }
  lines.push(`  --timeout: default ${DEFAULT_TIMEOUT_SEC} s`);
  return lines.join("\n") + "\n";
}
