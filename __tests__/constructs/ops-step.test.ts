import * as fs from "fs";
import * as path from "path";
import { DEFAULT_OPS_COMMAND, shellQuote } from "../../constructs/ops-step";
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

describe("OpsStep command path", () => {
  it("defaults to this checkout's bin/fly-machines as an absolute path", () => {
    expect(path.isAbsolute(DEFAULT_OPS_COMMAND)).toBe(true);
    expect(fs.existsSync(DEFAULT_OPS_COMMAND)).toBe(true);
    expect(DEFAULT_OPS_COMMAND).toBe(path.join(__dirname, "../../bin/fly-machines"));
  });

  it("runs the command the stack names, wherever the stack is synthesized to", () => {
    const { json } = synthExample();
    const commands = steps(json, "snapshots-off").map((s) => s.command);
    expect(commands).toHaveLength(3);
    for (const c of commands)
      expect(c).toContain("&& /opt/fly-k3s/bin/fly-machines snapshots-off ");
    expect(JSON.stringify(json)).not.toContain("path.module");
  });
});
