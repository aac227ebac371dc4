/**
 * The pod matrix: every verify pod asks every other node's pod, over IPv6
 * and over IPv4 (3). Pure.
 */
import { FlannelBackend } from "../../config/schema";
import { CheckId, Family, MEANINGS, Matrix, NodeSlot, VerifyLine } from "./checks";
import { Answer, canonicalIp } from "./parse";
import { parseProbes } from "./parse-net";

const isFamily = (ip: string, f: Family) => (f === "IPv6") === ip.includes(":");

/** The pod matrix of one family, from each pod's PROBE_SCRIPT answer. */
export function podMatrix(
  family: Family,
  slots: readonly NodeSlot[],
  answers: ReadonlyMap<string, Answer>,
): Matrix {
  const rows = slots.map((from) => {
    const a = answers.get(from.label);
    const probes = a?.answered ? parseProbes(a.stdout) : [];
    return slots.map((to) => {
      if (to === from) return "-" as const;
      const ip = to.pod?.ips.find((x) => isFamily(x, family));
      if (!from.pod || !ip) return "?" as const;
      const p = probes.find(
        (r) => canonicalIp(r.target.replace(/^\[|\]$/g, "")) === canonicalIp(ip),
      );
      return p?.ok && p.answer === to.node ? ("ok" as const) : ("fail" as const);
    });
  });
  return { labels: slots.map((s) => s.label), rows };
}

/** 3. Every pod reaches every other node's pod over `family`. */
export function checkPods(family: Family, backend: FlannelBackend, m: Matrix): VerifyLine {
  const check: CheckId = family === "IPv6" ? "pods-ipv6" : "pods-ipv4";
  if (m.labels.length < 2)
    return { check, status: "pass", detail: "one node: no pair to cross", matrix: m };
  const blank = (c: string) => c === "?" || c === "-";
  const missing = m.labels.filter((_, i) => m.rows[i].every(blank));
  const noAddress = m.labels.filter(
    (l, j) => !missing.includes(l) && m.rows.every((r) => blank(r[j])),
  );
  const asked = m.rows.flat().filter((c) => !blank(c));
  const ok = asked.filter((c) => c === "ok").length;
  const detail =
    `${ok} of ${asked.length} pod-to-pod probes across nodes answered over ${family}` +
    (missing.length ? `; no Ready verify pod on ${missing.join(", ")}` : "") +
    (noAddress.length ? `; no ${family} pod address on ${noAddress.join(", ")}` : "");
  const vxlanIpv4 = family === "IPv4" && backend === "vxlan";
  if (missing.length + noAddress.length > 0)
    return {
      check,
      status: "fail",
      detail,
      meaning:
        MEANINGS.podsMissing +
        (vxlanIpv4 && ok < asked.length ? ` ${MEANINGS.vxlanIpv4Others}` : ""),
      matrix: m,
    };
  if (ok === asked.length) return { check, status: "pass", detail, matrix: m };
  if (vxlanIpv4)
    return { check, status: "expected", detail, meaning: MEANINGS.vxlanIpv4, matrix: m };
  return {
    check,
    status: "fail",
    detail,
    meaning: family === "IPv6" ? MEANINGS.podsIpv6 : MEANINGS.podsWireguardIpv4,
    matrix: m,
  };
}
