import { parseDocument, stringify } from "yaml";
import { ADMIN_KUBECONFIG } from "../contract/node-paths";
import { execOrFail } from "./exec";
import { Log } from "./log";
import { MachinesApi } from "./machines-api";
import { writePrivateFileAtomic } from "./private-file";

/**
 * Rewrites k3s's admin kubeconfig for use from outside: the server becomes
 * `server`, and cluster, user and context are named `name`. Pure.
 */
export function rewriteKubeconfig(text: string, name: string, server: string): string {
  const doc = parseDocument(text);
  const cfg = doc.toJS() as {
    clusters?: { name: string; cluster: Record<string, unknown> }[];
    users?: { name: string; user: Record<string, unknown> }[];
    contexts?: { name: string; context: Record<string, unknown> }[];
  };
  const cluster = cfg.clusters?.[0];
  const user = cfg.users?.[0];
  if (!cluster || !user) throw new Error("kubeconfig from the server has no cluster or user");
  const out = {
    apiVersion: "v1",
    kind: "Config",
    preferences: {},
    clusters: [{ name, cluster: { ...cluster.cluster, server } }],
    users: [{ name, user: user.user }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    "current-context": name,
  };
  return stringify(out);
}

/** Fetches the admin kubeconfig from a server and writes it to `out` (0600). */
export async function fetchKubeconfig(
  api: MachinesApi,
  cpApp: string,
  bootstrap: string,
  name: string,
  server: string,
  out: string,
  log: Log,
): Promise<void> {
  const m = await api.findMachine(cpApp, bootstrap);
  const raw = await execOrFail(api, m, cpApp, ["cat", ADMIN_KUBECONFIG]);
  writePrivateFileAtomic(out, rewriteKubeconfig(raw, name, server));
  log(`kubeconfig written to ${out} (server ${server})`);
}
