import { FLAGS, UsageError, parseOptions, usage } from "../../cli/options";
import { withNodeGroup } from "../../cli/node-groups";
import { diffValues } from "../../cli/stack";

describe("parseOptions", () => {
  it.each([
    [["-c", "clusters/x"], { action: "create", clusterDir: "clusters/x" }],
    [["--create", "clusters/x"], { action: "create" }],
    [["-a", "1", "clusters/x"], { action: "add", group: "1" }],
    [["-l", "cp", "clusters/x"], { action: "list", group: "cp" }],
    [["--status", "--json", "clusters/x"], { action: "status", json: true }],
    [["-d", "--yes", "clusters/x"], { action: "destroy", yes: true }],
    [["-p", "clusters/x"], { action: "plan" }],
    [["--drift", "clusters/x"], { action: "drift" }],
  ])("%j", (argv, expected) => {
    expect(parseOptions(argv)).toMatchObject(expected);
  });

  it.each([
    [[], /give an action/],
    [["-c"], /give exactly one cluster directory/],
    [["-c", "a", "b"], /give exactly one cluster directory/],
    [["-c", "-t", "clusters/x"], /give one action, not --create and --taint/],
    [["-a"], /Option '-a, --add <value>' argument missing/],
    [["-x", "clusters/x"], /Unknown option '-x'/],
  ])("refuses %j", (argv, message) => {
    expect(() => parseOptions(argv)).toThrow(UsageError);
    expect(() => parseOptions(argv)).toThrow(message);
  });

  it("documents every flag in the help, from the same table", () => {
    const help = usage();
    for (const f of FLAGS) expect(help).toContain(`--${f.long}`);
    expect(parseOptions(["-h"]).help).toBe(true);
  });
});

describe("withNodeGroup", () => {
  it.each([
    ["", "0", "0\n"],
    ["0\n", "1", "0\n1\n"],
    ["0", "1", "0\n1\n"],
    ["abc # note\n", "abc", "abc # note\n"],
    ["# groups\n0\n", "0", "# groups\n0\n"],
  ])("%j + %s → %j", (text, id, expected) => {
    expect(withNodeGroup(text, id)).toBe(expected);
  });
});

describe("diffValues", () => {
  it("lists the leaves that differ, without restart noise at the top", () => {
    expect(
      diffValues(
        { guest: { memory_mb: 2048, cpus: 1 }, instance_id: "a", state: "started" },
        { guest: { memory_mb: 1024, cpus: 1 }, instance_id: "b", state: "stopped" },
      ),
    ).toEqual(["guest.memory_mb: 2048 -> 1024", 'state: "started" -> "stopped"']);
    expect(diffValues({ a: 1 }, { a: 1 })).toEqual([]);
  });
});
