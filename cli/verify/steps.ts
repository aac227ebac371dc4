/**
 * The steps of a run after the nodes and etcd: each asks the cluster (in the
 * verify namespace, or on the machines for the tunnels) and hands what it saw
 * to its check.
 */
import { appInternalHost } from "../../config/naming";
import { FlannelBackend } from "../../config/schema";
import { waitFor } from "./apply";
import { checkDns, checkService } from "./check-dns-services";
import { checkPods, podMatrix } from "./check-pods";
import { TunnelFacts, checkTunnels } from "./check-tunnels";
import { VolumeFacts } from "./check-volume";
import { NodeSlot, VerifyLine, skipped } from "./checks";
import * as cmd from "./commands";
import { Exec, execOn } from "./exec";
import { NAMES, toYaml, volumeReaderObject } from "./manifests";
import { Answer, NodeFacts, parsePods, parseServices, parseVolumePath, said } from "./parse";
import { Ctx, Slot } from "./run-context";

/** Each node's Ready verify-net pod, once the DaemonSet has rolled out (or its wait ran out). */
export async function netPods(ctx: Ctx, ask: Exec, slots: readonly Slot[]): Promise<NodeSlot[]> {
  const rollout = await waitFor(ctx, ask, (sec) => cmd.waitDaemonSet(NAMES.daemonSet, sec));
  if (!rollout.answered || rollout.exitCode !== 0)
    ctx.opts.log(`not every verify pod is Ready (${said(rollout)}); checking with those that are`);
  const answer = await ask(cmd.GET_PODS);
  const pods = (answer.answered && parsePods(answer.stdout)) || [];
  return slots.map((s) => ({
    label: s.label,
    node: s.node,
    pod: pods.find((p) => p.component === "net" && p.node === s.node && p.ready),
  }));
}

/** 3. Every pod asks every other node's pod, both families at once. */
export async function podLines(
  ask: Exec,
  backend: FlannelBackend,
  net: readonly NodeSlot[],
): Promise<VerifyLine[]> {
  const probes = new Map<string, Answer>();
  for (const s of net) {
    if (!s.pod) continue;
    const targets = net
      .filter((o) => o !== s)
      .flatMap((o) => o.pod?.ips ?? [])
      .map(cmd.urlHost);
    probes.set(s.label, await ask(cmd.inPod(s.pod.name, cmd.PROBE_SCRIPT, targets)));
  }
  return [
    checkPods("IPv6", backend, podMatrix("IPv6", net, probes)),
    checkPods("IPv4", backend, podMatrix("IPv4", net, probes)),
  ];
}

/** 4. The client's pod (any pod when there is no client) resolves both names. */
export async function dnsLine(
  ask: Exec,
  net: readonly NodeSlot[],
  client: Slot | undefined,
  cpApp: string,
): Promise<VerifyLine> {
  const from = net.find((s) => s.node === client?.node && s.pod) ?? net.find((s) => s.pod);
  const names = ["kubernetes.default", appInternalHost(cpApp)];
  return from?.pod
    ? checkDns(names, await ask(cmd.inPod(from.pod.name, cmd.RESOLVE_SCRIPT, names)))
    : skipped("dns", "no Ready verify pod to ask from");
}

