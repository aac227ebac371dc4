import type { DnsServer } from "./dns";
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
  /** Fly-like per-action rate limits (429) when true. */
  rateLimit: boolean;
  /** Share (0..1) of requests answered with an injected 5xx. */
  faultRate: number;
  /** Added latency per request, ms. */
  latencyMs: number;
  /** How long destroyed machines stay visible to GET/wait, ms. */
  destroyedTtlMs: number;
  /** Extra `podman create` arguments for every machine (e.g. for k3s node images). */
  podmanArgs: readonly string[];
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
