import { JOIN_TOKEN_FILE, SERVER_TOKEN_FILE } from "../contract/node-paths";
import { writeFileOn } from "./exec";
import { s3CredentialsBeforeFirstStart } from "./s3-credentials";
import { Log } from "./log";
import { MachinesApi } from "./machines-api";
import { waitNodeReady } from "./nodes";
import { poll } from "./poll";

/**
 * Reads the cluster token from the bootstrap server and writes it onto a
 * joining node (mode 0600, on its volume), where the node's entrypoint picks
 * it up; a server that names a snapshot bucket gets the S3 keys in `env`
 * first. The token travels in exec stdin/stdout only.
 */
export async function joinNode(
  api: MachinesApi,
  cpApp: string,
  bootstrap: string,
  app: string,
  node: string,
  log: Log,
  timeoutSec = 600,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const server = await api.findMachine(cpApp, bootstrap);
  const target = await api.findMachine(app, node);
  const token = await poll(
    `the cluster token on ${cpApp}/${server.name}`,
    timeoutSec,
    async () => {
      const r = await api.exec(cpApp, server.id, ["cat", SERVER_TOKEN_FILE]).catch(() => undefined);
      const t = r && r.exit_code === 0 ? r.stdout.trim() : "";
      return t ? t : undefined;
    },
    log,
  );
  await s3CredentialsBeforeFirstStart(api, app, target, env, log);
  await writeFileOn(api, app, target, JOIN_TOKEN_FILE, token + "\n");
  log(`machine ${app}/${target.name}: join token written`);
}

/**
 * The join step: writes the token onto `node`, then waits until the bootstrap
 * server sees it as a Ready node. The stack taints the control plane after
 * the servers' steps; workers' steps run beside them.
 */
export async function joinAndWaitReady(
  api: MachinesApi,
  cpApp: string,
  bootstrap: string,
  app: string,
  node: string,
  log: Log,
  timeoutSec = 600,
): Promise<string> {
  await joinNode(api, cpApp, bootstrap, app, node, log, timeoutSec);
  return waitNodeReady(api, cpApp, bootstrap, app, node, log, timeoutSec);
}
