import { MachinesApi } from "../../ops/machines-api";
import { rollMachine, rollNode, rollStep } from "../../ops/roll";

/** A Machines API whose one machine `ctrl-0` is in `state` with `config`; records every call. */
function stubApi(state: string, config: Record<string, unknown>) {
  const calls: { call: string; nonce?: string; body?: unknown }[] = [];
  const fn = (async (url: string, init: RequestInit) => {
    const u = new URL(url);
    const headers = (init.headers ?? {}) as Record<string, string>;
    calls.push({
      call: `${init.method ?? "GET"} ${u.pathname}${u.search}`,
      nonce: headers["fly-machine-lease-nonce"],
      body: init.body ? JSON.parse(init.body as string) : undefined,
    });
    let body: unknown = { ok: true };
    if (u.pathname.endsWith("/machines")) {
      body = [{ id: "m1", name: "ctrl-0", state, config, instance_id: "i1" }];
    } else if (u.pathname.endsWith("/lease") && init.method === "POST") {
      body = { status: "success", data: { nonce: "n1" } };
    } else if (u.pathname.endsWith("/machines/m1") && init.method === "POST") {
      body = { id: "m1", state, instance_id: "i2" };
    }
    return new Response(JSON.stringify(body), { status: 200 });
  }) as unknown as typeof fetch;
  return { api: new MachinesApi({ baseUrl: "http://f/v1", token: "t", fetch: fn }), calls };
}

const CREATED = { image: "img:1", guest: { memory_mb: 256 } };
const DESIRED = { image: "img:1", stop_config: { signal: "SIGTERM", timeout: "120s" } };

describe("a machine's first start (created with skip_launch)", () => {
  it("is one config update that keeps it down, then one start, under one lease", async () => {
    const { api, calls } = stubApi("created", CREATED);
    const lines: string[] = [];
    await expect(rollMachine(api, "a", "ctrl-0", DESIRED, (l) => lines.push(l))).resolves.toBe(
      "updated",
    );
    expect(calls.map((c) => c.call)).toEqual([
      "GET /v1/apps/a/machines",
      "POST /v1/apps/a/machines/m1/lease",
      "POST /v1/apps/a/machines/m1",
      "POST /v1/apps/a/machines/m1/start",
      "GET /v1/apps/a/machines/m1/wait?state=started&timeout=60&instance_id=i2",
      "DELETE /v1/apps/a/machines/m1/lease",
    ]);
    // The final config, stop_config included, and no start by the update itself.
    expect(calls[2].body).toEqual({ config: { ...CREATED, ...DESIRED }, skip_launch: true });
    expect(calls.slice(2).map((c) => c.nonce)).toEqual(["n1", "n1", undefined, "n1"]);
    expect(lines).toContain("machine a/ctrl-0: created: updating its config, then starting it");
  });

  it("starts even when its config already matches", async () => {
    const { api, calls } = stubApi("created", DESIRED);
    await expect(rollMachine(api, "a", "ctrl-0", DESIRED, () => {})).resolves.toBe("started");
    expect(calls.map((c) => c.call)).toContain("POST /v1/apps/a/machines/m1/start");
    expect(calls.map((c) => c.call)).not.toContain("POST /v1/apps/a/machines/m1");
  });

  it("asks k3s nothing and waits for no node: its join step does", async () => {
    const { api, calls } = stubApi("created", CREATED);
    const readiness = { cpApp: "x-cp", bootstrap: "b1", etcd: true, timeoutSec: 5 };
    await rollNode(api, "x-cp", "ctrl-0", DESIRED, () => {}, readiness);
    expect(calls.some((c) => c.call.includes("/exec"))).toBe(false);
  });

  it("a running machine is still updated in place (Fly restarts it)", async () => {
    const { api, calls } = stubApi("started", CREATED);
    await rollMachine(api, "a", "ctrl-0", DESIRED, () => {});
    expect(calls[2].body).toEqual({ config: { ...CREATED, ...DESIRED } });
    expect(calls.map((c) => c.call)).not.toContain("POST /v1/apps/a/machines/m1/start");
  });
});

describe("the roll step outside the deploy's turns", () => {
  it("refuses to change a machine that has run, saying what runs it in turns", async () => {
    const { api, calls } = stubApi("started", CREATED);
    await expect(
      rollStep(api, "x-cp", "ctrl-0", DESIRED, () => {}, undefined, false),
    ).rejects.toThrow(
      /^roll not started at x-cp\/ctrl-0: it has run, .* run \.\/k3s\.sh -c clusters\/x or npm run cdktf -- deploy/,
    );
    expect(calls.map((c) => c.call)).toEqual(["GET /v1/apps/x-cp/machines"]);
  });

  it.each([
    ["a machine's first start", "created", CREATED],
    ["a machine whose config already matches", "started", DESIRED],
    ["a stopped machine started as it is", "stopped", DESIRED],
  ])("lets %s go", async (_, state, config) => {
    const { api } = stubApi(state, config);
    await expect(
      rollStep(api, "x-cp", "ctrl-0", DESIRED, () => {}, undefined, false),
    ).resolves.toBeDefined();
  });

  it("rolls a machine that has run in its turn", async () => {
    const { api } = stubApi("started", CREATED);
    await expect(rollStep(api, "a", "ctrl-0", DESIRED, () => {}, undefined, true)).resolves.toBe(
      "updated",
    );
  });
});
