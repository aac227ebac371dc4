/**
 * fly-machines: the project's Machines API command, run by the stack's
 * provisioners and by k3s.sh. Reads FLY_API_TOKEN and FLY_API_URL, the same
 * settings as the Terraform provider. Its commands and options are the table
 * in contract/fly-machines-call.ts (`fly-machines --help` prints it).
 */
import { bootstrapServer, removeStaleServers } from "../ops/bootstrap";
import { joinAndWaitReady } from "../ops/join";
import { fetchKubeconfig } from "../ops/kubeconfig";
import { waitNodeReady } from "../ops/nodes";
import { rollStep } from "../ops/roll";
import { disableScheduledSnapshots } from "../ops/snapshots";
import { taintControlPlane } from "../ops/taint";
import {
  DEFAULT_TIMEOUT_SEC,
  FlyMachinesCall,
  ROLL_CONFIG_ENV,
  ROLLS_IN_TURNS_ENV,
  flyMachinesUsage,
  parseFlyMachinesArgs,
} from "../contract/fly-machines-call";
import { MachineConfig } from "../contract/machines-api-types";
import { MachinesApi, apiOptionsFromEnv } from "../ops/machines-api";

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

/** Runs one parsed call. */
async function run(api: MachinesApi, call: FlyMachinesCall): Promise<void> {
  const timeout = ("timeoutSec" in call && call.timeoutSec) || DEFAULT_TIMEOUT_SEC;
  switch (call.command) {
    case "snapshots-off":
      return disableScheduledSnapshots(api, call.app, call.volume, log);
    case "roll": {
      const raw = process.env[ROLL_CONFIG_ENV];
      if (!raw) throw new Error(`roll: ${ROLL_CONFIG_ENV} is not set`);
      const w = call.waitReady;
      await rollStep(
        api,
        call.app,
        call.machine,
        JSON.parse(raw) as MachineConfig,
        log,
        w && { cpApp: w.cpApp, bootstrap: w.bootstrap, etcd: w.etcd, timeoutSec: timeout },
        process.env[ROLLS_IN_TURNS_ENV] === "1",
      );
      return;
    }
    case "join":
      await joinAndWaitReady(api, call.cpApp, call.bootstrap, call.app, call.machine, log, timeout);
      // A server that replaced one with a lost volume: the dead member goes.
      if (call.app === call.cpApp) {
        await removeStaleServers(api, call.cpApp, call.bootstrap, log);
      }
      return;
    case "wait-ready":
      await waitNodeReady(api, call.cpApp, call.bootstrap, call.app, call.machine, log, timeout);
      return;
    case "bootstrap":
      await bootstrapServer(api, call.cpApp, call.bootstrap, log, {
        k3s: call.waitReady,
        timeoutSec: timeout,
      });
      return;
    case "list":
      return listMachines(api, call.app);
    case "taint":
      return taintControlPlane(api, call.cpApp, call.bootstrap, log);
    case "kubeconfig":
      return fetchKubeconfig(
        api,
        call.cpApp,
        call.bootstrap,
        call.cluster,
        call.server,
        call.out,
        log,
      );
  }
}

async function main(argv: string[]): Promise<void> {
  if (argv.length === 0 || ["--help", "-h", "help"].includes(argv[0])) {
    process.stdout.write(flyMachinesUsage());
    return;
  }
  let call: FlyMachinesCall;
  try {
    call = parseFlyMachinesArgs(argv);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${flyMachinesUsage()}`, { cause: e });
  }
  await run(new MachinesApi(apiOptionsFromEnv()), call);
}

main(process.argv.slice(2)).catch((e: Error) => {
  console.error(`fly-machines: ${e.message}`);
  process.exitCode = 1;
});
