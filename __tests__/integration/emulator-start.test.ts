/**
 * ./k3s.sh without a Fly token starts the local Fly; one that cannot start
 * (here: its podman missing, FLY_EMULATOR_PODMAN naming no file) is reported
 * as soon as it exits, with the line of its log that says why, not after a
 * minute's wait with the end of its usage text.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { EMULATOR_LOG_FILE } from "../../contract/emulator-endpoint";
import { ROOT, requireToolchain } from "../toolchain";

jest.setTimeout(120_000);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

it("an emulator that cannot start is reported when it exits, with its error line", async () => {
  requireToolchain();
  const emuDir = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-emu-start-"));
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    FLY_K3S_EMULATOR_DIR: emuDir,
    FLY_K3S_EMULATOR_PORT: String(await freePort()),
    FLY_EMULATOR_PODMAN: "/nonexistent/podman",
  };
  delete env.FLY_API_TOKEN;
  delete env.FLY_API_URL;
  const t0 = Date.now();
  const r = await new Promise<{ code: number; stderr: string }>((resolve) =>
    execFile(
      path.join(ROOT, "k3s.sh"),
      ["-c", "clusters/local"],
      { cwd: ROOT, env },
      (err, _o, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stderr }),
    ),
  );
  const seconds = (Date.now() - t0) / 1000;
  expect(r.stderr).toMatch(
    /error: the local Fly emulator stopped while starting \(exit 1, after [\d.]+s\): fly-emulator: podman is not available: the local Fly needs rootful podman/,
  );
  expect(r.stderr).toContain(`(its whole output: ${path.join(emuDir, EMULATOR_LOG_FILE)})`);
  expect(r.stderr).not.toContain("waiting for the emulator to answer");
  expect(r.code).toBe(1);
  // It waited for the emulator's exit, not for a timeout (60 s).
  expect(seconds).toBeLessThan(30);
  fs.rmSync(emuDir, { recursive: true, force: true });
});
