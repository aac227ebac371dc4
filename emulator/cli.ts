/**
 * `npm run emulator -- [--port N] [--token T] [--state-dir DIR] [--reset]`
 * Runs the local Fly Machines API in the foreground until Ctrl-C.
 */
import { parseArgs } from "node:util";
import { resetAllEmulators, resetEmulator, startEmulator } from "./index";
import { defaultStateDir } from "./store";

const USAGE = `usage: npm run emulator -- [options]
  --port N            API port (default 4280; 0 picks a free one)
  --host ADDR         listen address (default 127.0.0.1)
  --token T           bearer token (default: saved in the state dir, else random)
  --state-dir DIR     state directory (default ${defaultStateDir()})
  --reset             remove all containers/networks/volumes of this state dir first
  --reset-only        reset, then exit
  --reset-all         remove what every emulator on this host made (any state dir), then exit
  --zones N           zones per region (default 4)
  --rate-limit        enable Fly-like per-action rate limits (429)
  --fault-rate R      answer a share R (0..1) of requests with a 5xx
  --latency-ms MS     add latency to every request
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
      "fault-rate": { type: "string" },
      "latency-ms": { type: "string" },
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
    port: num("port", values.port, 0, 65535) ?? 4280,
    host: values.host,
    token: values.token,
    stateDir,
    reset: values.reset,
    settings: {
      zonesPerRegion: num("zones", values.zones, 1, 64),
      rateLimit: values["rate-limit"] ?? false,
      faultRate: num("fault-rate", values["fault-rate"], 0, 1) ?? 0,
      latencyMs: num("latency-ms", values["latency-ms"], 0, 600_000) ?? 0,
      podmanArgs: values["podman-arg"] ?? [],
    },
  });
  process.stdout.write(
    [
      `fly emulator listening (state ${emu.stateDir}, instance ${emu.instance})`,
      `FLY_API_URL=${emu.url}`,
      `FLY_API_TOKEN=${emu.token}`,
      "",
    ].join("\n"),
  );
  const stop = (): void => {
    void emu.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`fly-emulator: ${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
  process.exit(1);
});
