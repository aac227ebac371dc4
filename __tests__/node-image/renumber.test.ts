import * as fs from "fs";
import * as path from "path";
import { imageDir, renumberScript, run } from "./helpers";

// The decision table in images/k3s-node/README.md is the specification:
// every row is run through renumber.sh, and the rows together must cover
// every input.

interface Row {
  readonly stored: "none" | "same" | "changed";
  readonly role: "server" | "agent" | "any";
  readonly etcd: "yes" | "no" | "any";
  readonly peer: "healthy" | "unreachable" | "not asked";
  readonly action: string;
}

function readmeRows(): Row[] {
  const text = fs.readFileSync(path.join(imageDir, "README.md"), "utf8");
  const start = text.indexOf("<!-- renumber-table");
  expect(start).toBeGreaterThan(0);
  const lines = text.slice(start).split("\n").slice(1);
  const rows: Row[] = [];
  for (const line of lines.slice(2)) {
    if (!line.startsWith("|")) break;
    const [stored, role, etcd, peer, action] = line
      .split("|")
      .slice(1, 6)
      .map((c) => c.trim().replace(/`/g, ""));
    rows.push({ stored, role, etcd, peer, action } as Row);
  }
  return rows;
}

const OLD = "fdaa:0:18:a7b:7d:f066:b83b:2";
const NEW = "fdaa:0:18:a7b:99:f066:b83b:2";

function decide(stored: string, role: string, peer: string, etcd: string) {
  return run(renumberScript, ["decide", stored, NEW, role, peer, etcd]);
}

const storedValue = (s: Row["stored"]) => ({ none: "", same: NEW, changed: OLD })[s];
const expand = <T extends string>(v: T, any: T[]): T[] => (v === ("any" as T) ? any : [v]);

describe("images/k3s-node/renumber.sh", () => {
  const rows = readmeRows();

  it("finds the eight rows of the README table", () => {
    expect(rows.map((r) => r.action)).toEqual([
      "first-boot",
      "first-boot",
      "adopt",
      "unchanged",
      "agent-renumbered",
      "server-fresh",
      "update-peer-url",
      "refuse",
    ]);
  });

  it.each(rows.map((r) => [`${r.stored}/${r.role}/etcd ${r.etcd}/peer ${r.peer}`, r] as const))(
    "%s → the README's action",
    (_name, row) => {
      for (const role of expand(row.role, ["server", "agent"])) {
        for (const etcd of expand(row.etcd, ["yes", "no"])) {
          // A row whose peer is "not asked" must not depend on it; a row that
          // needs it asks for it first (check-peer) when it is unknown.
          const peers =
            row.peer === "not asked" ? ["healthy", "unreachable", "unknown"] : [row.peer];
          for (const peer of peers) {
            const result = decide(storedValue(row.stored), role, peer, etcd);
            expect({ role, etcd, peer, ...result }).toEqual({
              role,
              etcd,
              peer,
              status: 0,
              stdout: `${row.action}\n`,
              stderr: "",
            });
          }
          if (row.peer !== "not asked") {
            expect(decide(storedValue(row.stored), role, "unknown", etcd).stdout).toBe(
              "check-peer\n",
            );
          }
        }
      }
    },
  );

  it("covers every input with exactly one README row", () => {
    const matches = (v: string, pattern: string) => pattern === "any" || pattern === v;
    for (const stored of ["none", "same", "changed"] as const) {
      for (const role of ["server", "agent"]) {
        for (const etcd of ["yes", "no"]) {
          for (const peer of ["healthy", "unreachable"]) {
            const hits = rows.filter(
              (r) =>
                r.stored === stored &&
                matches(role, r.role) &&
                matches(etcd, r.etcd) &&
                (r.peer === "not asked" || r.peer === peer),
            );
            expect({ stored, role, etcd, peer, rows: hits.length }).toEqual({
              stored,
              role,
              etcd,
              peer,
              rows: 1,
            });
          }
        }
      }
    }
  });

  it("compares addresses case-insensitively", () => {
    expect(
      run(renumberScript, ["decide", NEW.toUpperCase(), NEW, "server", "unknown", "yes"]).stdout,
    ).toBe("unchanged\n");
  });

  it.each([
    [["decide", "", "", "server", "unknown", "no"], "CURRENT must not be empty"],
    [["decide", "", NEW, "worker", "unknown", "no"], 'ROLE must be server or agent (got "worker")'],
    [["decide", "", NEW, "server", "maybe", "no"], "PEER must be healthy, unreachable or unknown"],
    [["decide", "", NEW, "server", "unknown", "1"], 'ETCD_DATA must be yes or no (got "1")'],
    [["decide", NEW], "decide takes 5 arguments (got 1)"],
    [["store"], 'unknown command "store"'],
  ])("rejects %j with exit 64", (args, message) => {
    const result = run(renumberScript, args);
    expect(result.status).toBe(64);
    expect(result.stderr).toContain(message);
  });
});
