import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  resetEmulator,
  startEmulator,
  type EmulatorOptions,
  type RunningEmulator,
} from "../../emulator";

export const TEST_IMAGE = "localhost/fly-emulator-test:latest";

/** True when the podman CLI works; tests that need it skip (with a message) otherwise. */
export const HAS_PODMAN = spawnSync("podman", ["version"], { stdio: "ignore" }).status === 0;

/** `describe`, or `describe.skip` with a warning when podman is missing. */
export function describePodman(name: string, fn: () => void): void {
  if (!HAS_PODMAN) {
    console.warn(`SKIPPED "${name}": podman is not installed (run scripts/podman-setup.sh)`);
    describe.skip(name, fn);
    return;
  }
  describe(name, fn);
}

export function buildTestImage(): void {
  execFileSync("bash", [join(__dirname, "../../emulator/images/build-test-image.sh"), TEST_IMAGE], {
    stdio: "ignore",
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

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
