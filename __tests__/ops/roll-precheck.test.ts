import { ExecAnswer } from "../../ops/exec";
import { NodeList } from "../../ops/nodes";
import { OtherServer, RollFacts, rollPrecheck, servedBefore } from "../../ops/roll-precheck";
import { cpNode } from "./node-fixtures";

// The decision before restarting a server (ctrl-0 at fdaa::2; the other
// servers ctrl-1 at fdaa::3 and ctrl-2 at fdaa::4), and whether the roll
// waits for it after the restart.
describe("the roll's decision for a server", () => {
  const ok = (stdout: string, exitCode = 0): ExecAnswer => ({
    answered: true,
    exitCode,
    stdout,
    stderr: "",
  });
  const unreachable: ExecAnswer = {
    answered: false,
    why: "POST /apps/cp/machines/m3/exec: HTTP 412: failed_precondition: machine m3 is stopped, not started",
  };
  const walYes = ok("");
  const walNo = ok("", 1);
  const list = (ready: Record<string, string>): NodeList => ({
    items: Object.entries(ready).map(([ip, r]) => cpNode(`${ip}-node`, ip, r)),
  });
  const healthy = list({ "fdaa::2": "True", "fdaa::3": "True", "fdaa::4": "True" });
  const other = (name: string, ip: string, o: Partial<OtherServer> = {}): OtherServer => ({
    name,
    state: "started",
    private_ip: ip,
    readyz: ok("ok\n"),
    ...o,
  });
  const others = [other("ctrl-1", "fdaa::3"), other("ctrl-2", "fdaa::4")];
  const self = (f: Partial<RollFacts> = {}): RollFacts => ({
    server: true,
    machine: { name: "ctrl-0", state: "started", private_ip: "fdaa::2" },
    nodes: healthy,
    ...f,
  });

  /** What rollNode does for a running server: check only one that served, then wait for it. */
  const decide = (f: RollFacts, o: readonly OtherServer[]) => {
    const wait = servedBefore(f);
    return { wait, blocking: wait ? rollPrecheck(f.nodes, o, "cp/ctrl-0") : [] };
  };

  it.each<[string, RollFacts, OtherServer[], boolean, RegExp[]]>([
    ["all other servers healthy: restart, then wait", self(), others, true, []],
    [
      "one other server's node NotReady: stop",
      self({ nodes: list({ "fdaa::2": "True", "fdaa::3": "True", "fdaa::4": "Unknown" }) }),
      others,
      true,
      [/^ctrl-2 \(started, fdaa::4\): its node is not Ready$/],
    ],
    [
      "one other server's etcd not ok: stop",
      self(),
      [others[0], other("ctrl-2", "fdaa::4", { readyz: ok("[-]etcd failed: reason withheld", 1) })],
      true,
      [
        /^ctrl-2 .*: \/readyz\/etcd through it answered "\[-\]etcd failed: reason withheld" \(exit 1\)$/,
      ],
    ],
    [
      "one other server cannot be asked: stop",
      self(),
      [others[0], other("ctrl-2", "fdaa::4", { state: "stopped", readyz: unreachable })],
      true,
      [/^ctrl-2 \(stopped, fdaa::4\): could not be asked whether etcd is healthy \(.*HTTP 412/],
    ],
    [
      "node list unavailable, the others hold etcd data: stop",
      self({ nodes: undefined, etcdData: walYes }),
      [
        other("ctrl-1", "fdaa::3", { etcdData: walYes }),
        other("ctrl-2", "fdaa::4", { etcdData: walYes }),
      ],
      true,
      [
        /^ctrl-1 .*: cannot tell whether it is a Ready node \(no node list from cp\/ctrl-0\)$/,
        /^ctrl-2 /,
      ],
    ],
    [
      "node list unavailable and the server itself cannot be asked: served, stop",
      self({ nodes: undefined, etcdData: unreachable }),
      [other("ctrl-1", "fdaa::3", { etcdData: unreachable, readyz: unreachable }), others[1]],
      true,
      [/^ctrl-1 .*: cannot tell whether it is a Ready node .*, could not be asked/, /^ctrl-2 /],
    ],
    [
      "brand-new machine (no node, no etcd data on its volume): restart without waiting",
      self({ nodes: list({}), etcdData: walNo }),
      [],
      false,
      [],
    ],
    [
      "brand-new machine (never booted, state created): restart without waiting",
      self({
        nodes: undefined,
        machine: { name: "ctrl-0", state: "created", private_ip: "fdaa::2" },
      }),
      [],
      false,
      [],
    ],
    [
      "a node that is not Ready has served: the roll still checks and waits",
      self({ nodes: list({ "fdaa::2": "False", "fdaa::3": "True", "fdaa::4": "True" }) }),
      others,
      true,
      [],
    ],
    [
      "other servers not joined yet (no node, no etcd data; one never booted) do not count",
      self({ nodes: list({ "fdaa::2": "True" }) }),
      [
        other("ctrl-1", "fdaa::3", { etcdData: walNo, readyz: undefined }),
        other("ctrl-2", "fdaa::4", { state: "created", readyz: undefined }),
      ],
      true,
      [],
    ],
    [
      "another server holding etcd data but no node: stop",
      self({ nodes: list({ "fdaa::2": "True", "fdaa::3": "True" }) }),
      [others[0], other("ctrl-2", "fdaa::4", { etcdData: walYes })],
      true,
      [/^ctrl-2 .*: no node has its address$/],
    ],
  ])("%s", (_name, facts, otherServers, wait, blocking) => {
    const d = decide(facts, otherServers);
    expect(d.wait).toBe(wait);
    expect(d.blocking).toHaveLength(blocking.length);
    blocking.forEach((re, i) => expect(d.blocking[i]).toMatch(re));
  });

  it("counts an agent as served only when it is a Ready node (no list: cannot tell, no wait)", () => {
    const agent = (nodes?: NodeList): RollFacts => ({ ...self({ nodes }), server: false });
    expect(servedBefore(agent(healthy))).toBe(true);
    expect(servedBefore(agent(list({ "fdaa::2": "False" })))).toBe(false);
    expect(servedBefore(agent(undefined))).toBe(false);
  });
});
