import { shellQuote } from "../../constructs/ops-step";

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
