/**
 * `./k3s.sh --verify clusters/<name>`: asks a running cluster, through the
 * Machines API's exec on its machines, whether it works as this project
 * means it to (checks.ts has the list), and prints one line per check.
 *
 * Order: the machines (Machines API), then what the servers say (nodes, etcd),
 * then objects in namespace fly-k3s-verify (a DaemonSet, a pod behind two
 * Services, a claim), then the flannel devices on every machine. The
 * namespace is removed at the end, after a failure, and on Ctrl-C.
 *
 * Exit: 0 every check passed (a failure expected with the cluster's settings
 * counts as passed, and says so), 2 some failed, 1 could not run (no server
 * answers, the objects were refused, interrupted), 3 no Kubernetes is running
 * (the node image holds no k3s): nothing is applied then.
 */
import { randomBytes } from "crypto";
import { controlPlaneAppName } from "../../config/naming";
import { apply } from "./apply";
import { checkEtcdMembers, checkEtcdReadyz, checkNodes } from "./check-nodes-etcd";
import { checkVolume } from "./check-volume";
import { VerifyLine, exitCodeFor, skipped } from "./checks";
import { abortOnSignals, removeNamespace } from "./cleanup";
import * as cmd from "./commands";
import { Interrupted, execOn } from "./exec";
import {
  VERIFY_NAMESPACE,
  namespace,
  netDaemonSet,
  serviceObjects,
  volumeWriterObjects,
} from "./manifests";
import { noK3sBinary, noK3sImage } from "./no-k3s";
import { Answer, NodeFacts, parseMembers, parseNodes, said } from "./parse";
import { ExitCode, VerifyReport, renderJson, renderTable } from "./report";
import { ClusterMachine, Ctx, Slot, VerifyOptions, machinesOf } from "./run-context";
import { dnsLine, netPods, podLines, serviceLines, tunnelsLine, volume } from "./steps";

export type { VerifyOptions } from "./run-context";

export interface VerifyResult {
  readonly exitCode: ExitCode;
  readonly lines: VerifyLine[];
}

type Outcome = { readonly exitCode: ExitCode; readonly note?: string };

