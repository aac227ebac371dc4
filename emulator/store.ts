import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { defaultEmulatorStateDir } from "../contract/emulator-endpoint";
import type { EmulatorState } from "./types";

export const STATE_FILE = "state.json";

export function defaultStateDir(): string {
  return defaultEmulatorStateDir(process.env, homedir());
}

function emptyState(token?: string): EmulatorState {
  return {
    version: 1,
    instance: randomBytes(4).toString("hex"),
    token: token ?? randomBytes(24).toString("hex"),
    orgs: {},
    apps: {},
    volumes: {},
    machines: {},
  };
}

/**
 * The emulator's whole state as one JSON document in `<stateDir>/state.json`,
 * written atomically (temp file + rename, mode 0600: it holds the API token
 * and secret values) after every change.
 */
export class Store {
  readonly state: EmulatorState;
  private readonly file: string;

  constructor(
    readonly dir: string,
    token?: string,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = join(dir, STATE_FILE);
    this.state = Store.read(this.file) ?? emptyState(token);
    if (token) this.state.token = token;
    this.save();
  }

  static read(file: string): EmulatorState | undefined {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
    const parsed = JSON.parse(text) as EmulatorState;
    if (parsed.version !== 1) {
      throw new Error(
        `${file}: unknown state version ${String(parsed.version)}; start with --reset`,
      );
    }
    return parsed;
  }

  save(): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state, null, 2) + "\n", { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
  }
}
