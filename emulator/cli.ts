/**
 * `npm run emulator -- [--port N] [--token T] [--state-dir DIR] [--reset]`
 * Runs the local Fly Machines API in the foreground until Ctrl-C.
 */
import { parseArgs } from "node:util";
import { EMULATOR_FATAL_PREFIX, EMULATOR_PORT, endpointLines } from "../contract/emulator-endpoint";
import { FLY_LIKE_LATENCY, latencyFromMedian, type Burst429, type Latency } from "./faults";
import { resetAllEmulators, resetEmulator, startEmulator } from "./index";
import { defaultStateDir } from "./store";

const USAGE = `usage: npm run emulator -- [options]
  --port N            API port (default ${EMULATOR_PORT}; 0 picks a free one)
  --host ADDR         listen address (default 127.0.0.1)
  --token T           bearer token (default: saved in the state dir, else random)
  --state-dir DIR     state directory (default ${defaultStateDir()})
  --reset             remove all containers/networks/volumes of this state dir first
  --reset-only        reset, then exit
  --reset-all         remove what every emulator on this host made (any state dir), then exit
  --zones N           zones per region (default 64, an assumption)
  --no-rate-limit     switch off Fly's per-action rate limits (on by default;
                      --rate-limit is accepted and changes nothing)
  --retry-after       add Retry-After: <seconds> to 429 answers (Fly: unconfirmed)
  --fault-rate R      answer a share R (0..1) of requests with 500/502/503
  --latency-ms MS     per-request latency, log-normal with median MS (p99 4 x MS)
  --latency-p99-ms MS the latency's 99th percentile (with --latency-ms)
  --fly-latency       the "fly-like" latency preset: median 60 ms, p99 400 ms (an assumption)
  --burst429-every-ms MS, --burst429-duration-ms MS
                      answer 429 to everything for the last DURATION of every EVERY ms
  --pending-destroy-ms MS  how long a deleted volume stays pending_destroy (default 24 h)
  --pending-destroy-frees-zone  a pending_destroy volume no longer holds its zone
  --destroy-delay-ms MS    a deleted machine stays destroying this long (default 1500)
  --first-boot-delay-ms MS a machine's first boot waits this long (image pull; default 0)
  --first-boot-delay-image IMG  only this image's first boot waits (repeatable)
  --full-zone ZONE    a full host: machines with a volume there get 412 (repeatable)
  --duplicate-machine-names  allow two live machines of an app to share a name
  --podman-arg ARG    extra \`podman create\` argument for every machine (repeatable),
                      e.g. --podman-arg=--cgroupns=host`;

function num(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new Error(`--${name}: expected a number from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
  return n;
}

function latencyOption(v: {
  "latency-ms"?: string;
  "latency-p99-ms"?: string;
  "fly-latency"?: boolean;
}): Latency | undefined {
  const median = num("latency-ms", v["latency-ms"], 0, 600_000);
  const p99 = num("latency-p99-ms", v["latency-p99-ms"], 0, 600_000);
  if (v["fly-latency"]) {
    if (median !== undefined || p99 !== undefined) {
      throw new Error("--fly-latency: give it or --latency-ms/--latency-p99-ms, not both");
    }
    return FLY_LIKE_LATENCY;
  }
  if (median === undefined) {
    if (p99 !== undefined) throw new Error("--latency-p99-ms needs --latency-ms (the median)");
    return undefined;
  }
  if (p99 !== undefined && p99 < median) {
    throw new Error(`--latency-p99-ms: must be at least --latency-ms (${median}), got ${p99}`);
  }
  return latencyFromMedian(median, p99);
}

function burstOption(v: {
  "burst429-every-ms"?: string;
  "burst429-duration-ms"?: string;
}): Burst429 | undefined {
  const everyMs = num("burst429-every-ms", v["burst429-every-ms"], 1, 2 ** 40);
  const durationMs = num("burst429-duration-ms", v["burst429-duration-ms"], 0, 2 ** 40);
  if (everyMs === undefined && durationMs === undefined) return undefined;
  if (everyMs === undefined || durationMs === undefined || durationMs > everyMs) {
    throw new Error(
      "--burst429-every-ms and --burst429-duration-ms go together, duration at most every",
    );
  }
  return { everyMs, durationMs };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      token: { type: "string" },
      "state-dir": { type: "string" },
      reset: { type: "boolean" },
      "reset-only": { type: "boolean" },
      "reset-all": { type: "boolean" },
      zones: { type: "string" },
      "rate-limit": { type: "boolean" },
      "no-rate-limit": { type: "boolean" },
      "retry-after": { type: "boolean" },
      "fault-rate": { type: "string" },
      "latency-ms": { type: "string" },
      "latency-p99-ms": { type: "string" },
      "fly-latency": { type: "boolean" },
      "burst429-every-ms": { type: "string" },
      "burst429-duration-ms": { type: "string" },
      "pending-destroy-ms": { type: "string" },
      "pending-destroy-frees-zone": { type: "boolean" },
      "destroy-delay-ms": { type: "string" },
      "first-boot-delay-ms": { type: "string" },
      "first-boot-delay-image": { type: "string", multiple: true },
      "full-zone": { type: "string", multiple: true },
      "duplicate-machine-names": { type: "boolean" },
      "podman-arg": { type: "string", multiple: true },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const stateDir = values["state-dir"] ?? defaultStateDir();
  if (values["reset-all"]) {
    await resetAllEmulators();
    process.stdout.write("removed every emulator container, network and volume on this host\n");
    return;
  }
  if (values["reset-only"]) {
    await resetEmulator(stateDir);
    process.stdout.write(`reset ${stateDir}\n`);
    return;
  }
  const emu = await startEmulator({
    port: num("port", values.port, 0, 65535) ?? EMULATOR_PORT,
    host: values.host,
    token: values.token,
    stateDir,
    reset: values.reset,
    settings: {
      zonesPerRegion: num("zones", values.zones, 1, 4096),
      rateLimit: values["no-rate-limit"] ? false : undefined,
      retryAfter: values["retry-after"] ? true : undefined,
      faultRate: num("fault-rate", values["fault-rate"], 0, 1),
      latency: latencyOption(values),
      burst429: burstOption(values),
      pendingDestroyMs: num("pending-destroy-ms", values["pending-destroy-ms"], 0, 2 ** 40),
      pendingDestroyHoldsZone: values["pending-destroy-frees-zone"] ? false : undefined,
      destroyDelayMs: num("destroy-delay-ms", values["destroy-delay-ms"], 0, 2 ** 40),
      firstBootDelayMs: num("first-boot-delay-ms", values["first-boot-delay-ms"], 0, 2 ** 40),
      firstBootDelayImages: values["first-boot-delay-image"],
      fullZones: values["full-zone"],
      uniqueMachineNames: values["duplicate-machine-names"] ? false : undefined,
      podmanArgs: values["podman-arg"] ?? [],
    },
  });
  process.stdout.write(
    `fly emulator listening (state ${emu.stateDir}, instance ${emu.instance})\n` +
      endpointLines({ url: emu.url, token: emu.token }),
  );
  const stop = (): void => {
    void emu.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((e: unknown) => {
  process.stderr.write(
    `${EMULATOR_FATAL_PREFIX}${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`,
  );
  process.exit(1);
});
