import {
  BootstrapVerdict,
  ServerReport,
  bootstrapVerdict,
  decisionText,
  staleServerNodes,
} from "../../ops/bootstrap";

const server = (
  name: string,
  wal: ServerReport["wal"],
  etcd: ServerReport["etcd"] = "unknown",
): ServerReport => ({ name, wal, etcd });

// The bootstrap decision table (README, "Losing a server's volume"): the
// bootstrap server's own WAL, then what the other servers answered.
describe("bootstrapVerdict", () => {
  // [name, bootstrap server, other servers, action, server it joins through ("" if none)]
  const cases: [string, ServerReport, ServerReport[], BootstrapVerdict["action"], string][] = [
    ["own etcd data", server("ctrl-0", "yes"), [server("ctrl-1", "unknown")], "member", ""],
    ["own WAL not asked yet", server("ctrl-0", "unknown"), [], "ask-again", ""],
    ["a new cluster, alone", server("ctrl-0", "no"), [], "found", ""],
    [
      "a new cluster, the others fresh",
      server("ctrl-0", "no"),
      [server("ctrl-1", "no"), server("ctrl-2", "no")],
      "found",
      "",
    ],
    [
      "a new cluster, one other still starting",
      server("ctrl-0", "no"),
      [server("ctrl-1", "no"), server("ctrl-2", "unknown")],
      "ask-again",
      "",
    ],
    [
      "formed before, a healthy server",
      server("ctrl-0", "no"),
      [server("ctrl-1", "yes", "not-ok"), server("ctrl-2", "yes", "ok")],
      "join",
      "ctrl-2",
    ],
    [
      "formed before, a healthy server, another not answering",
      server("ctrl-0", "no"),
      [server("ctrl-1", "unknown"), server("ctrl-2", "yes", "ok")],
      "join",
      "ctrl-2",
    ],
    [
      "formed before, health not asked yet",
      server("ctrl-0", "no"),
      [server("ctrl-1", "yes", "unknown"), server("ctrl-2", "no")],
      "ask-again",
      "",
    ],
    [
      "formed before, no healthy server",
      server("ctrl-0", "no"),
      [server("ctrl-1", "yes", "not-ok"), server("ctrl-2", "no")],
      "stop",
      "",
    ],
  ];

  it.each(cases)("%s", (_name, self, others, action, via) => {
    const v = bootstrapVerdict(self, others);
    expect(v.action).toBe(action);
    if (via) expect(v).toMatchObject({ via });
  });

  it("founds only when every other server answered and none holds etcd data", () => {
    const walValues: ServerReport["wal"][] = ["yes", "no", "unknown"];
    const etcdValues: ServerReport["etcd"][] = ["ok", "not-ok", "unknown"];
    const reports = walValues.flatMap((wal) => etcdValues.map((etcd) => ({ wal, etcd })));
    for (const a of reports)
      for (const b of reports) {
        const v = bootstrapVerdict(server("ctrl-0", "no"), [
          server("ctrl-1", a.wal, a.etcd),
          server("ctrl-2", b.wal, b.etcd),
        ]);
        const found = a.wal === "no" && b.wal === "no";
        expect({ a, b, found: v.action === "found" }).toEqual({ a, b, found });
      }
  });

  it("says what to do when it stops", () => {
    const v = bootstrapVerdict(server("ctrl-0", "no"), [server("ctrl-1", "yes", "not-ok")]);
    expect(v.why).toBe(
      "ctrl-1 hold(s) etcd data, so this cluster formed before, but none answers healthy " +
        "(/readyz/etcd); ctrl-0 has no etcd data, so it can neither join nor found (founding " +
        "would start a second, empty cluster). It is told nothing and keeps waiting. Bring a " +
        "server back (./k3s.sh --status clusters/<name>), then deploy again; if every server's " +
        "data is lost, restore an etcd snapshot on one server with k3s server --cluster-reset --cluster-reset-restore-path",
    );
  });
});

describe("decisionText", () => {
  it("writes what datastore.sh reads", () => {
    expect(decisionText({ action: "found", why: "" })).toBe("found\n");
    expect(decisionText({ action: "join", via: "ctrl-1", why: "" }, "https://[fdaa::1]:6443")).toBe(
      "join https://[fdaa::1]:6443\n",
    );
    expect(() => decisionText({ action: "stop", why: "" })).toThrow("no decision text for stop");
  });
});

describe("staleServerNodes", () => {
  const node = (name: string, server = true) => ({
    metadata: {
      name,
      labels: (server ? { "node-role.kubernetes.io/control-plane": "true" } : {}) as Record<
        string,
        string
      >,
    },
  });

  it("names server nodes whose machine is gone, by node name (not by address)", () => {
    const nodes = {
      items: [
        node("aaa.vm.demo-cp.internal"),
        node("old.vm.demo-cp.internal"),
        node("bbb.vm.demo-cp.internal"),
        node("www.vm.demo-ng-0.internal", false),
      ],
    };
    expect(staleServerNodes(nodes, "demo-cp", ["aaa", "bbb", "ccc"])).toEqual([
      "old.vm.demo-cp.internal",
    ]);
  });

  it("never names a current machine, whatever its address", () => {
    const nodes = { items: [node("aaa.vm.demo-cp.internal")] };
    expect(staleServerNodes(nodes, "demo-cp", ["aaa"])).toEqual([]);
  });
});
