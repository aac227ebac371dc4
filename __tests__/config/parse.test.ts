import { parseConfigText } from "../../config/parse";

const value = (text: string) => {
  const r = parseConfigText(text);
  expect(r.issues).toEqual([]);
  return r.assignments[0]?.value;
};

const issue = (text: string) => parseConfigText(text).issues[0]?.message;

describe("parseConfigText", () => {
  it.each([
    ["A=plain", "plain"],
    ['A="double quoted"', "double quoted"],
    ["A='single $HOME `x`'", "single $HOME `x`"],
    ["export A=exported", "exported"],
    ['A="v1.24.15+k3s1"', "v1.24.15+k3s1"],
    ['A="a\\"b\\\\c\\$d"', 'a"b\\c$d'],
    ["A=x # trailing comment", "x"],
    ['A=mixed"quoted part"', "mixedquoted part"],
    ["A=", ""],
    ["A=price$", "price$"],
    ["  A=indented  ", "indented"],
  ])("%s → %j", (text, expected) => {
    expect(value(text)).toBe(expected);
  });

  it("skips comments and blank lines and keeps line numbers", () => {
    const r = parseConfigText("# comment\n\nA=1\n  # another\nB=2\n");
    expect(r.assignments).toEqual([
      { key: "A", value: "1", line: 3 },
      { key: "B", value: "2", line: 5 },
    ]);
    expect(r.lineCount).toBe(5);
  });

  it.each([
    ["A=$(rm -rf /)", /shell expansion/],
    ["A=`id`", /shell expansion/],
    ['A="$HOME/x"', /shell expansion/],
    ["A=${HOME}", /shell expansion/],
    ["A=a b", /unquoted whitespace/],
    ["A=x;reboot", /shell operator/],
    ['A="open', /unterminated double quote/],
    ["A='open", /unterminated single quote/],
    ["A=x\\", /line continuation/],
    ["just words", /expected KEY=VALUE/],
    ["1A=x", /expected KEY=VALUE/],
  ])("rejects %s", (text, message) => {
    expect(issue(text)).toMatch(message);
  });

  it("reports a key set twice with both lines", () => {
    const r = parseConfigText("A=1\nA=2\n");
    expect(r.issues).toEqual([
      { line: 2, key: "A", message: "set twice (first on line 1); keep one" },
    ]);
  });
});
