/**
 * Request validation (zod) of the machine, app and secret routes: bad input is
 * a 400 whose message names the field. No podman needed.
 */
import { ApiError } from "../../emulator/errors";
import { nextZone } from "../../emulator/machine-host";
import {
  execSchema,
  leaseQuerySchema,
  machineCreateSchema,
  waitQuerySchema,
} from "../../emulator/machine-schemas";
import { appCreateSchema } from "../../emulator/routes/apps";
import { issuePath, parseBody, parseQuery } from "../../emulator/routes/common";
import { secretSetSchema } from "../../emulator/routes/secrets";

const create = machineCreateSchema(["iad", "ams"]);

function error(fn: () => unknown): { status: number; message: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return { status: e.statusCode, message: e.message };
    throw e;
  }
  throw new Error("no error thrown");
}

describe("request schemas", () => {
  it("formats paths like config.files[0].guest_path", () => {
    expect(issuePath(["config", "files", 0, "guest_path"])).toBe("config.files[0].guest_path");
    expect(issuePath([])).toBe("");
  });

  it("accepts the provider's machine create and echoes unknown fields", () => {
    const config = {
      image: "img",
      env: { A: "1" },
      services: [{ protocol: "tcp", internal_port: 6443 }],
      guest: { cpu_kind: "shared", cpus: 1, memory_mb: 256, gpu_kind: "" },
      checks: { k3s: { type: "tcp", port: 6443 } },
    };
    const b = parseBody(create, { region: "ams", config, skip_launch: true });
    expect(b).toEqual({ region: "ams", config, skip_launch: true });
    expect(parseBody(create, { config: { image: "x" } }).region).toBe("iad");
  });

  it.each<[string, unknown, RegExp]>([
    ["no config", { region: "iad" }, /^config is required/],
    ["empty image", { config: { image: "" } }, /^config\.image is required \(got ""\)/],
    [
      "bad region",
      { region: "mars", config: { image: "x" } },
      /^region must be one of iad, ams \(got "mars"\)/,
    ],
    [
      "bad env",
      { config: { image: "x", env: { A: 1 } } },
      /^config\.env\.A must be a string \(got 1\)/,
    ],
    [
      "bad memory",
      { config: { image: "x", guest: { memory_mb: 100 } } },
      /^config\.guest\.memory_mb must be a multiple of 256/,
    ],
    [
      "bad cpus",
      { config: { image: "x", guest: { cpus: 0 } } },
      /^config\.guest\.cpus must be a positive integer/,
    ],
    [
      "init.cmd",
      { config: { image: "x", init: { cmd: "ls" } } },
      /^config\.init\.cmd must be an array of strings/,
    ],
    [
      "relative file",
      { config: { image: "x", files: [{ guest_path: "etc/x", raw_value: "" }] } },
      /^config\.files\[0\]\.guest_path must be an absolute path/,
    ],
    [
      "file without value",
      { config: { image: "x", files: [{ guest_path: "/x" }] } },
      /^config\.files\[0\] needs raw_value/,
    ],
    [
      "two mounts",
      {
        config: {
          image: "x",
          mounts: [
            { volume: "a", path: "/a" },
            { volume: "b", path: "/b" },
          ],
        },
      },
      /^config\.mounts can hold at most one volume/,
    ],
    [
      "mount without path",
      { config: { image: "x", mounts: [{ volume: "a" }] } },
      /^config\.mounts\[0\]\.path is required/,
    ],
    ["bad name", { name: "a b", config: { image: "x" } }, /^name must be/],
    [
      "skip_launch",
      { config: { image: "x" }, skip_launch: "yes" },
      /^skip_launch must be a boolean/,
    ],
    [
      "restart policy",
      { config: { image: "x", restart: { policy: "sometimes" } } },
      /^config\.restart\.policy must be one of/,
    ],
  ])("machine create: %s → 400 naming the field", (_n, input, want) => {
    const e = error(() => parseBody(create, input));
    expect(e.status).toBe(400);
    expect(e.message).toMatch(want);
  });

  it("rejects a body that is not an object", () => {
    expect(error(() => parseBody(create, [1])).message).toMatch(/^request body must be an object/);
  });

  it("exec needs cmd or command; timeout positive", () => {
    expect(error(() => parseBody(execSchema, { timeout: 5 })).message).toBe(
      "cmd (string) or command (array) is required",
    );
    expect(error(() => parseBody(execSchema, { cmd: "ls", timeout: -1 })).message).toMatch(
      /^timeout must be a positive number of seconds/,
    );
    expect(error(() => parseBody(execSchema, { command: [] })).message).toMatch(
      /^command is empty/,
    );
  });

  it("wait query: defaults, range, state", () => {
    expect(parseQuery(waitQuerySchema, {})).toEqual({ state: "started", timeout: 60 });
    expect(parseQuery(waitQuerySchema, { state: "stopped", timeout: "5" })).toEqual({
      state: "stopped",
      timeout: 5,
    });
    expect(error(() => parseQuery(waitQuerySchema, { timeout: "61" })).message).toMatch(
      /^invalid_argument: timeout must be an integer number of seconds from 1 to 60/,
    );
    expect(error(() => parseQuery(waitQuerySchema, { timeout: "1.5" })).message).toMatch(
      /^invalid_argument: timeout must be/,
    );
    expect(error(() => parseQuery(waitQuerySchema, { state: "bogus" })).message).toMatch(
      /^invalid_argument: state must be one of "started", "stopped", "suspended", "destroyed"/,
    );
    expect(parseQuery(leaseQuerySchema, { ttl: "60" }).ttl).toBe(60);
  });

  it("apps: app_name or name, org_slug required", () => {
    expect(parseBody(appCreateSchema, { app_name: "a-1", org_slug: "o" })).toEqual({
      name: "a-1",
      org: "o",
      network: undefined,
    });
    expect(parseBody(appCreateSchema, { name: "b", org_slug: "o", network: "n" }).name).toBe("b");
    expect(
      error(() => parseBody(appCreateSchema, { app_name: "Bad_Name", org_slug: "o" })).message,
    ).toMatch(/^app_name must be 1-63 lowercase/);
    expect(error(() => parseBody(appCreateSchema, { app_name: "x" })).message).toBe(
      "org_slug is required",
    );
    expect(error(() => parseBody(appCreateSchema, { org_slug: "o" })).message).toBe(
      "app_name is required",
    );
  });

  it("secrets: value must be a string", () => {
    expect(error(() => parseBody(secretSetSchema, {})).message).toBe("value is required");
    expect(error(() => parseBody(secretSetSchema, { value: 1 })).message).toBe(
      "value must be a string (got 1)",
    );
  });
});

describe("nextZone (host loss with renumbering)", () => {
  it("moves to another open zone, or stays when none is left", () => {
    expect(nextZone(["a", "b", "c"], "a", new Set(["b"]))).toBe("c");
    expect(nextZone(["a", "b"], "a", new Set(["b"]))).toBe("a");
    expect(nextZone(["a"], "a", new Set())).toBe("a");
  });
});
