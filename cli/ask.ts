/** A question on the terminal (stderr), answered on stdin: the confirmations of -d, -r and --restore. */
import * as readline from "readline";

export async function ask(question: string): Promise<string> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await new Promise((resolve) => rl.question(question, resolve));
  } finally {
    rl.close();
  }
}
