/**
 * runVerify's exit codes, its refusal to apply anything without k3s, and its
 * cleanup after failures and interrupts (the recorded cluster of
 * recorded.ts; the checks themselves are scenarios.test.ts's).
 */
import { abortOnSignals } from "../../../cli/verify/cleanup";
import * as cmd from "../../../cli/verify/commands";
import { execOn } from "../../../cli/verify/exec";
import { ROUND_SEC } from "../../../cli/verify/apply";
import { runVerify } from "../../../cli/verify/run";
import { EMULATOR_TEST_IMAGE } from "../../../config/naming";
import { ClusterConfig } from "../../../config/schema";
import { Machine } from "../../../contract/machines-api-types";
import { Call, Recorded, TOKEN, demoConfig, scriptedCluster } from "./recorded";

const same = (c: Call, k: readonly string[]) => c.command.join("\u0000") === k.join("\u0000");
const applied = (calls: Call[]) => calls.filter((c) => same(c, cmd.APPLY));

/** A signal source whose handlers the test calls. */
function signals() {
  const handlers: (() => void)[] = [];
  return {
    source: {
      on: (_: string, fn: () => void) => handlers.push(fn),
      off: (_: string, fn: () => void) => handlers.splice(handlers.indexOf(fn), 1),
    },
    fire: () => [...handlers].slice(0, 1).forEach((h) => h()),
    handlers,
  };
}

async function run(
  cluster: ReturnType<typeof scriptedCluster>,
  config: ClusterConfig = demoConfig(),
  over: Partial<Parameters<typeof runVerify>[0]> = {},
) {
  let text = "";
  const log: string[] = [];
  const r = await runVerify({
    config,
    nodeGroups: ["a"],
    api: cluster.api,
    log: (l) => log.push(l),
    json: false,
    out: (t) => (text += t),
    token: TOKEN,
    signals: signals().source,
    ...over,
  });
  return { ...r, text, flat: text.replace(/\s+/g, " "), log };
}

describe("no Kubernetes: exit 3, nothing applied", () => {
  it("when the config's node image is the local Fly's test image, without a single exec", async () => {
    const cluster = scriptedCluster("healthy", { image: EMULATOR_TEST_IMAGE });
    const r = await run(cluster, demoConfig({ nodeImage: EMULATOR_TEST_IMAGE }));
    expect(r.exitCode).toBe(3);
    expect(r.lines).toEqual([]);
    expect(cluster.calls).toEqual([]);
    expect(r.text).toBe(
      "verify demo (flannel vxlan)\n\n" +
        "no Kubernetes is running: the node image localhost/fly-emulator-test:latest is the local Fly's test\n" +
        "image, which holds no k3s (k3s cannot be downloaded on this machine), so there is nothing to verify\n" +
        "and nothing was applied. Set NODE_IMAGE in clusters/demo/config to an image built from\n" +
        "images/k3s-node (npm run image), then ./k3s.sh -c rolls it out.\n\nexit 3\n",
    );
  });

  it("when the machines still run the test image though the config names another", async () => {
    const cluster = scriptedCluster("healthy", { image: EMULATOR_TEST_IMAGE });
    const r = await run(cluster);
    expect(r.exitCode).toBe(3);
    expect(r.flat).toContain("the machines still run localhost/fly-emulator-test:latest");
    expect(cluster.calls).toEqual([]);
  });

  it("when exec finds no k3s binary on the server", async () => {
    const missing: Recorded = {
      exit_code: 127,
      stdout: "",
      stderr:
        "Error: crun: executable file `k3s` not found in $PATH: No such file or directory: " +
        "OCI runtime attempted to invoke a command that was not found\n",
    };
    const cluster = scriptedCluster("healthy", {
      onExec: (c) => (same(c, cmd.K3S_VERSION) ? missing : undefined),
    });
    const r = await run(cluster);
    expect(r.exitCode).toBe(3);
    expect(cluster.calls.map((c) => c.command)).toEqual([[...cmd.K3S_VERSION]]);
    expect(r.flat).toContain("no Kubernetes is running: demo-cp/ctrl-0 runs ");
    expect(r.flat).toContain("nothing was applied");
  });
});

