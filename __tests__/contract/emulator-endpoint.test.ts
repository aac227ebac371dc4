import {
  EMULATOR_PORT,
  EMULATOR_FATAL_PREFIX,
  defaultEmulatorStateDir,
  emulatorFailureLine,
  endpointFromLog,
  endpointLines,
} from "../../contract/emulator-endpoint";
import { INTERNAL_API_PORT } from "../../emulator/internal-api";

describe("the emulator's endpoint lines (contract/emulator-endpoint.ts)", () => {
  it("reads back what the emulator writes, after its status line", () => {
    const ep = { url: "http://127.0.0.1:4280/v1", token: "0123abcd" };
    expect(
      endpointFromLog(`fly emulator listening (state /s, instance i)\n${endpointLines(ep)}`),
    ).toEqual(ep);
  });

  it("takes the last URL and token a log holds (one pair per start)", () => {
    const log =
      endpointLines({ url: "http://a/v1", token: "t1" }) +
      "restart\n" +
      endpointLines({ url: "http://b/v1", token: "t2" });
    expect(endpointFromLog(log)).toEqual({ url: "http://b/v1", token: "t2" });
    expect(endpointFromLog("nothing")).toBeUndefined();
  });

  it("keeps the state under XDG_DATA_HOME, else ~/.local/share", () => {
    expect(defaultEmulatorStateDir({}, "/home/u")).toBe("/home/u/.local/share/fly-k3s/emulator");
    expect(defaultEmulatorStateDir({ XDG_DATA_HOME: "/x" }, "/home/u")).toBe("/x/fly-k3s/emulator");
  });

  it("listens by default where Fly's in-network API does", () => {
    expect(EMULATOR_PORT).toBe(INTERNAL_API_PORT);
  });

  it("finds why a starting emulator stopped: its fatal line, else the first error-like line", () => {
    const usage = "usage: npm run emulator -- [options]\n  --port N            API port";
    expect(
      emulatorFailureLine(
        `${EMULATOR_FATAL_PREFIX}podman is not available: the local Fly needs rootful podman\n${usage}\n`,
      ),
    ).toBe("fly-emulator: podman is not available: the local Fly needs rootful podman");
    expect(
      emulatorFailureLine(
        "node:internal/modules/cjs/loader:1228\n  throw err;\n\nError: Cannot find module 'fastify'\nRequire stack:\n",
      ),
    ).toBe("Error: Cannot find module 'fastify'");
    expect(
      emulatorFailureLine(
        "starting\nError: listen EADDRINUSE: address already in use 127.0.0.1:4280\n",
      ),
    ).toBe("Error: listen EADDRINUSE: address already in use 127.0.0.1:4280");
    expect(emulatorFailureLine("one\nKilled\n")).toBe("Killed");
    expect(emulatorFailureLine("\n")).toBeUndefined();
  });
});
