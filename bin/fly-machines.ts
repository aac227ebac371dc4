/**
 * fly-machines: the project's Machines API command, run by the stack's
 * provisioners and by k3s.sh. Reads FLY_API_TOKEN and FLY_API_URL, the same
 * settings as the Terraform provider.
 *
 *   fly-machines snapshots-off --app A --volume VOL_ID
 *   fly-machines roll          --app A --machine ID|NAME   (desired config JSON in $FLY_K3S_MACHINE_CONFIG)
 *                              [--wait-ready --cp-app CP --bootstrap ID|NAME [--etcd] [--timeout S]]
 *                              (after a restart: wait until the node is Ready in its new boot and,
 *                              with --etcd, until etcd reports healthy through it)
 *   fly-machines join          --cp-app CP --bootstrap ID|NAME --app A --machine ID|NAME [--timeout S]
 *                              (writes the join token, then waits until the node is Ready)
 *   fly-machines wait-ready    --cp-app CP --bootstrap ID|NAME --app A --machine ID|NAME [--timeout S]
 *   fly-machines bootstrap     --cp-app CP --bootstrap ID|NAME [--wait-ready] [--timeout S]
 *                              (asks the other servers whether the cluster formed, tells the
 *                              bootstrap server to found or join; --wait-ready: k3s runs, wait Ready)
 *   fly-machines taint         --cp-app CP --bootstrap ID|NAME
 *   fly-machines list          --app A
 *   fly-machines kubeconfig    --cp-app CP --bootstrap ID|NAME --cluster NAME --server URL --out FILE
 */
import { parseArgs } from "util";
import {
  disableScheduledSnapshots,
  fetchKubeconfig,
  joinAndWaitReady,
  rollNode,
  taintControlPlane,
  waitNodeReady,
} from "../ops/cluster-ops";
import { bootstrapServer, removeStaleServers } from "../ops/bootstrap";
import { FLY_MACHINES_OPTIONS } from "../ops/fly-machines-call";
import { MachineConfig, MachinesApi, apiOptionsFromEnv } from "../ops/machines-api";

async function listMachines(api: MachinesApi, app: string): Promise<void> {
  const rows = (await api.listMachines(app)).map((m) => [
    m.name,
    m.id,
    m.state,
    m.region,
    m.private_ip,
    m.config.env?.K3S_ZONE ?? "",
  ]);
  const table = [["NAME", "ID", "STATE", "REGION", "PRIVATE IP", "ZONE"], ...rows];
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  for (const r of table)
    console.log(
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join("  ")
        .trimEnd(),
    );
}

const log = (line: string) => console.error(`[fly-machines] ${line}`);

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const { values: o } = parseArgs({
    args: rest,
    options: FLY_MACHINES_OPTIONS,
  });
  const need = (key: keyof typeof o): string => {
    const v = o[key];
    if (typeof v !== "string" || !v) throw new Error(`${command}: --${key} is required`);
    return v;
  };
  if (o.timeout !== undefined && !/^[1-9]\d*$/.test(o.timeout)) {
    throw new Error(
      `--timeout must be a whole number of seconds (got ${JSON.stringify(o.timeout)})`,
    );
  }
  const timeout = o.timeout ? Number(o.timeout) : 600;
  const api = new MachinesApi(apiOptionsFromEnv());
  switch (command) {
    case "snapshots-off":
      return disableScheduledSnapshots(api, need("app"), need("volume"), log);
    case "roll": {
      const raw = process.env.FLY_K3S_MACHINE_CONFIG;
      if (!raw) throw new Error("roll: FLY_K3S_MACHINE_CONFIG is not set");
      const readiness = o["wait-ready"]
        ? {
            cpApp: need("cp-app"),
            bootstrap: need("bootstrap"),
            etcd: !!o.etcd,
            timeoutSec: timeout,
          }
        : undefined;
      if (o.etcd && !readiness) throw new Error("roll: --etcd needs --wait-ready");
      await rollNode(
        api,
        need("app"),
        need("machine"),
        JSON.parse(raw) as MachineConfig,
        log,
        readiness,
      );
      return;
    }
    case "join":
      await joinAndWaitReady(
        api,
        need("cp-app"),
        need("bootstrap"),
        need("app"),
        need("machine"),
        log,
        timeout,
      );
      // A server that replaced one with a lost volume: the dead member goes.
      if (need("app") === need("cp-app")) {
        await removeStaleServers(api, need("cp-app"), need("bootstrap"), log);
      }
      return;
    case "wait-ready":
      await waitNodeReady(
        api,
        need("cp-app"),
        need("bootstrap"),
        need("app"),
        need("machine"),
        log,
        timeout,
      );
      return;
    case "bootstrap":
      await bootstrapServer(api, need("cp-app"), need("bootstrap"), log, {
        k3s: !!o["wait-ready"],
        timeoutSec: timeout,
      });
      return;
    case "list":
      return listMachines(api, need("app"));
    case "taint":
      return taintControlPlane(api, need("cp-app"), need("bootstrap"), log);
    case "kubeconfig":
      return fetchKubeconfig(
        api,
        need("cp-app"),
        need("bootstrap"),
        need("cluster"),
        need("server"),
        need("out"),
        log,
      );
    default:
      throw new Error(
        `unknown command ${JSON.stringify(command ?? "")}; one of snapshots-off, roll, join, wait-ready, bootstrap, list, taint, kubeconfig`,
      );
  }
}

main(process.argv.slice(2)).catch((e: Error) => {
  console.error(`fly-machines: ${e.message}`);
  process.exitCode = 1;
});
