/**
 * The remembered choice of toolchain (contract/setup-mode.ts): its file round
 * trip, the override, and cli/toolchain.ts reading it with no environment
 * variable set.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  RememberedSetup,
  effectiveMode,
  formatSetupMode,
  parseSetupMode,
} from "../../contract/setup-mode";
import { rememberedSetup, toolchain } from "../../cli/toolchain";

describe("the setup-mode file", () => {
  it.each<RememberedSetup>([
    { mode: "online", reason: "no provider source archive in /tmp/x", tofu: "/usr/bin/tofu" },
    { mode: "offline", reason: "provider source archives in /srv/fly-k3s/third_party" },
  ])("round-trips %j", (s) => {
    expect(parseSetupMode(formatSetupMode(s))).toEqual(s);
  });

  it("keeps a reason on one line", () => {
    const text = formatSetupMode({ mode: "online", reason: "a\nb" });
    expect(text.split("\n").filter((l) => l.startsWith("reason="))).toEqual(["reason=a b"]);
  });

  it("refuses a mode it does not know, naming the file", () => {
    expect(() => parseSetupMode("mode=registry\n", "/c/setup-mode")).toThrow(
      "/c/setup-mode: mode=registry is not one of offline, online; run npm run setup again",
    );
  });
});

describe("the mode a command runs in", () => {
  const online: RememberedSetup = { mode: "online", reason: "r" };
  it.each<[string, Record<string, string>, RememberedSetup | undefined, string | undefined]>([
    ["remembered", {}, online, "online"],
    ["FLY_K3S_USE_REGISTRY=0 overrides it", { FLY_K3S_USE_REGISTRY: "0" }, online, "offline"],
    [
      "FLY_K3S_USE_REGISTRY=1 with nothing remembered",
      { FLY_K3S_USE_REGISTRY: "1" },
      undefined,
      "online",
    ],
    ["empty counts as unset", { FLY_K3S_USE_REGISTRY: "" }, online, "online"],
    ["nothing remembered, nothing set", {}, undefined, undefined],
  ])("%s", (_what, env, remembered, mode) => {
    expect(effectiveMode(env, remembered)?.mode).toBe(mode);
  });

  it("refuses another value of FLY_K3S_USE_REGISTRY", () => {
    expect(() => effectiveMode({ FLY_K3S_USE_REGISTRY: "true" }, undefined)).toThrow(
      "FLY_K3S_USE_REGISTRY=true: expected 1",
    );
  });
});

describe("cli/toolchain.ts in the remembered online mode", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-mode-"));
    fs.mkdirSync(path.join(dir, "cache"));
    fs.mkdirSync(path.join(dir, "bin"));
    fs.writeFileSync(path.join(dir, "bin", "tofu"), "#!/bin/sh\n", { mode: 0o755 });
    fs.writeFileSync(
      path.join(dir, "cache", "setup-mode"),
      formatSetupMode({ mode: "online", reason: "test", tofu: path.join(dir, "bin", "tofu") }),
    );
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("runs tofu from PATH, no CLI configuration, with no FLY_K3S_USE_REGISTRY set", () => {
    const env = { HOME: dir, FLY_K3S_CACHE: path.join(dir, "cache"), PATH: path.join(dir, "bin") };
    expect(rememberedSetup(env)?.mode).toBe("online");
    const t = toolchain(env);
    expect(t.binary).toBe(path.join(dir, "bin", "tofu"));
    expect(t.env.TERRAFORM_BINARY_NAME).toBe(t.binary);
    expect(t.env.TF_CLI_CONFIG_FILE).toBeUndefined();
    expect(t.env.TF_PLUGIN_CACHE_DIR).toBe(path.join(dir, "cache", "plugin-cache"));
  });

  it("falls back to the tofu setup found when PATH lost it", () => {
    const env = { HOME: dir, FLY_K3S_CACHE: path.join(dir, "cache"), PATH: "/nonexistent" };
    expect(toolchain(env).binary).toBe(path.join(dir, "bin", "tofu"));
  });

  it("says what to do when there is no tofu at all", () => {
    fs.rmSync(path.join(dir, "bin", "tofu"));
    const env = { HOME: dir, FLY_K3S_CACHE: path.join(dir, "cache"), PATH: "/nonexistent" };
    expect(() => toolchain(env)).toThrow(/no tofu on PATH: install OpenTofu >= 1\.12/);
  });

  it("FLY_K3S_USE_REGISTRY=0 asks for the offline build instead", () => {
    const env = {
      HOME: dir,
      FLY_K3S_CACHE: path.join(dir, "cache"),
      PATH: path.join(dir, "bin"),
      FLY_K3S_USE_REGISTRY: "0",
    };
    expect(() => toolchain(env)).toThrow(
      "OpenTofu 1.12.6 is not built yet (offline mode: FLY_K3S_USE_REGISTRY=0)",
    );
  });

  it("before any setup, says to run it", () => {
    fs.rmSync(path.join(dir, "cache", "setup-mode"));
    const env = { HOME: dir, FLY_K3S_CACHE: path.join(dir, "cache"), PATH: path.join(dir, "bin") };
    expect(() => toolchain(env)).toThrow(
      "fly-k3s is not set up on this machine yet: run npm run setup",
    );
  });
});
