/**
 * Names and Services from inside a pod: the cluster DNS and Fly's resolver
 * answer (4), and each family's ClusterIP Service reaches its pod on another
 * node (5). Pure.
 */
import { FlannelBackend } from "../../config/schema";
import { CheckId, Family, MEANINGS, NodeSlot, VerifyLine, line } from "./checks";
import { urlHost } from "./commands";
import { Answer, said } from "./parse";
import { parseProbes, parseResolves } from "./parse-net";

/** 4. A pod resolves each name. */
export function checkDns(names: readonly string[], answer: Answer): VerifyLine {
  const results = answer.answered ? parseResolves(answer.stdout) : [];
  const problems: string[] = [];
  const found: string[] = [];
  for (const n of names) {
    const r = results.find((x) => x.name === n);
    if (!r) problems.push(`${n}: no answer (${said(answer)})`);
    else if (!r.ok) problems.push(`${n}: ${r.text || "not resolved"}`);
    else found.push(`${n} -> ${r.text}`);
  }
  return line("dns", problems, found.join(", "), MEANINGS.dns);
}

/** 5. A ClusterIP Service of `family` answers, from a pod on one node, with its pod on another. */
export function checkService(input: {
  readonly family: Family;
  readonly backend: FlannelBackend;
  readonly clusterIp?: string;
  readonly from: string;
  readonly to: NodeSlot;
  readonly answer?: Answer;
}): VerifyLine {
  const check: CheckId = input.family === "IPv6" ? "service-ipv6" : "service-ipv4";
  const where = `${input.from} -> ${input.clusterIp ?? "?"} -> pod on ${input.to.label}`;
  let problem: string | undefined;
  if (!input.clusterIp) problem = `the Service has no ${input.family} ClusterIP`;
  else if (!input.answer) problem = `${where}: not asked`;
  else {
    const target = urlHost(input.clusterIp);
    const p = input.answer.answered
      ? parseProbes(input.answer.stdout).find((r) => r.target === target)
      : undefined;
    if (!p) problem = `${where}: ${said(input.answer)}`;
    else if (!p.ok) problem = `${where}: no answer`;
    else if (p.answer !== input.to.node) problem = `${where}: answered by ${p.answer}`;
  }
  if (!problem) return { check, status: "pass", detail: `${where}: answered` };
  if (input.family === "IPv4" && input.backend === "vxlan" && input.clusterIp)
    return { check, status: "expected", detail: problem, meaning: MEANINGS.vxlanIpv4 };
  return { check, status: "fail", detail: problem, meaning: MEANINGS.service };
}
