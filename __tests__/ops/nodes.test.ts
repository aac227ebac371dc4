import { etcdReady, readyNodeWithIp } from "../../ops/nodes";

describe("readyNodeWithIp", () => {
  const nodes = {
    items: [
      {
        metadata: { name: "n1" },
        status: {
          addresses: [{ type: "InternalIP", address: "fdaa::2" }],
          conditions: [{ type: "Ready", status: "True" }],
        },
      },
      {
        metadata: { name: "n2" },
        status: {
          addresses: [{ type: "InternalIP", address: "fdaa::3" }],
          conditions: [{ type: "Ready", status: "False" }],
        },
      },
    ],
  };
  it("finds a Ready node by its first InternalIP", () => {
    expect(readyNodeWithIp(nodes, "fdaa::2")).toBe("n1");
    expect(readyNodeWithIp(nodes, "fdaa::3")).toBeUndefined();
    expect(readyNodeWithIp(nodes, "fdaa::4")).toBeUndefined();
  });
});

describe("readiness after a restart", () => {
  const nodes = (ready: string, bootID: string) => ({
    items: [
      {
        metadata: { name: "n1" },
        status: {
          addresses: [{ type: "InternalIP", address: "fdaa::9" }],
          conditions: [{ type: "Ready", status: ready }],
          nodeInfo: { bootID },
        },
      },
    ],
  });

  it("does not count a Ready condition left from the previous boot", () => {
    expect(readyNodeWithIp(nodes("True", "old"), "fdaa::9", "new")).toBeUndefined();
    expect(readyNodeWithIp(nodes("True", "new"), "fdaa::9", "new")).toBe("n1");
    expect(readyNodeWithIp(nodes("False", "new"), "fdaa::9", "new")).toBeUndefined();
  });

  it("reads etcd health from /readyz/etcd", () => {
    expect(etcdReady("ok\n")).toBe(true);
    expect(etcdReady("[-]etcd failed: reason withheld\n")).toBe(false);
  });
});
