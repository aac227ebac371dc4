/**
 * What a `--verify` run carries from step to step: its options, its context,
 * and the cluster's machines as the Machines API lists them.
 */
import { machineInternalName, nodeGroupAppName } from "../../config/naming";
import { ClusterConfig } from "../../config/schema";
import { Machine } from "../../contract/machines-api-types";
import { MachinesApiError } from "../../ops/machines-api";
import { MachineFacts, NodeSlot } from "./checks";
import { SignalSource } from "./cleanup";
import { Exec, VerifyApi } from "./exec";

export interface VerifyOptions {
  readonly config: ClusterConfig;
  /** Node groups recorded for the cluster (clusters/<name>/node-groups). */
  readonly nodeGroups: readonly string[];
  readonly api: VerifyApi;
  /** Progress, one line at a time (stderr). */
  readonly log: (line: string) => void;
  /** Print JSON instead of the table. */
  readonly json: boolean;
  /** Stops the run as an interrupt does (the namespace is still removed). */
  readonly signal?: AbortSignal;
  /** Where the report goes (default stdout). */
  readonly out?: (text: string) => void;
  /** Where interrupts come from (default this process's SIGINT and SIGTERM). */
  readonly signals?: SignalSource;
  /** Longest in-cluster wait, seconds, asked in rounds of ROUND_SEC (default 150). */
  readonly waitSec?: number;
  /** What the volume check writes (default random). */
  readonly token?: string;
}

/** What every step of a run reads: the options, the run's abort signal, the control plane's app. */
export interface Ctx {
  readonly opts: VerifyOptions;
  readonly signal: AbortSignal;
  readonly cpApp: string;
  readonly waitSec: number;
  /** Set once anything may have been applied: the cleanup runs through it. */
  cleanup?: Exec;
}

/** A machine of the cluster: its facts for the checks, and what exec needs. */
export interface ClusterMachine {
  readonly facts: MachineFacts;
  readonly machine: Machine;
}

const GONE = new Set(["destroyed", "destroying"]);

/** The cluster's machines that are not gone, app by app (servers first), each app's by name. */
export async function machinesOf(ctx: Ctx): Promise<ClusterMachine[]> {
  const { config, nodeGroups, api } = ctx.opts;
  const apps = [ctx.cpApp, ...nodeGroups.map((g) => nodeGroupAppName(config.clusterName, g))];
  const out: ClusterMachine[] = [];
  for (const app of apps) {
    const listed = await api.listMachines(app).catch((e: unknown) => {
      // A recorded group not deployed yet has no app: no machines.
      if (app !== ctx.cpApp && e instanceof MachinesApiError && e.status === 404) return [];
      throw e;
    });
    for (const m of listed
      .filter((x) => !GONE.has(x.state))
      .sort((a, b) => a.name.localeCompare(b.name))) {
      out.push({
        machine: m,
        facts: {
          app,
          name: m.name,
          id: m.id,
          state: m.state,
          privateIp: m.private_ip,
          server: app === ctx.cpApp,
          node: machineInternalName(app, m.id),
        },
      });
    }
  }
  return out;
}

/** A started machine as the in-cluster checks see it. */
export type Slot = NodeSlot & { readonly member: ClusterMachine };
