import * as fs from "fs";
import * as path from "path";
import { datastoreScript, imageDir, run } from "./helpers";

// The table in images/k3s-node/README.md is the specification: every row is
// run through datastore.sh, and together the rows must cover every input
// exactly once.

const DOMAINS = {
  role: ["server", "agent"],
  bootstrap: ["true", "false"],
  wal: ["yes", "no"],
  decision: ["found", "join", "none"],
  token: ["yes", "no"],
  instruction: ["restore", "rejoin", "none"],
} as const;
type Input = { [K in keyof typeof DOMAINS]: (typeof DOMAINS)[K][number] };
type Row = { [K in keyof Input]: string } & { action: string };

function readmeRows(): Row[] {
  const text = fs.readFileSync(path.join(imageDir, "README.md"), "utf8");
  const start = text.indexOf("<!-- datastore-table");
  expect(start).toBeGreaterThan(0);
  const rows: Row[] = [];
  for (const line of text.slice(start).split("\n").slice(3)) {
    if (!line.startsWith("|")) break;
    const [role, bootstrap, wal, decision, token, instruction, action] = line
      .split("|")
      .slice(1, 8)
      .map((c) => c.trim().replace(/`/g, ""));
    rows.push({ role, bootstrap, wal, decision, token, instruction, action });
  }
  return rows;
}

const WAL = { yes: "yes", no: "no" } as const;
const matches = (row: Row, input: Input) =>
  (Object.keys(DOMAINS) as (keyof Input)[]).every(
    (k) => row[k] === "any" || row[k] === (k === "wal" ? WAL[input.wal] : input[k]),
  );

function allInputs(): Input[] {
  const out: Input[] = [];
  for (const role of DOMAINS.role)
    for (const bootstrap of DOMAINS.bootstrap)
      for (const wal of DOMAINS.wal)
        for (const decision of DOMAINS.decision)
          for (const token of DOMAINS.token)
            for (const instruction of DOMAINS.instruction) {
              // Refused: see below.
              if (role === "agent" && (bootstrap === "true" || instruction !== "none")) continue;
              out.push({ role, bootstrap, wal, decision, token, instruction });
            }
  return out;
}

const decide = (i: Input) =>
  run(datastoreScript, ["decide", i.role, i.bootstrap, i.wal, i.decision, i.token, i.instruction]);

describe("images/k3s-node/datastore.sh", () => {
  const rows = readmeRows();

  it("reads the eleven rows of the README table", () => {
    expect(rows.map((r) => r.action)).toEqual([
      "agent",
      "wait-token",
      "restore",
      "rejoin",
      "member",
      "join",
      "wait-token",
      "found",
      "join",
      "wait-token",
      "wait-decision",
    ]);
  });

  it.each(allInputs().map((i) => [Object.values(i).join("/"), i] as const))(
    "%s: exactly one row covers it, and the script prints its action",
    (_name, input) => {
      const covering = rows.filter((r) => matches(r, input));
      expect(covering).toHaveLength(1);
      expect(decide(input)).toEqual({
        status: 0,
        stdout: `${covering[0].action}\n`,
        stderr: "",
      });
    },
  );

  it("founds only on the deploy's word: no input without a 'found' decision founds", () => {
    const founding = allInputs().filter((i) => decide(i).stdout === "found\n");
    expect(founding.every((i) => i.decision === "found" && i.wal === "no")).toBe(true);
    expect(founding.every((i) => i.role === "server" && i.bootstrap === "true")).toBe(true);
  });

  it("never tells a server with a WAL to found or join", () => {
    for (const i of allInputs().filter((x) => x.role === "server" && x.wal === "yes")) {
      expect(decide(i).stdout).toBe(`${i.instruction === "none" ? "member" : i.instruction}\n`);
    }
  });

  it("follows a one-shot instruction whatever else it holds, and only then", () => {
    for (const i of allInputs()) {
      const action = decide(i).stdout.trim();
      expect(action === "restore" || action === "rejoin").toBe(i.instruction !== "none");
      if (i.instruction !== "none") expect(action).toBe(i.instruction);
    }
  });

  it("reads no instruction as none: the five-argument form decides as before", () => {
    for (const i of allInputs().filter((x) => x.instruction === "none")) {
      const five = run(datastoreScript, [
        "decide",
        i.role,
        i.bootstrap,
        i.wal,
        i.decision,
        i.token,
      ]);
      expect(five).toEqual(decide(i));
    }
  });

  it.each([
    [["decide", "agent", "true", "no", "none", "yes"], "BOOTSTRAP=true needs ROLE=server"],
    [
      ["decide", "server", "maybe", "no", "none", "yes"],
      'BOOTSTRAP must be one of true false (got "maybe")',
    ],
    [["decide", "server", "true", "no", "none"], "decide takes 5 or 6 arguments (got 4)"],
    [
      ["decide", "agent", "false", "no", "none", "yes", "rejoin"],
      "INSTRUCTION=rejoin needs ROLE=server",
    ],
    [
      ["decide", "server", "false", "no", "none", "yes", "reset"],
      'INSTRUCTION must be one of restore rejoin none (got "reset")',
    ],
    [["found"], 'unknown command "found"'],
  ])("refuses %j with exit 64", (args, message) => {
    const r = run(datastoreScript, args);
    expect(r.status).toBe(64);
    expect(r.stderr).toContain(message);
  });
});
