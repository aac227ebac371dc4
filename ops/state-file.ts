/**
 * The raw state file (`tofu state pull` / `push`): what the adoption, the
 * record and the deploy's turns write into the state without asking Fly
 * again, and the refreshed state a saved plan carries.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { strFromU8, unzipSync } from "fflate";
import type { TofuResult, TofuRun } from "./deploy";

/** The parts of a raw state file that are read and patched. */
export interface RawState {
  serial: number;
  lineage?: string;
  resources?: {
    mode: string;
    type: string;
    name: string;
    module?: string;
    instances: { attributes: Record<string, unknown> }[];
  }[];
  [key: string]: unknown;
}

/** The state as it is now; throws with OpenTofu's error. */
export async function pullState(run: TofuRun): Promise<RawState> {
  const pulled = await run(["state", "pull"]);
  if (pulled.status !== 0) throw new Error(`tofu state pull failed:\n${pulled.stderr.trim()}`);
  return JSON.parse(pulled.stdout) as RawState;
}

/**
 * Writes `state` as the state (through a 0600 temporary file, removed
 * afterwards). OpenTofu takes the state lock for it and refuses a state of
 * another lineage, or one whose serial is not above the current one unless
 * its content is the same.
 */
export async function pushState(run: TofuRun, state: RawState): Promise<TofuResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fly-k3s-state-"));
  const file = path.join(dir, "terraform.tfstate");
  try {
    fs.writeFileSync(file, JSON.stringify(state, null, 2), { mode: 0o600 });
    return await run(["state", "push", file]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The state as a saved plan's refresh read it, with the next serial, ready to
 * push. OpenTofu keeps it in the plan file (a zip) as `tfstate`: the plan's
 * prior state, after the refresh, with the lineage and serial of the state it
 * was planned from (`tfstate-prev` is the state before the refresh; OpenTofu
 * `internal/plans/planfile/writer.go`). Undefined when the file holds none
 * (an encrypted plan, another format): the caller refreshes instead.
 */
export function refreshedStateOf(planFile: string): RawState | undefined {
  try {
    const files = unzipSync(fs.readFileSync(planFile), { filter: (f) => f.name === "tfstate" });
    const state = JSON.parse(strFromU8(files.tfstate)) as RawState;
    if (typeof state.serial !== "number") return undefined;
    return { ...state, serial: state.serial + 1 };
  } catch {
    return undefined;
  }
}

/** Why `tofu state push` refused, in one phrase (its error text is a box of lines). Pure. */
export function pushRefusal(stderr: string): string {
  // eslint-disable-next-line no-control-regex
  const text = stderr.replace(/\x1b\[[0-9;]*m/g, "");
  if (/Error acquiring the state lock/.test(text)) return "another run holds the state's lock";
  const error = /Error: ?(.+)/.exec(text)?.[1]?.trim();
  return error ? `tofu state push: ${error}` : "tofu state push failed";
}
