/**
 * A roll of machines that have run, through two whole ./k3s.sh -c on the
 * local Fly (real OpenTofu, providers and podman): after a K3S_VERSION patch
 * release, the deploy rolls the bootstrap server, each other server, then the
 * workers, one turn after the other (each machine started again before the
 * next one's turn began), refreshes the state from Fly once (the provider
 * reads each volume once: only its refresh reads a single volume), and leaves
 * nothing for the drift check.
 */
import * as fs from "fs";
import { controlPlaneAppName, nodeGroupAppName } from "../../config/naming";
import { emulatorAdmin } from "../../emulator";
import { k3s } from "../../bench/harness";
import { scratchOnLocalFly } from "./scratch-on-local-fly";

jest.setTimeout(600_000);

interface Event {
  readonly type: string;
  readonly timestamp: number;
}

describe("rolls of machines that have run, on the local Fly", () => {
  const scratch = scratchOnLocalFly("turns", 1);
  const { cluster, configFile } = scratch;

  it("takes turns, refreshes once and leaves no drift", async () => {
    const fly = scratch.fly;
    const created = await k3s(fly, ["-c", "--no-verify", cluster.dir]);
    expect(created.code).toBe(0);

    const config = fs.readFileSync(configFile, "utf8");
    expect(config).toMatch(/^K3S_VERSION="v1\.36\.3\+k3s1"$/m);
    fs.writeFileSync(configFile, config.replace("v1.36.3+k3s1", "v1.36.4+k3s1"));
    const admin = emulatorAdmin(fly.emu.url, fly.emu.token);
    await admin.resetStats();
    const t0 = Date.now();

    const rolled = await k3s(fly, ["-c", "--no-verify", cluster.dir]);
    expect(rolled.code).toBe(0);
    const log = rolled.stdout + rolled.stderr;
    const cp = controlPlaneAppName(cluster.name);
    const ng = nodeGroupAppName(cluster.name, "0");
    const order = [
      [cp, "ctrl-0"],
      [cp, "ctrl-1"],
      [cp, "ctrl-2"],
      [ng, "worker-ng-0-0"],
    ];
    order.forEach(([, name], k) =>
      expect(log).toContain(`rolling ${name} (turn ${k + 1} of ${order.length})`),
    );

    // One refresh: the provider reads each of the four volumes once.
    const stats = await admin.stats();
    expect(stats.byAction["volume.get"]?.requests).toBe(order.length);

    // Each machine started again (the emulator's event log) before the next
    // one's turn began (the deploy's log line, received after it was written).
    const turnBegan = (name: string) =>
      t0 + 1000 * (rolled.lines.find((l) => l.text.includes(`rolling ${name} `))?.at ?? NaN);
    let previous: number | undefined;
    for (const [app, name] of order) {
      const m = (await fly.api.listMachines(app)).find((x) => x.name === name);
      expect(m?.config.env?.K3S_VERSION).toBe("v1.36.4+k3s1");
      const got = await fly.api.request<{ events: Event[] }>(
        "GET",
        `/apps/${app}/machines/${m?.id}`,
      );
      const starts = got.events.filter((e) => e.type === "start" && e.timestamp >= t0);
      expect([name, starts.length]).toEqual([name, 1]);
      if (previous !== undefined) expect(previous).toBeLessThan(turnBegan(name));
      previous = starts[0].timestamp;
    }

    const drift = await k3s(fly, ["--drift", cluster.dir]);
    expect(drift.stdout).toContain(
      `no drift: Fly matches the config and state of cluster ${cluster.name}`,
    );
    expect(drift.code).toBe(0);
  });
});