/** 5. Each family's Service, from the client's pod, answered by the backend pod on another node. */
export async function serviceLines(
  ctx: Ctx,
  ask: Exec,
  net: readonly NodeSlot[],
  client: Slot | undefined,
  backend: Slot | undefined,
): Promise<VerifyLine[]> {
  const clientPod = net.find((s) => s.node === client?.node)?.pod;
  if (!client || !backend || !clientPod) {
    const why = !backend
      ? "fewer than two Ready nodes: no other node to reach"
      : "no Ready verify pod on the asking node";
    return [skipped("service-ipv6", why), skipped("service-ipv4", why)];
  }
  const ready = await waitFor(ctx, ask, (sec) => cmd.waitPodReady(NAMES.backend, sec));
  const up = ready.answered && ready.exitCode === 0;
  const services = up ? await ask(cmd.GET_SERVICES) : undefined;
  const parsed = services?.answered ? parseServices(services.stdout) : undefined;
  const lines: VerifyLine[] = [];
  for (const family of ["IPv6", "IPv4"] as const) {
    const name = family === "IPv6" ? NAMES.serviceV6 : NAMES.serviceV4;
    const clusterIp = parsed
      ?.find((s) => s.name === name)
      ?.clusterIps.find((ip) => (family === "IPv6") === ip.includes(":"));
    const answer = !up
      ? ready
      : clusterIp
        ? await ask(cmd.inPod(clientPod.name, cmd.PROBE_SCRIPT, [cmd.urlHost(clusterIp)]))
        : undefined;
    lines.push(
      checkService({
        family,
        backend: ctx.opts.config.flannelBackend,
        clusterIp,
        from: client.label,
        to: { label: backend.label, node: backend.node },
        answer,
      }),
    );
  }
  return lines;
}

/** 7. The flannel device and the IPv6 routes of every started machine, asked on the machine. */
export async function tunnelsLine(
  ctx: Ctx,
  slots: readonly Slot[],
  nodes: readonly NodeFacts[],
): Promise<VerifyLine> {
  const backend = ctx.opts.config.flannelBackend;
  const facts: TunnelFacts[] = [];
  for (const s of slots) {
    const run = execOn(ctx.opts.api, s.member.facts.app, s.member.machine, ctx.signal);
    facts.push({
      label: s.label,
      node: nodes.find((n) => n.name === s.node),
      machine: s.member.facts,
      device: await run(backend === "wireguard" ? cmd.WG_HANDSHAKES : cmd.VXLAN_FDB),
      routes: await run(cmd.IPV6_ROUTES),
    });
  }
  return checkTunnels(backend, facts);
}

/** Writes through a claim, deletes the pod, reads back from a new pod and from the machine. */
export async function volume(ctx: Ctx, ask: Exec, at: Slot, token: string): Promise<VolumeFacts> {
  const base = { node: at.label, token };
  const written = await waitFor(ctx, ask, (sec) => cmd.waitPodSucceeded(NAMES.writer, sec));
  if (!written.answered || written.exitCode !== 0)
    return { ...base, failed: `the writer pod did not finish: ${said(written)}` };
  const pv = await ask(cmd.CLAIM_VOLUME);
  const pvName = pv.answered && pv.exitCode === 0 ? pv.stdout.trim() : "";
  const pvJson = pvName ? await ask(cmd.getVolume(pvName)) : undefined;
  const path =
    pvJson?.answered && pvJson.exitCode === 0 ? parseVolumePath(pvJson.stdout) : undefined;
  const removed = await waitFor(ctx, ask, (sec) => cmd.deletePod(NAMES.writer, sec));
  if (!removed.answered || removed.exitCode !== 0)
    return { ...base, path, failed: `the writer pod was not deleted: ${said(removed)}` };
  const again = await ask(cmd.APPLY, {
    stdin: toYaml([volumeReaderObject(at.node, cmd.VOLUME_FILE)]),
  });
  if (!again.answered || again.exitCode !== 0)
    return { ...base, path, failed: `the reader pod was refused: ${said(again)}` };
  const read = await waitFor(ctx, ask, (sec) => cmd.waitPodSucceeded(NAMES.reader, sec));
  const reader = read.answered && read.exitCode === 0 ? await ask(cmd.podLogs(NAMES.reader)) : read;
  const machine = path
    ? await execOn(
        ctx.opts.api,
        at.member.facts.app,
        at.member.machine,
        ctx.signal,
      )(cmd.readOnMachine(path))
    : undefined;
  return { ...base, path, reader, machine };
}
