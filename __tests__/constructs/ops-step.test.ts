import { spawnSync } from "child_process";
import { shellQuote } from "../../constructs/ops-step";
import { OPS_COMMAND_ENV } from "../../contract/fly-machines-call";
import { steps, synthExample } from "./fixtures";

describe("shellQuote", () => {
  it.each([
    ["ctrl-0", "ctrl-0"],
    ["$HOME/.kube/local", "$HOME/.kube/local"],
    ["https://x-cp.internal:6443", "https://x-cp.internal:6443"],
    ["two words", "'two words'"],
    ["it's", "'it'\\''s'"],
    ['a"b', "'a\"b'"],
    ["a;rm -rf /", "'a;rm -rf /'"],
    ["$(id)", "'$(id)'"],
    ["${TfToken[TOKEN.1]}", "'${TfToken[TOKEN.1]}'"],
  ])("%s → %s", (word, quoted) => {
    expect(shellQuote(word)).toBe(quoted);
  });
});

describe("OpsStep command", () => {
  const commands = () => steps(synthExample().json, "snapshots-off").map((s) => s.command);

  it("runs bin/fly-machines through FLY_K3S_OPS_COMMAND, naming no path", () => {
    expect(commands()).toHaveLength(3);
    for (const c of commands()) {
      expect(c).toContain(`&& "$\${${OPS_COMMAND_ENV}:?is not set: `);
      expect(c).not.toContain("/bin/fly-machines");
    }
  });

  // What Terraform hands /bin/sh: the template with `$${` read as a literal `${`.
  const asRun = (c: string) => c.replace(/\$\$\{/g, "${");
  const sh = (c: string, env: Record<string, string>) =>
    spawnSync("/bin/sh", ["-c", asRun(c)], {
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
    });

  it("runs the command the environment names, with its arguments", () => {
    const r = sh(commands()[0], { [OPS_COMMAND_ENV]: "/bin/echo" });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^snapshots-off --app \S+ --volume \S+\n$/);
  });

  it("stops at once, saying what to do, when FLY_K3S_OPS_COMMAND is not set", () => {
    const r = sh(commands()[0], {});
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(
      `${OPS_COMMAND_ENV}: is not set: run the stack with ./k3s.sh, npm run cdktf or npm run tofu, ` +
        `or set it to the path of bin/fly-machines in a checkout of fly-k3s`,
    );
  });
});
