/**
 * A small fake of the Machines API for the drain, shrink and roll tests: apps
 * of machines, and an exec handler that answers `k3s kubectl ...` by argv.
 */
import { MachinesApi } from "../../ops/machines-api";

export interface FakeMachine {
  readonly id: string;
  readonly name: string;
  readonly app: string;
  readonly ip: string;
  state?: string;
  config?: Record<string, unknown>;
}

export type ExecAnswer = { exit_code: number; stdout?: string; stderr?: string } | "http-408";

/** A node as `k3s kubectl get nodes -o json` lists it. */
export const node = (name: string, ip: string, ready = "True", bootID = "b1") => ({
  metadata: { name },
  status: {
    addresses: [{ type: "InternalIP", address: ip }],
    conditions: [{ type: "Ready", status: ready }],
    nodeInfo: { bootID },
  },
});

export function fakeFly(
  machines: FakeMachine[],
  exec: (m: FakeMachine, argv: string) => ExecAnswer | undefined,
) {
  const calls: string[] = [];
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });
  const wire = (m: FakeMachine) => ({
    id: m.id,
    name: m.name,
    state: m.state ?? "started",
    private_ip: m.ip,
    config: m.config ?? { image: "img:1" },
    instance_id: "i1",
  });
  const fn = (async (url: string, init: RequestInit) => {
    const u = new URL(url);
    const method = init.method ?? "GET";
    const p = u.pathname.replace(/^\/v1/, "");
    const list = /^\/apps\/([^/]+)\/machines$/.exec(p);
    if (list) return json(machines.filter((m) => m.app === list[1]).map(wire));
    const one = /^\/apps\/([^/]+)\/machines\/([^/]+)(\/.*)?$/.exec(p);
    const m = one && machines.find((x) => x.app === one[1] && x.id === one[2]);
    if (!one || !m) return json({ error: "not found" }, 404);
    const rest = one[3] ?? "";
    if (rest === "/exec") {
      const body = JSON.parse(init.body as string) as { command: string[] };
      const argv = body.command.join(" ");
      calls.push(`exec ${m.name} ${argv}`);
      const a = exec(m, argv) ?? { exit_code: 127, stderr: "not found" };
      if (a === "http-408") return json({ error: "deadline_exceeded" }, 408);
      return json({ stdout: "", stderr: "", ...a });
    }
    calls.push(`${method} ${m.app}/${m.name}${rest}`);
    if (rest === "/lease" && method === "POST") {
      return json({ status: "success", data: { nonce: "n" } });
    }
    if (rest === "" && method === "POST") {
      const body = JSON.parse(init.body as string) as { config: Record<string, unknown> };
      m.config = body.config;
      return json({ ...wire(m), instance_id: "i2" });
    }
    if (rest === "") return json(wire(m));
    return json({ ok: true });
  }) as unknown as typeof fetch;
  const api = new MachinesApi({
    baseUrl: "http://f/v1",
    token: "t",
    fetch: fn,
    retryDelayMs: 1,
    attempts: 1,
  });
  const execs = () => calls.filter((c) => c.startsWith("exec ")).map((c) => c.slice(5));
  return { api, calls, execs };
}
