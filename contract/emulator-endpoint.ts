/**
 * How the operator CLI finds the local Fly it runs: where the emulator keeps
 * its state and log, its default port, and the lines it prints once it
 * listens (emulator/cli.ts writes them, cli/target.ts reads them back from
 * the log). Pure.
 */
import * as path from "path";

/** The emulator's default API port: the port of Fly's in-network API, too. */
export const EMULATOR_PORT = 4280;

/** In the state directory: the emulator's output (with its URL and token, so 0600) and pid. */
export const EMULATOR_LOG_FILE = "emulator.log";
export const EMULATOR_PID_FILE = "emulator.pid";

/** `$XDG_DATA_HOME/fly-k3s/emulator`, by default under `<home>/.local/share`. Pure. */
export function defaultEmulatorStateDir(
  env: { readonly XDG_DATA_HOME?: string },
  home: string,
): string {
  return path.join(env.XDG_DATA_HOME || path.join(home, ".local", "share"), "fly-k3s", "emulator");
}

export interface EmulatorEndpoint {
  readonly url: string;
  readonly token: string;
}

/** The lines the emulator prints when it listens, after its own status line. Pure. */
export function endpointLines(ep: EmulatorEndpoint): string {
  return `FLY_API_URL=${ep.url}\nFLY_API_TOKEN=${ep.token}\n`;
}

/** The last URL and token an emulator printed (a log holds one pair per start). Pure. */
export function endpointFromLog(log: string): EmulatorEndpoint | undefined {
  const last = (key: string) =>
    [...log.matchAll(new RegExp(`^${key}=(\\S+)$`, "gm"))].map((m) => m[1]).pop();
  const url = last("FLY_API_URL");
  const token = last("FLY_API_TOKEN");
  return url && token ? { url, token } : undefined;
}

/** How the emulator's fatal line starts: emulator/cli.ts writes it, then exits 1. */
export const EMULATOR_FATAL_PREFIX = "fly-emulator: ";

/** A line that looks like an error: Node's own (a crash before the emulator's handler) or a system error. */
const ERROR_LIKE =
  /\b(?:\w*Error\b|ERR_[A-Z_]+|E(?:ADDRINUSE|ACCES|NOENT|PERM)\b|cannot|not found|not available|denied)/i;

/**
 * Why an emulator that exited during start-up stopped, from its log: its own
 * fatal line, else the first line that looks like an error, else the last
 * line; undefined for an empty log. Pure.
 */
export function emulatorFailureLine(log: string): string | undefined {
  const lines = log
    .split("\n")
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== "");
  return (
    lines.find((l) => l.startsWith(EMULATOR_FATAL_PREFIX)) ??
    lines.find((l) => ERROR_LIKE.test(l)) ??
    lines.pop()
  );
}
