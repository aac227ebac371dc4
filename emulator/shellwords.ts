import { badRequest } from "./errors";

/**
 * The argv an exec request runs (POST …/exec): `command`, Fly's current
 * field, exactly as sent, one element per argument; otherwise the deprecated
 * `cmd` string split by `splitShellWords`. When both are sent `command` wins
 * (what Fly does then is UNCONFIRMED). The product sends only `command`.
 */
export function execArgv(body: { cmd?: string; command?: readonly string[] }): string[] {
  return body.command ? [...body.command] : splitShellWords(body.cmd ?? "");
}

/**
 * Split a command string into argv the way a POSIX shell does for plain words:
 * whitespace separates words; single quotes keep everything literally; double
 * quotes keep spaces and allow \" \\ \$ \` escapes; a backslash outside quotes
 * escapes the next character. No expansion, globbing or operators. This is
 * the emulator's guess at what Fly does with exec's deprecated `cmd` string:
 * Fly's rules are UNCONFIRMED (README.md, "Choices where Fly's behaviour is
 * unconfirmed").
 */
export function splitShellWords(input: string): string[] {
  const words: string[] = [];
  let cur = "";
  let inWord = false;
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (c === "'") {
      const end = input.indexOf("'", i + 1);
      if (end < 0)
        throw badRequest(`invalid cmd: unterminated single quote in ${JSON.stringify(input)}`);
      cur += input.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      let closed = false;
      while (i < input.length) {
        const d = input[i];
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === "\\" && i + 1 < input.length && '"\\$`\n'.includes(input[i + 1])) {
          if (input[i + 1] !== "\n") cur += input[i + 1];
          i += 2;
          continue;
        }
        cur += d;
        i++;
      }
      if (!closed)
        throw badRequest(`invalid cmd: unterminated double quote in ${JSON.stringify(input)}`);
      inWord = true;
    } else if (c === "\\") {
      if (i + 1 < input.length) {
        if (input[i + 1] !== "\n") cur += input[i + 1];
        inWord = true;
      }
      i += 2;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = "";
      inWord = false;
      i++;
    } else {
      cur += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(cur);
  return words;
}
