import { table } from "../../bench/harness";
import { phaseLine, phases } from "../../bench/phases";
import { plot } from "../../bench/plot";
import { errorBlocks, errorKinds } from "../../bench/reliability/report";

describe("benchmark and reliability reports", () => {
  it("table pads every column to its widest cell", () => {
    expect(
      table(
        ["a", "bb"],
        [
          [1, "x"],
          ["long", 22],
        ],
      ),
    ).toBe(["| a    | bb |", "|------|----|", "| 1    | x  |", "| long | 22 |"].join("\n"));
  });

  it("plot draws one polyline per series with its points, scaled into the frame", () => {
    const svg = plot({
      title: "t <1>",
      xLabel: "workers",
      yLabel: "s",
      series: [
        {
          name: "deploy",
          points: [
            [6, 40],
            [30, 90],
          ],
        },
        {
          name: "floor",
          points: [
            [6, 30],
            [30, 70],
          ],
        },
      ],
    });
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg.match(/<circle/g)).toHaveLength(4);
    expect(svg).toContain("t &lt;1&gt;");
    for (const m of svg.matchAll(/cx="([\d.]+)" cy="([\d.]+)"/g)) {
      expect(Number(m[1])).toBeGreaterThanOrEqual(60);
      expect(Number(m[1])).toBeLessThanOrEqual(480);
      expect(Number(m[2])).toBeGreaterThanOrEqual(40);
      expect(Number(m[2])).toBeLessThanOrEqual(350);
    }
  });

  it("errorKinds counts OpenTofu's errors, telling 429s and 5xx apart", () => {
    const out = [
      "│ Error: Error creating volume",
      "│ fly api error (status 429): rate limit exceeded",
      "│ Error: Error creating volume",
      "│ fly api error (status 429): rate limit exceeded",
      "│ Error: Error waiting for machine to start",
      "│ fly api error (status 503): injected fault (503)",
      "│ Error: something else",
    ].join("\n");
    const kinds = errorKinds(out);
    expect(kinds.get("Error creating volume (429 rate limited)")).toBe(2);
    expect([...kinds.keys()]).toContain("Error waiting for machine to start (5xx)");
    expect(kinds.get("something else")).toBe(1);
  });

  it("errorBlocks keeps each OpenTofu error with its detail lines", () => {
    const out = [
      "fly_volume.a: Creating...",
      "│ Error: Error creating volume",
      "│ ",
      "│ fly api error (status 429): rate limit exceeded",
      "╵",
      "│ Error: Error waiting for machine to start",
      "│ timeout",
      "done",
    ].join("\n");
    expect(errorBlocks(out)).toEqual([
      "│ Error: Error creating volume\n│ \n│ fly api error (status 429): rate limit exceeded",
      "│ Error: Error waiting for machine to start\n│ timeout",
    ]);
  });
});

describe("where a deploy's time went", () => {
  const lines = (...at: [number, string][]) => at.map(([t, text]) => ({ at: t, text }));

  it("splits the run at the CLI's progress lines", () => {
    const run = lines(
      [2.5, "[   0s] target: local Fly emulator at http://127.0.0.1:1/v1"],
      [2.6, "[   0s] synthesizing"],
      [3.1, "[   0s] initializing (state: s)"],
      [3.6, "[   1s] refreshing the state from Fly (in the plan)"],
      [4.0, "fly_app.x: Refreshing state..."],
      [4.8, "[   2s] applying"],
      [9.8, "[   7s] recording what the roll steps changed"],
      [10.8, "[   8s] cluster zz: 9 of 9 machines started on the local Fly emulator"],
    );
    expect(phaseLine(phases(run, 11))).toBe(
      "cli start 2.5, target 0.1, synth 0.5, init 0.5, plan 1.2, apply 5.0, record 1.0, status, exit 0.2",
    );
  });

  it("counts a phase whose line never came in the one before (nothing recorded)", () => {
    const run = lines([1, "[   0s] applying"], [2, "[   1s] cluster zz: 9 of 9 machines started"]);
    expect(phases(run, 2.5).map((p) => [p.name, p.seconds])).toEqual([
      ["cli start", 1],
      ["apply", 1],
      ["status, exit", 0.5],
    ]);
  });
});
