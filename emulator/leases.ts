/**
 * Machine leases (Fly docs, fly-go): a held lease makes every mutation without
 * the matching `fly-machine-lease-nonce` fail with 409
 * `aborted: machine ID <id> lease currently held by <owner>, expires at <RFC3339>`
 * (the text a third-party report shows real Fly answering). Functions on the
 * record; the caller persists.
 */
import { badRequest, conflict } from "./errors";
import { nonce, rfc3339, ulid } from "./ids";
import type { Lease, MachineRecord } from "./types";

export const LEASE_OWNER = "local@tokens.fly.io";

/** Drop an expired lease; true when a live one is held. */
function held(m: MachineRecord, now: number): boolean {
  if (m.lease && m.lease.expiresAt <= now) m.lease = undefined;
  return m.lease !== undefined;
}

/** Refuse a mutation while someone else's lease is held (Fly's 409). */
export function checkLease(
  m: MachineRecord,
  headerNonce: string | undefined,
  now = Date.now(),
): void {
  const l = m.lease;
  if (!l || !held(m, now)) return;
  if (headerNonce !== l.nonce) {
    throw conflict(
      `aborted: machine ID ${m.id} lease currently held by ${l.owner}, expires at ${rfc3339(l.expiresAt)}`,
    );
  }
}

/** Take (or, with the nonce, extend) the lease. */
export function acquireLease(
  m: MachineRecord,
  ttlSec: number,
  description: string,
  headerNonce?: string,
  now = Date.now(),
): Lease {
  checkLease(m, headerNonce, now);
  const lease: Lease = {
    nonce: m.lease?.nonce ?? nonce(),
    owner: LEASE_OWNER,
    description,
    expiresAt: now + ttlSec * 1000,
    version: ulid(now),
  };
  m.lease = lease;
  return lease;
}

/** Release the lease; needs its nonce while it is live. */
export function releaseLease(
  m: MachineRecord,
  headerNonce: string | undefined,
  now = Date.now(),
): void {
  if (!held(m, now)) return;
  if (!headerNonce)
    throw badRequest("fly-machine-lease-nonce header is required to release a lease");
  checkLease(m, headerNonce, now);
  m.lease = undefined;
}

/** The live lease, if any. */
export function currentLease(m: MachineRecord, now = Date.now()): Lease | undefined {
  return held(m, now) ? m.lease : undefined;
}
