/** The report (cli/probe/report.ts): the table, the summary, and JSON holding the same lines. */
import { probeJson, renderProbeTable } from "../../../cli/probe/report";
import { probeResult } from "../../../cli/probe/run";
import { fakeOutput, localConfig, recordOf } from "./helpers";

const NO_WG: [string, string] = ["failed", "ip: RTNETLINK answers: Operation not supported"];
const OPTION = { name: "CONFIG_VXLAN", required: false, reason: "FLANNEL_BACKEND=vxlan" };

function result(backend: string, machine = {}) {
  const record = recordOf(fakeOutput({ wireguard: NO_WG, ...machine }), { options: [OPTION] });
  return probeResult(record, localConfig({ FLANNEL_BACKEND: backend }), "/c/probes/p.json");
}

describe("the probe report", () => {
  it("prints one aligned line per capability, then the counts and the verdict", () => {
    const lines = renderProbeTable(result("vxlan"));
    expect(lines[0]).toBe(
      "probe of org personal, region sjc, image localhost/fly-emulator-test:latest (the local Fly, 2026-11-26T10:00:00.000Z); FLANNEL_BACKEND=vxlan",
    );
    expect(lines[1]).toMatch(/^CAPABILITY {2,}RESULT {2,}DETAIL {2,}WHAT THE NODE DOES$/);
    const col = (l: string, header: string) => l.slice(lines[1].indexOf(header)).split("  ")[0];
    const row = (name: string) => lines.find((l) => l.startsWith(`${name}  `)) as string;
    expect(col(row("pod network"), "RESULT")).toBe("ok");
    expect(col(row("pod network"), "DETAIL")).toBe("vxlan: ok");
    expect(col(row("wireguard device"), "RESULT")).toBe("missing");
    expect(col(row("CONFIG_VXLAN"), "WHAT THE NODE DOES")).toBe("optional: FLANNEL_BACKEND=vxlan");
    expect(lines.slice(-2)).toEqual([
      "19 ok, 1 missing, 0 unknown",
      "a deploy with this config would go ahead",
    ]);
  });

  it("lists the reasons a deploy would be refused", () => {
    expect(renderProbeTable(result("wireguard")).slice(-2)).toEqual([
      "a deploy with this config would be refused:",
      "  - pod network: wireguard: missing: the node refuses to start; set FLANNEL_BACKEND=vxlan (IPv6 pod traffic across nodes over 6PN, IPv4 within a node (and egress))",
    ]);
  });

  it("gives the same lines as JSON, with where and when", () => {
    const r = result("wireguard");
    const json = JSON.parse(JSON.stringify(probeJson(r)));
    expect(json).toMatchObject({
      org: "personal",
      region: "sjc",
      image: "localhost/fly-emulator-test:latest",
      target: "local",
      takenAt: "2026-11-26T10:00:00.000Z",
      flannelBackend: "wireguard",
      cacheFile: "/c/probes/p.json",
      refusals: r.refusals,
    });
    expect(json.capabilities).toEqual(r.capabilities);
    const rows = renderProbeTable(r).slice(2, 2 + r.capabilities.length);
    expect(rows.map((l) => l.split(/ {2,}/)[0])).toEqual(r.capabilities.map((c) => c.name));
    expect(json.facts.script.links.wireguard).toEqual({ state: "failed", message: NO_WG[1] });
  });
});
