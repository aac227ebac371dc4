import { setTimeout } from "node:timers/promises";
import { Lease } from "../contract/machines-api-types";
import { Log } from "./log";
import { MachinesApi, leaseHeldUntil } from "./machines-api";

/**
 * Takes a lease on a machine; while another holder's lease is in force (Fly's
 * 409 `lease currently held by …, expires at …`, e.g. left by a roll step that
 * was killed, or by the provider's own update), waits until it expires and
 * tries again, for at most `maxWaitSec`.
 */
export async function acquireLeaseWhenFree(
  api: MachinesApi,
  app: string,
  machine: { id: string; name: string },
  ttlSec: number,
  description: string,
  log: Log,
  maxWaitSec = 900,
  now: () => number = Date.now,
  wait: (ms: number) => Promise<unknown> = (ms) => setTimeout(ms),
): Promise<Lease> {
  const deadline = now() + maxWaitSec * 1000;
  for (;;) {
    try {
      return await api.acquireLease(app, machine.id, ttlSec, description);
    } catch (e) {
      const until = leaseHeldUntil(e);
      if (until === undefined || now() >= deadline) throw e;
      const ms = Math.min(Math.max(until - now(), 0) + 1000, Math.max(deadline - now(), 1000));
      log(
        `machine ${app}/${machine.name}: leased by someone else until ${new Date(until).toISOString()} ` +
          `(a killed or running step); waiting ${Math.ceil(ms / 1000)}s for the lease to expire`,
      );
      await wait(ms);
    }
  }
}