describe("could not run: exit 1", () => {
  it("when no server's API server answers", async () => {
    const refused: Recorded = {
      exit_code: 1,
      stdout: "",
      stderr:
        "The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?\n",
    };
    const cluster = scriptedCluster("healthy", {
      onExec: (c) => (same(c, cmd.GET_NODES) ? refused : undefined),
    });
    const r = await run(cluster);
    expect(r.exitCode).toBe(1);
    expect(r.flat).toContain(
      "no server's API server answers k3s kubectl get nodes (ctrl-0: The connection to the server",
    );
    expect(applied(cluster.calls)).toEqual([]);
  });

  it("when the objects are refused, and the namespace is still removed", async () => {
    const cluster = scriptedCluster("healthy", {
      onExec: (c) =>
        same(c, cmd.APPLY)
          ? {
              exit_code: 1,
              stdout: "",
              stderr: 'Error from server (Forbidden): namespaces "fly-k3s-verify" is forbidden\n',
            }
          : undefined,
    });
    const r = await run(cluster);
    expect(r.exitCode).toBe(1);
    expect(r.flat).toContain("the verify objects were refused: Error from server (Forbidden)");
    expect(same(cluster.calls[cluster.calls.length - 1], cmd.DELETE_NAMESPACE)).toBe(true);
  });

  it("when the machines cannot be listed", async () => {
    const cluster = scriptedCluster("healthy");
    cluster.api.listMachines = async () => {
      throw new Error("GET /apps/demo-cp/machines: HTTP 401: unauthorized");
    };
    const r = await run(cluster);
    expect(r.exitCode).toBe(1);
    expect(r.flat).toContain("could not run: GET /apps/demo-cp/machines: HTTP 401: unauthorized");
  });
});

describe("interrupted", () => {
  it("SIGINT during the checks stops them, removes the namespace and exits 1", async () => {
    const sig = signals();
    const cluster = scriptedCluster("healthy", {
      onExec: (c) => {
        if (same(c, cmd.waitDaemonSet("verify-net", ROUND_SEC))) sig.fire();
        return undefined;
      },
    });
    const r = await run(cluster, demoConfig(), { signals: sig.source });
    expect(r.exitCode).toBe(1);
    expect(r.lines.map((l) => l.check)).toEqual(["nodes", "etcd-members", "etcd-readyz"]);
    expect(r.flat).toContain("interrupted: the checks above ran, the others did not");
    expect(r.log[0]).toMatch(/^asking the cluster/);
    expect(r.log).toContain(
      "interrupted: removing namespace fly-k3s-verify (interrupt again to leave it; then: k3s kubectl delete namespace fly-k3s-verify)",
    );
    const last = cluster.calls[cluster.calls.length - 1];
    expect(same(last, cmd.DELETE_NAMESPACE)).toBe(true);
    expect(sig.handlers).toEqual([]);
  });

  it("an aborted signal from the caller does the same", async () => {
    const controller = new AbortController();
    const cluster = scriptedCluster("healthy", {
      onExec: (c) => {
        if (same(c, cmd.GET_PODS)) controller.abort();
        return undefined;
      },
    });
    const r = await run(cluster, demoConfig(), { signal: controller.signal });
    expect(r.exitCode).toBe(1);
    expect(same(cluster.calls[cluster.calls.length - 1], cmd.DELETE_NAMESPACE)).toBe(true);
  });

  it("a second interrupt leaves at once", () => {
    const sig = signals();
    const controller = new AbortController();
    const leave = jest.fn();
    const uninstall = abortOnSignals(controller, () => undefined, leave, sig.source);
    sig.handlers[0]();
    expect(controller.signal.aborted).toBe(true);
    expect(leave).not.toHaveBeenCalled();
    sig.handlers[0]();
    expect(leave).toHaveBeenCalledTimes(1);
    uninstall();
    expect(sig.handlers).toEqual([]);
  });
});

describe("a step that never answers", () => {
  afterEach(() => jest.useRealTimers());

  it("is given up 15 s after the machine's own limit, as an answer", async () => {
    jest.useFakeTimers();
    const api = {
      listMachines: async () => [],
      exec: () => new Promise<never>(() => undefined),
    };
    const m = { id: "3d8dd71a0e6089", name: "ctrl-0" } as Machine;
    const pending = execOn(
      api,
      "demo-cp",
      m,
      new AbortController().signal,
    )(cmd.GET_NODES, {
      timeoutSec: 30,
    });
    await jest.advanceTimersByTimeAsync(45_000);
    await expect(pending).resolves.toEqual({
      answered: false,
      why: "demo-cp/ctrl-0: no answer within 45s",
    });
  });
});
