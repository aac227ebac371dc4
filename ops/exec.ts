/**
 * Running a command on a machine through the Machines API's exec: either it
 * must succeed (`execOrFail`), or its answer, or why there was none, is a fact
 * to reason about (`ask`).
 */
import * as path from "path";
import { quote } from "shell-quote";
import { Machine } from "../contract/machines-api-types";
import { MachinesApi, showArgv } from "./machines-api";

/** Runs a command and returns its stdout, failing with its stderr on a non-zero exit. */
export async function execOrFail(
  api: MachinesApi,
  m: Machine,
  app: string,
  command: readonly string[],
  stdin?: string,
): Promise<string> {
  const r = await api.exec(app, m.id, command, { stdin });
  if (r.exit_code !== 0) {
    throw new Error(
      `${app}/${m.name}: \`${showArgv(command)}\` exited ${r.exit_code}: ${r.stderr.trim()}`,
    );
  }
  return r.stdout;
}

/** What one exec answered, or why the machine could not be asked. */
export type ExecAnswer =
  | {
      readonly answered: true;
      readonly exitCode: number;
      readonly stdout: string;
      readonly stderr: string;
    }
  | { readonly answered: false; readonly why: string };

/** Runs a command; a failed request is an answer too ("could not be asked"), never a throw. */
export async function ask(
  api: MachinesApi,
  app: string,
  m: Machine,
  command: readonly string[],
): Promise<ExecAnswer> {
  try {
    const r = await api.exec(app, m.id, command);
    return { answered: true, exitCode: r.exit_code, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    return { answered: false, why: (e as Error).message };
  }
}

/**
 * The command that writes its stdin to `file` on a machine: mode 0600 from the
 * first byte (umask), atomically (a temporary file, then `mv`), its directory
 * made first. The script is one argv element, so no word splitting of ours or
 * Fly's touches it. Pure.
 */
export function writeFileCommand(file: string): readonly string[] {
  const [dir, tmp, to] = [path.posix.dirname(file), `${file}.tmp`, file].map((p) => quote([p]));
  return ["sh", "-c", `umask 077 && mkdir -p ${dir} && cat > ${tmp} && mv ${tmp} ${to}`];
}

/**
 * Writes `content` to `file` on a machine (`writeFileCommand`). Secrets go
 * this way: through exec stdin, never in argv, a machine's env or the state.
 */
export async function writeFileOn(
  api: MachinesApi,
  app: string,
  m: Machine,
  file: string,
  content: string,
): Promise<void> {
  await execOrFail(api, m, app, writeFileCommand(file), content);
}
