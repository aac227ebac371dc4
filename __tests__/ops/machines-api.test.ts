import { MachinesApi, MachinesApiError, leaseHeldUntil, showArgv } from "../../ops/machines-api";
import { PACED_HEADER } from "../../ops/retry";

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: unknown;
}

/** A stub network: answers each request with the next queued [status, body, headers]. */
function stubFetch(answers: [number, unknown, Record<string, string>?][]) {
  const calls: Call[] = [];
  const fn = (async (url: string, init: RequestInit) => {
    calls.push({
      url,
      method: init.method ?? "GET",
      headers: init.headers as Record<string, string>,
      body: init.body ? JSON.parse(init.body as string) : undefined,
    });
    const next = answers.shift();
    if (!next) throw new Error("no more answers");
    const [status, body, headers] = next;
    return new Response(body === undefined ? null : JSON.stringify(body), { status, headers });
  }) as unknown as typeof fetch;
  return { fn, calls };
}

const api = (fn: typeof fetch) =>
  new MachinesApi({ baseUrl: "http://fly.test/v1/", token: "t0k", fetch: fn, retryDelayMs: 1 });

describe("MachinesApi", () => {
  it("sends the bearer token and JSON body under the base URL", async () => {
    const { fn, calls } = stubFetch([[200, { exit_code: 0, stdout: "ok", stderr: "" }]]);
    const r = await api(fn).exec("app", "m1", ["echo", "ok"], { stdin: "secret" });
    expect(r.stdout).toBe("ok");
    expect(calls[0]).toMatchObject({
      url: "http://fly.test/v1/apps/app/machines/m1/exec",
      method: "POST",
      headers: { Authorization: "Bearer t0k", "Content-Type": "application/json" },
      body: { command: ["echo", "ok"], timeout: 30, stdin: "secret" },
    });
  });

  it("sends exec's argv as the command array, never the deprecated cmd string", async () => {
    const { fn, calls } = stubFetch([[200, { exit_code: 0, stdout: "", stderr: "" }]]);
    const argv = ["sh", "-c", `umask 077 && echo "a b" > 'f g'`];
    await api(fn).exec("app", "m1", argv, { timeoutSec: 5 });
    expect(calls[0].body).toEqual({ command: argv, timeout: 5 });
    expect(calls[0].body).not.toHaveProperty("cmd");
    await expect(api(fn).exec("app", "m1", [])).rejects.toThrow("empty command");
    expect(calls).toHaveLength(1);
  });

  it("shows an argv readably, quoting only the words a shell would not read as they are", () => {
    expect(showArgv(["cat", "/data/k3s/server/token"])).toBe("cat /data/k3s/server/token");
    expect(showArgv(["sh", "-c", "umask 077 && cat > t"])).toBe("sh -c 'umask 077 && cat > t'");
    expect(showArgv(["echo", "it's", ""])).toBe(`echo 'it'\\''s' ''`);
  });

  it("finds a machine by id with one Get Machine, by name through the app's list", async () => {
    const m = { id: "4fbdc53295faf6", name: "ctrl-0" };
    const byId = stubFetch([[200, m]]);
    await expect(api(byId.fn).findMachine("a", m.id)).resolves.toEqual(m);
    expect(byId.calls.map((c) => c.url)).toEqual([`http://fly.test/v1/apps/a/machines/${m.id}`]);
    const byName = stubFetch([[200, [m]]]);
    await expect(api(byName.fn).findMachine("a", "ctrl-0")).resolves.toEqual(m);
    expect(byName.calls.map((c) => c.url)).toEqual(["http://fly.test/v1/apps/a/machines"]);
    const gone = stubFetch([
      [404, { error: "machine not found" }],
      [200, []],
    ]);
    await expect(api(gone.fn).findMachine("a", m.id)).rejects.toThrow(/has no machine/);
  });

  it("retries 429 and 5xx, then succeeds", async () => {
    const { fn, calls } = stubFetch([
      [429, { error: "rate limited" }],
      [503, { error: "busy" }],
      [200, []],
    ]);
    await expect(api(fn).listMachines("a")).resolves.toEqual([]);
    expect(calls).toHaveLength(3);
  });

  it("does not retry an answer the pacer already retried", async () => {
    const { fn, calls } = stubFetch([
      [503, { error: "busy" }, { [PACED_HEADER]: "6" }],
      [200, []],
    ]);
    await expect(api(fn).listMachines("a")).rejects.toThrow("GET /apps/a/machines: HTTP 503: busy");
    expect(calls).toHaveLength(1);
  });

  it("waits what Retry-After asks when it talks to Fly directly", async () => {
    const { fn, calls } = stubFetch([
      [429, { error: "rate limited" }, { "retry-after": "0.3" }],
      [200, []],
    ]);
    const t0 = Date.now();
    await expect(api(fn).listMachines("a")).resolves.toEqual([]);
    expect(calls).toHaveLength(2);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it("retries a volume delete refused while its machine is being destroyed", async () => {
    const attached = { error: "volume vol_1 is attached to machine m1" };
    const { fn, calls } = stubFetch([
      [412, attached],
      [200, { id: "v" }],
    ]);
    await api(fn).destroyVolume("a", "v");
    expect(calls).toHaveLength(2);
  });

  it("does not retry other 4xx and reports Fly's error text", async () => {
    const { fn, calls } = stubFetch([[404, { error: "machine not found" }]]);
    const err = await api(fn)
      .getMachine("a", "x")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MachinesApiError);
    expect((err as Error).message).toBe("GET /apps/a/machines/x: HTTP 404: machine not found");
    expect(calls).toHaveLength(1);
  });

  it("reads the lease nonce from Fly's wrapped answer and the flat one", async () => {
    const { fn } = stubFetch([
      [200, { status: "success", data: { nonce: "n1" } }],
      [200, { nonce: "n2" }],
    ]);
    const c = api(fn);
    await expect(c.acquireLease("a", "m", 60, "d")).resolves.toEqual({ nonce: "n1" });
    await expect(c.acquireLease("a", "m", 60, "d")).resolves.toEqual({ nonce: "n2" });
  });

  it("sends the lease nonce with an update", async () => {
    const { fn, calls } = stubFetch([[200, { id: "m", instance_id: "i2" }]]);
    await api(fn).updateMachine("a", "m", { image: "x" }, { nonce: "n1" });
    expect(calls[0].headers["fly-machine-lease-nonce"]).toBe("n1");
    expect(calls[0].body).toEqual({ config: { image: "x" } });
  });

  it("keeps waiting across 408 answers", async () => {
    const { fn, calls } = stubFetch([
      [408, { error: "deadline_exceeded" }],
      [200, { ok: true }],
    ]);
    await api(fn).waitForState("a", "m", "started", 120, "i1");
    expect(calls.map((c) => c.url)).toEqual([
      "http://fly.test/v1/apps/a/machines/m/wait?state=started&timeout=60&instance_id=i1",
      "http://fly.test/v1/apps/a/machines/m/wait?state=started&timeout=60&instance_id=i1",
    ]);
  });
});

describe("leaseHeldUntil", () => {
  const held = (body: unknown, status = 409) =>
    new MachinesApiError(status, "POST", "/apps/a/machines/m/lease", JSON.stringify(body));

  it("reads when another holder's lease expires from Fly's 409", () => {
    const e = held({
      error:
        "aborted: machine ID 1781 lease currently held by local@tokens.fly.io, expires at 2026-11-25T18:30:05Z",
    });
    expect(leaseHeldUntil(e)).toBe(Date.parse("2026-11-25T18:30:05Z"));
  });

  it("is undefined for any other error", () => {
    expect(leaseHeldUntil(held({ error: "conflict" }))).toBeUndefined();
    expect(
      leaseHeldUntil(
        held({ error: "lease currently held by x, expires at 2026-11-25T18:30:05Z" }, 412),
      ),
    ).toBeUndefined();
    expect(leaseHeldUntil(new Error("x"))).toBeUndefined();
  });
});

describe("listVolumes, destroyMachine, destroyVolume", () => {
  it("call Fly's endpoints", async () => {
    const { fn, calls } = stubFetch([
      [200, []],
      [200, { ok: true }],
      [200, { id: "v" }],
    ]);
    const c = api(fn);
    await c.listVolumes("a");
    await c.destroyMachine("a", "m", true);
    await c.destroyVolume("a", "v");
    expect(calls.map((x) => `${x.method} ${x.url}`)).toEqual([
      "GET http://fly.test/v1/apps/a/volumes",
      "DELETE http://fly.test/v1/apps/a/machines/m?force=true",
      "DELETE http://fly.test/v1/apps/a/volumes/v",
    ]);
  });
});
