/**
 * probeGate (cli/probe/gate.ts): the reasons a Fly-target deploy stops, by
 * the cached probe of the config's org, region and image.
 */
import { probeGate } from "../../../cli/probe/gate";
import { fakeOutput, localConfig, recordOf } from "./helpers";

const NO_WG: [string, string] = ["failed", "ip: RTNETLINK answers: Operation not supported"];
const AT = "(probe of 2026-11-26T10:00:00.000Z)";

describe("probeGate", () => {
  it.each<[string, Record<string, string>, Parameters<typeof fakeOutput>[0], string[]]>([
    ["everything there, vxlan", {}, {}, []],
    ["no WireGuard, vxlan chosen", {}, { wireguard: NO_WG }, []],
    [
      "no WireGuard, wireguard chosen",
      { FLANNEL_BACKEND: "wireguard" },
      { wireguard: NO_WG },
      [
        `pod network: wireguard: missing: the node refuses to start; set FLANNEL_BACKEND=vxlan (IPv6 pod traffic across nodes over 6PN, IPv4 within a node (and egress)) ${AT}`,
      ],
    ],
    [
      "a cached result that lacks a required capability",
      {},
      { options: { CONFIG_NF_NAT: "", CONFIG_IP_SET: "m" } },
      [
        `CONFIG_NF_NAT: not set: the node refuses to start (required: kube-proxy (iptables mode) NATs service traffic; flannel masquerades pod traffic) ${AT}`,
        `CONFIG_IP_SET: =m, and this kernel cannot load modules: the node refuses to start (required: network policy controller: keeps pod and namespace selectors in ipsets) ${AT}`,
      ],
    ],
    ["a missing optional option", {}, { options: { CONFIG_IP_VS: "" } }, []],
    [
      "the 6PN address not on eth0",
      {},
      { addresses: [["inet6", "fdaa::9/112", "global", ""]] },
      [
        `6PN address: FLY_PRIVATE_IP fdaa:0:18:a7b:7d:f066:b83b:2 is not on eth0 (global IPv6: fdaa::9/112): the node waits for it on eth0 and never starts k3s ${AT}`,
      ],
    ],
    [
      "nothing could be told (no config, no tools)",
      {},
      { config: "none", vxlan: ["untried", "no ip command in this image"] },
      [],
    ],
  ])("%s", (_what, set, machine, want) => {
    expect(probeGate(localConfig(set), recordOf(fakeOutput(machine)))).toEqual(want);
  });

  it("refuses the exec endpoint mangling arguments", () => {
    expect(probeGate(localConfig(), recordOf(fakeOutput(), { got: "<a><b>" }))).toEqual([
      `exec arguments: sent <a b><it's "q">, got "<a><b>" (exit 0): the deploy's exec steps would get other arguments than they send: deploy refused ${AT}`,
    ]);
  });

  it("stops when there is no probe, naming what to run", () => {
    expect(probeGate(localConfig(), undefined)).toEqual([
      "no probe of org personal, region sjc, image localhost/fly-emulator-test:latest: run ./k3s.sh --probe first",
    ]);
  });

  it("does not judge by a probe of another image", () => {
    expect(
      probeGate(localConfig(), recordOf(fakeOutput(), { image: "registry.fly.io/x:1" })),
    ).toEqual([
      "the probe of 2026-11-26T10:00:00.000Z is for another image (registry.fly.io/x:1): run ./k3s.sh --probe again",
    ]);
  });

  it("judges again with the config's backend, without a new probe", () => {
    const record = recordOf(fakeOutput({ vxlan: NO_WG }));
    expect(probeGate(localConfig({ FLANNEL_BACKEND: "wireguard" }), record)).toEqual([]);
    expect(probeGate(localConfig({ FLANNEL_BACKEND: "vxlan" }), record)).toHaveLength(1);
  });
});
