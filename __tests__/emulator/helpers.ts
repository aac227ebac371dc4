import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  resetEmulator,
  startEmulator,
  type EmulatorOptions,
  type RunningEmulator,
} from "../../emulator";

export { buildTestImage, EMULATOR_TEST_IMAGE as TEST_IMAGE } from "../../emulator/test-image";

/** True when the podman CLI works. */
export const HAS_PODMAN = spawnSync("podman", ["version"], { stdio: "ignore" }).status === 0;

/**
 * `describe` for suites that need podman: without it, the suite fails with the
 * reason (never skips).
 */
export function describePodman(name: string, fn: () => void): void {
  describe(name, () => {
    beforeAll(() => {
      if (!HAS_PODMAN) throw new Error("podman is not installed: run npm run setup");
    });
    fn();
  });
}

export interface Response<T = Record<string, unknown>> {
  status: number;
  body: T;
}

/** A small typed client for the emulator's API. */
export class Client {
  constructor(
    readonly url: string,
    readonly token: string,
  ) {}

  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response<T>> {
    const init: RequestInit = {
      method,
      headers: { Authorization: `Bearer ${this.token}`, ...headers },
    };
    if (body !== undefined) {
      init.body = typeof body === "string" ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)["Content-Type"] = "application/json";
    }
    const res = await fetch(this.url + path, init);
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  get = <T = Record<string, unknown>>(p: string) => this.call<T>("GET", p);
  post = <T = Record<string, unknown>>(p: string, b?: unknown, h?: Record<string, string>) =>
    this.call<T>("POST", p, b, h);
  put = <T = Record<string, unknown>>(p: string, b?: unknown) => this.call<T>("PUT", p, b);
  del = <T = Record<string, unknown>>(p: string, h?: Record<string, string>) =>
    this.call<T>("DELETE", p, undefined, h);
}

export interface TestEmulator {
  emu: RunningEmulator;
  api: Client;
  stateDir: string;
  /** Stop the emulator and remove everything it made. */
  destroy(): Promise<void>;
}

export async function startTestEmulator(opts: EmulatorOptions = {}): Promise<TestEmulator> {
  const stateDir = opts.stateDir ?? mkdtempSync(join(tmpdir(), "fly-emu-test-"));
  const emu = await startEmulator({ port: 0, token: "test-token", ...opts, stateDir });
  return {
    emu,
    api: new Client(emu.url, emu.token),
    stateDir,
    async destroy() {
      await emu.close();
      await resetEmulator(stateDir);
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