async function verify(ctx: Ctx, lines: VerifyLine[]): Promise<Outcome> {
  const { config, api, log } = ctx.opts;
  // The config alone can say there is no k3s: then nothing is asked of Fly.
  const byConfig = noK3sImage(config, []);
  if (byConfig) return { exitCode: 3, note: byConfig };
  const all = await machinesOf(ctx);
  const servers = all.filter((m) => m.facts.server);
  const started = all.filter((m) => m.facts.state === "started");
  const startedServers = started.filter((m) => m.facts.server);

  const byImage = noK3sImage(
    config,
    all.map((m) => m.machine.config.image),
  );
  if (byImage) return { exitCode: 3, note: byImage };
  if (startedServers.length === 0)
    return {
      exitCode: 1,
      note: `no started server in app ${ctx.cpApp}: nothing to ask (./k3s.sh --status clusters/${config.clusterName})`,
    };

  const on = (m: ClusterMachine) => execOn(api, m.facts.app, m.machine, ctx.signal);
  const first = startedServers[0];
  const byBinary = noK3sBinary(
    `${ctx.cpApp}/${first.facts.name}`,
    first.machine.config.image,
    await on(first)(cmd.K3S_VERSION),
  );
  if (byBinary) return { exitCode: 3, note: byBinary };

  // The server whose API server answers first asks everything in the cluster.
  let asker: ClusterMachine | undefined;
  let nodes: NodeFacts[] | undefined;
  const refused: string[] = [];
  for (const s of startedServers) {
    const a = await on(s)(cmd.GET_NODES);
    const parsed = a.answered && a.exitCode === 0 ? parseNodes(a.stdout) : undefined;
    if (parsed) {
      asker = s;
      nodes = parsed;
      break;
    }
    refused.push(`${s.facts.name}: ${said(a)}`);
  }
  if (!asker || !nodes)
    return {
      exitCode: 1,
      note: `no server's API server answers k3s kubectl get nodes (${refused.join("; ")})`,
    };
  log(`asking the cluster through ${ctx.cpApp}/${asker.facts.name}`);
  const ask = on(asker);

  // 1. Nodes.
  lines.push(
    checkNodes(
      all.map((m) => m.facts),
      nodes,
    ),
  );

  // 2. etcd.
  const membersAnswer = await ask(cmd.ETCD_MEMBERS);
  const members =
    membersAnswer.answered && membersAnswer.exitCode === 0
      ? parseMembers(membersAnswer.stdout)
      : undefined;
  lines.push(
    checkEtcdMembers({
      servers: servers.map((s) => s.facts),
      members,
      listWhy: members ? undefined : said(membersAnswer),
      nodes,
    }),
  );
  const readyz = new Map<string, Answer>();
  for (const s of servers) {
    readyz.set(
      s.facts.name,
      s.facts.state === "started"
        ? await on(s)(cmd.ETCD_READYZ)
        : { answered: false, why: `machine is ${s.facts.state}` },
    );
  }
  lines.push(
    checkEtcdReadyz(
      servers.map((s) => s.facts),
      readyz,
    ),
  );

  // 3-6. In the verify namespace, asked through the same server.
  const slots: Slot[] = started.map((m) => ({
    label: m.facts.name,
    node: m.facts.node,
    member: m,
  }));
  const readyNode = (s: Slot) => nodes?.some((n) => n.name === s.node && n.ready) === true;
  // The client asks the Service and keeps the volume; the backend serves on another node.
  const [client, backend] = [
    ...slots.filter((s) => !s.member.facts.server && readyNode(s)),
    ...slots.filter((s) => s.member.facts.server && readyNode(s)),
  ];
  const token = ctx.opts.token ?? randomBytes(16).toString("hex");
  const refusedWhy = await apply(ctx, ask, asker, [
    namespace(),
    netDaemonSet(),
    ...(client && backend ? serviceObjects(backend.node) : []),
    ...(client ? volumeWriterObjects(client.node, cmd.VOLUME_FILE, token) : []),
  ]);
  if (refusedWhy) return { exitCode: 1, note: refusedWhy };

  const net = await netPods(ctx, ask, slots);
  lines.push(...(await podLines(ask, config.flannelBackend, net)));
  lines.push(await dnsLine(ask, net, client, ctx.cpApp));
  lines.push(...(await serviceLines(ctx, ask, net, client, backend)));
  lines.push(
    client
      ? checkVolume(await volume(ctx, ask, client, token))
      : skipped("volume", "no Ready node"),
  );

  // 7. flannel's tunnels, on every started machine.
  lines.push(await tunnelsLine(ctx, slots, nodes));
  return { exitCode: exitCodeFor(lines) };
}

/** Runs the checks, removes what it applied, prints the report; see the file comment for exit codes. */
export async function runVerify(opts: VerifyOptions): Promise<VerifyResult> {
  const controller = new AbortController();
  const relay = () => controller.abort();
  if (opts.signal?.aborted) controller.abort();
  opts.signal?.addEventListener("abort", relay, { once: true });
  const uninstall = abortOnSignals(
    controller,
    opts.log,
    () => {
      opts.log(`left namespace ${VERIFY_NAMESPACE} in place`);
      process.exit(130);
    },
    opts.signals,
  );
  const ctx: Ctx = {
    opts,
    signal: controller.signal,
    cpApp: controlPlaneAppName(opts.config.clusterName),
    waitSec: opts.waitSec ?? 150,
  };
  const lines: VerifyLine[] = [];
  let outcome: Outcome;
  try {
    outcome = await verify(ctx, lines);
  } catch (e) {
    outcome =
      e instanceof Interrupted
        ? { exitCode: 1, note: "interrupted: the checks above ran, the others did not" }
        : { exitCode: 1, note: `could not run: ${(e as Error).message}` };
  } finally {
    if (ctx.cleanup) await removeNamespace(ctx.cleanup, opts.log);
    uninstall();
    opts.signal?.removeEventListener("abort", relay);
  }
  const report: VerifyReport = {
    cluster: opts.config.clusterName,
    flannelBackend: opts.config.flannelBackend,
    exitCode: outcome.exitCode,
    lines,
    ...(outcome.note ? { note: outcome.note } : {}),
  };
  const out = opts.out ?? ((text: string) => process.stdout.write(text));
  out(opts.json ? renderJson(report) : renderTable(report));
  return { exitCode: outcome.exitCode, lines };
}
