/** config/fly-limits.ts: Fly's documented Machines API rate-limit table, one owner. */
import {
  refilled,
  APP_DELETE_LIMIT,
  bucketKey,
  DEFAULT_LIMIT,
  FLY_LIMIT_TABLE,
  flyAction,
  GET_MACHINE_LIMIT,
} from "../../config/fly-limits";

describe("flyAction", () => {
  it.each<[string, string, string, string]>([
    ["GET", "/apps?org_slug=o", "app.list", "org"],
    ["POST", "/apps", "app.create", "org"],
    ["GET", "/apps/web", "app.get", "app:web"],
    ["DELETE", "/apps/web", "app.delete", "org"],
    ["GET", "/apps/web/machines", "machine.list", "app:web"],
    ["POST", "/apps/web/machines", "machine.create", "app:web"],
    ["GET", "/apps/web/machines/m1", "machine.get", "machine:m1"],
    ["POST", "/apps/web/machines/m1", "machine.update", "machine:m1"],
    ["DELETE", "/apps/web/machines/m1?force=true", "machine.delete", "machine:m1"],
    ["POST", "/apps/web/machines/m1/start", "machine.start", "machine:m1"],
    ["POST", "/apps/web/machines/m1/stop", "machine.stop", "machine:m1"],
    ["GET", "/apps/web/machines/m1/wait?state=started", "machine.wait", "machine:m1"],
    ["POST", "/apps/web/machines/m1/lease", "machine.lease", "machine:m1"],
    ["DELETE", "/apps/web/machines/m1/lease", "machine.lease.delete", "machine:m1"],
    ["POST", "/apps/web/machines/m1/exec", "machine.exec", "machine:m1"],
    ["GET", "/apps/web/volumes", "volume.list", "app:web"],
    ["POST", "/apps/web/volumes", "volume.create", "app:web"],
    ["GET", "/apps/web/volumes/vol_1", "volume.get", "volume:vol_1"],
    ["DELETE", "/apps/web/volumes/vol_1", "volume.delete", "volume:vol_1"],
    ["PUT", "/apps/web/volumes/vol_1/extend", "volume.extend", "volume:vol_1"],
    ["GET", "/apps/web/secrets", "secrets.list", "app:web"],
    ["POST", "/apps/web/secrets/K", "secrets.update", "app:web"],
  ])("%s %s is %s per %s", (method, path, action, subject) => {
    const a = flyAction(method, path);
    expect([a.action, a.subject]).toEqual([action, subject]);
  });

  it("gives Get Machine 5/s with bursts to 10, app deletions 100/min, the rest 1/s bursts to 3", () => {
    expect(flyAction("GET", "/apps/a/machines/m").limit).toEqual({ perSecond: 5, burst: 10 });
    expect(GET_MACHINE_LIMIT).toEqual({ perSecond: 5, burst: 10 });
    expect(DEFAULT_LIMIT).toEqual({ perSecond: 1, burst: 3 });
    expect(APP_DELETE_LIMIT.perSecond * 60).toBeCloseTo(100);
    expect(flyAction("DELETE", "/apps/a").limit).toBe(APP_DELETE_LIMIT);
    for (const [m, p] of [
      ["POST", "/apps/a/machines/m/stop"],
      ["GET", "/apps/a/machines"],
      ["GET", "/apps/a/machines/m/wait"],
      ["GET", "/apps/a/volumes/v"],
    ]) {
      expect(flyAction(m, p).limit).toBe(DEFAULT_LIMIT);
    }
  });

  it("accepts the path with or without /v1 and ignores the query string", () => {
    expect(flyAction("get", "/v1/apps/a/machines/m?x=1")).toEqual(
      flyAction("GET", "/apps/a/machines/m"),
    );
    expect(flyAction("GET", "/nope?x=1")).toMatchObject({ action: "GET /nope", subject: "-" });
  });

  it("keys buckets by action and subject: other machines and other actions are separate", () => {
    const k = (m: string, p: string) => bucketKey(flyAction(m, p));
    expect(k("POST", "/apps/a/machines/m1/stop")).toBe(k("POST", "/apps/b/machines/m1/stop"));
    expect(k("POST", "/apps/a/machines/m1/stop")).not.toBe(k("POST", "/apps/a/machines/m2/stop"));
    expect(k("POST", "/apps/a/machines/m1/stop")).not.toBe(k("POST", "/apps/a/machines/m1/start"));
    expect(k("GET", "/apps/a/machines/m1")).toBe("machine.get machine:m1");
  });

  it("documents every distinct limit in the table", () => {
    const limits = FLY_LIMIT_TABLE.map((r) => r.limit);
    expect(limits).toEqual(
      expect.arrayContaining([DEFAULT_LIMIT, GET_MACHINE_LIMIT, APP_DELETE_LIMIT]),
    );
  });
});

describe("refilled (the one token-bucket step the emulator and the pacer share)", () => {
  it("starts full, refills at the rate up to the burst, never runs the clock back", () => {
    const b0 = refilled(undefined, DEFAULT_LIMIT, 1_000);
    expect(b0).toEqual({ tokens: 3, at: 1_000 });
    const spent = { tokens: -2, at: 1_000 };
    expect(refilled(spent, DEFAULT_LIMIT, 2_500)).toEqual({ tokens: -0.5, at: 2_500 });
    expect(refilled(spent, DEFAULT_LIMIT, 60_000)).toEqual({ tokens: 3, at: 60_000 });
    expect(refilled(spent, DEFAULT_LIMIT, 500)).toEqual({ tokens: -2, at: 1_000 });
    expect(refilled({ tokens: 0, at: 0 }, GET_MACHINE_LIMIT, 1_000).tokens).toBe(5);
  });
});
