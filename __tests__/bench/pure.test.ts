import { table } from "../../bench/harness";
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
