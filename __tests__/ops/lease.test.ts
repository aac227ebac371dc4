import { acquireLeaseWhenFree } from "../../ops/lease";
import { MachinesApi, MachinesApiError } from "../../ops/machines-api";

describe("acquireLeaseWhenFree", () => {
  const until = Date.parse("2026-11-25T18:30:05Z");
  const heldError = () =>
    new MachinesApiError(
      409,
      "POST",
      "/apps/a/machines/m1/lease",
      JSON.stringify({
        error: `aborted: machine ID m1 lease currently held by local@tokens.fly.io, expires at 2026-11-25T18:30:05Z`,
      }),
    );

  it("waits for a lease left by a killed step to expire, then takes it", async () => {
    let now = until - 30_000;
    let tries = 0;
    const api = {
      acquireLease: async () => {
        if (tries++ === 0) throw heldError();
        return { nonce: "n" };
      },
    } as unknown as MachinesApi;
    const lines: string[] = [];
    const waits: number[] = [];
    const lease = await acquireLeaseWhenFree(
      api,
      "a",
      { id: "m1", name: "ctrl-0" },
      120,
      "roll",
      (l) => lines.push(l),
      900,
      () => now,
      async (ms) => {
        waits.push(ms);
        now += ms;
      },
    );
    expect(lease).toEqual({ nonce: "n" });
    expect(waits).toEqual([31_000]);
    expect(lines).toEqual([
      "machine a/ctrl-0: leased by someone else until 2026-11-25T18:30:05.000Z (a killed or running step); waiting 31s for the lease to expire",
    ]);
  });

  it("gives up after its bound, and fails at once on other errors", async () => {
    let now = until - 3_600_000;
    const api = {
      acquireLease: async () => {
        throw heldError();
      },
    } as unknown as MachinesApi;
    const sleep = async (ms: number) => {
      now += ms;
    };
    await expect(
      acquireLeaseWhenFree(
        api,
        "a",
        { id: "m1", name: "x" },
        60,
        "d",
        () => {},
        10,
        () => now,
        sleep,
      ),
    ).rejects.toThrow("lease currently held by");
    const other = {
      acquireLease: async () => {
        throw new MachinesApiError(404, "POST", "/x", "{}");
      },
    } as unknown as MachinesApi;
    await expect(
      acquireLeaseWhenFree(
        other,
        "a",
        { id: "m1", name: "x" },
        60,
        "d",
        () => {},
        900,
        () => now,
        sleep,
      ),
    ).rejects.toThrow("HTTP 404");
  });
});
