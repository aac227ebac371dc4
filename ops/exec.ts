/**
 * Running a command on a machine through the Machines API's exec: either it
 * must succeed (`execOrFail`), or its answer, or why there was none, is a fact
 * to reason about (`ask`).
 */
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
