import { MachinesApi } from "../../ops/machines-api";
import { rollMachine } from "../../ops/roll";

describe("rollMachine", () => {
  function stubApi(machineConfig: Record<string, unknown>, state = "started") {
    const calls: { method: string; url: string; headers: Record<string, string>; body?: string }[] =
      [];
    const fn = (async (url: string, init: RequestInit) => {
      calls.push({
        method: init.method ?? "GET",
        url,
        headers: init.headers as Record<string, string>,
        body: init.body as string | undefined,
      });
      const u = new URL(url);
      let body: unknown = { ok: true };
      if (u.pathname.endsWith("/machines")) {
        body = [{ id: "m1", name: "ctrl-0", state, config: machineConfig, instance_id: "i1" }];
      } else if (u.pathname.endsWith("/lease") && init.method === "POST") {
        body = { status: "success", data: { nonce: "nonce-1" } };
      } else if (u.pathname.endsWith("/machines/m1") && init.method === "POST") {
        body = { id: "m1", instance_id: "i2" };
      }
      return new Response(JSON.stringify(body), { status: 200 });
    }) as unknown as typeof fetch;
    return { api: new MachinesApi({ baseUrl: "http://f/v1", token: "t", fetch: fn }), calls };
  }

  it("does nothing when the config already matches", async () => {
    const { api, calls } = stubApi({ image: "img:1", guest: { memory_mb: 256 } });
    await expect(rollMachine(api, "a", "ctrl-0", { image: "img:1" }, () => {})).resolves.toBe(
      "unchanged",
    );
    expect(calls.map((c) => c.method)).toEqual(["GET"]);
  });

  it("updates under a lease, sending its nonce with the update and the release", async () => {
    const { api, calls } = stubApi({
      image: "img:1",
      guest: { memory_mb: 256 },
      services: [{ p: 1 }],
    });
    await expect(
      rollMachine(api, "a", "ctrl-0", { image: "img:1", guest: { memory_mb: 512 } }, () => {}),
    ).resolves.toBe("updated");
    expect(
      calls.map((c) => `${c.method} ${new URL(c.url).pathname}${new URL(c.url).search}`),
    ).toEqual([
      "GET /v1/apps/a/machines",
      "POST /v1/apps/a/machines/m1/lease",
      "POST /v1/apps/a/machines/m1",
      "GET /v1/apps/a/machines/m1/wait?state=started&timeout=60&instance_id=i2",
      "DELETE /v1/apps/a/machines/m1/lease",
    ]);
    expect(calls[2].headers["fly-machine-lease-nonce"]).toBe("nonce-1");
    expect(calls[4].headers["fly-machine-lease-nonce"]).toBe("nonce-1");
    // Unmanaged fields are kept as they are.
    expect(JSON.parse(calls[2].body ?? "")).toEqual({
      config: { image: "img:1", guest: { memory_mb: 512 }, services: [{ p: 1 }] },
    });
  });
});

describe("rollMachine on a machine that is not running", () => {
  it("starts a stopped machine whose config matches, under the lease", async () => {
    const calls: { method: string; path: string; nonce?: string }[] = [];
    const fn = (async (url: string, init: RequestInit) => {
      const u = new URL(url);
      const headers = (init.headers ?? {}) as Record<string, string>;
      calls.push({
        method: init.method ?? "GET",
        path: u.pathname + u.search,
        nonce: headers["fly-machine-lease-nonce"],
      });
      let body: unknown = { ok: true };
      if (u.pathname.endsWith("/machines")) {
        body = [{ id: "m1", name: "ctrl-0", state: "stopped", config: { image: "img:1" } }];
      } else if (u.pathname.endsWith("/lease") && init.method === "POST") {
        body = { status: "success", data: { nonce: "nonce-1" } };
      }
      return new Response(JSON.stringify(body), { status: 200 });
    }) as unknown as typeof fetch;
    const api = new MachinesApi({ baseUrl: "http://f/v1", token: "t", fetch: fn });
    await expect(rollMachine(api, "a", "ctrl-0", { image: "img:1" }, () => {})).resolves.toBe(
      "started",
    );
    expect(calls.map((c) => `${c.method} ${c.path} ${c.nonce ?? "-"}`)).toEqual([
      "GET /v1/apps/a/machines -",
      "POST /v1/apps/a/machines/m1/lease -",
      "POST /v1/apps/a/machines/m1/start nonce-1",
      "GET /v1/apps/a/machines/m1/wait?state=started&timeout=60 -",
      "DELETE /v1/apps/a/machines/m1/lease nonce-1",
    ]);
  });
});
