import type { DnsServer } from "./dns";
import type { Burst429, Latency } from "./faults";
import type { InternalApiRelay } from "./internal-api";
import type { Networks } from "./network";
import type { Podman } from "./podman";
import type { Store } from "./store";

/** Knobs of one emulator instance (all resolved; see `resolveOptions` in index.ts). */
export interface Settings {
  /** Zones per region; each is a 4-hex-char id. */
  zonesPerRegion: number;
  /** Regions accepted for apps' machines and volumes. */
  regions: readonly string[];
  /** Fly's per-action rate limits (429, config/fly-limits.ts) when true. Default true. */
  rateLimit: boolean;
  /** Add `Retry-After: <seconds>` to 429 answers (whether Fly does: UNCONFIRMED). Default false. */
  retryAfter: boolean;
  /** Share (0..1) of requests answered with an injected 500/502/503 before any side effect. */
  faultRate: number;
  /** Per-request latency, log-normal by median and p99 (0/0 = none). */
  latency: Latency;
  /** Periodic windows in which every non-admin request gets 429 (0/0 = none). */
  burst429: Burst429;
  /** How long a deleted volume stays `pending_destroy` (visible, unusable), ms. Fly: 24 h. */
  pendingDestroyMs: number;
  /** Whether a pending_destroy volume still takes its zone for require_unique_zone (UNCONFIRMED). */
  pendingDestroyHoldsZone: boolean;
  /** How long destroyed machines stay visible to GET/wait, ms. */
  destroyedTtlMs: number;
  /** Extra `podman create` arguments for every machine (e.g. for k3s node images). */
  podmanArgs: readonly string[];
  /** Machine DELETE answers at once; the machine is `destroying` this long (container and volume kept) before it is `destroyed`, ms. */
  destroyDelayMs: number;
  /** A machine's first boot stays `starting` this long before its container starts (image pull on a new host), ms. */
  firstBootDelayMs: number;
  /** When non-empty, only machines with one of these images (exact `config.image`) get `firstBootDelayMs`. */
  firstBootDelayImages?: readonly string[];
  /** Zones (hosts) that are full: a machine whose volume is in one gets 412 on create/start/update. */
  fullZones: readonly string[];
  /** Refuse (409) a machine create whose name a live machine of the app has (Fly: "unique", rules UNCONFIRMED). */
  uniqueMachineNames: boolean;
}

/** Everything a service or route needs, passed explicitly. */
export interface Context {
  store: Store;
  podman: Podman;
  networks: Networks;
  settings: Settings;
  /** DNS servers by org slug. */
  dns: Map<string, DnsServer>;
  /** `_api.internal:4280` relays by org slug. */
  relays: Map<string, InternalApiRelay>;
  /** The HTTP API's port once listening. */
  apiPort?: number;
}

/** Fly's current region list: one source for config validation and the emulator. */
export { FLY_REGIONS } from "../config/fly";
