/**
 * Storage: a local-path claim keeps its data on the node's Fly volume and
 * hands it to the next pod (6). Pure.
 */
import { VOLUME_MOUNT_PATH } from "../../contract/node-paths";
import { MEANINGS, VerifyLine, line } from "./checks";
import { Answer, said } from "./parse";

/** What the volume steps saw. */
export interface VolumeFacts {
  readonly node: string;
  readonly token: string;
  /** The step that went wrong before the data could be read back, with what it said. */
  readonly failed?: string;
  /** The PersistentVolume's directory on the node. */
  readonly path?: string;
  /** The new pod's output. */
  readonly reader?: Answer;
  /** The file read on the machine itself. */
  readonly machine?: Answer;
}

/** 6. Written by one pod, read back by a new one, from a directory on the node's Fly volume. */
export function checkVolume(v: VolumeFacts): VerifyLine {
  const problems: string[] = [];
  if (v.failed) problems.push(v.failed);
  else {
    if (!v.path) problems.push("the volume has no path");
    else if (!v.path.startsWith(`${VOLUME_MOUNT_PATH}/`))
      problems.push(`the data is in ${v.path}, not on the Fly volume (${VOLUME_MOUNT_PATH})`);
    const back = v.reader?.answered ? v.reader.stdout.trim() : undefined;
    if (back !== v.token)
      problems.push(
        `the new pod read ${back === undefined ? `nothing (${v.reader ? said(v.reader) : "not run"})` : JSON.stringify(back)}`,
      );
    const direct = v.machine?.answered ? v.machine.stdout.trim() : undefined;
    if (v.path && direct !== v.token)
      problems.push(
        `the machine's ${v.path} holds ${direct === undefined ? `nothing (${v.machine ? said(v.machine) : "not read"})` : JSON.stringify(direct)}`,
      );
  }
  return line(
    "volume",
    problems,
    `written, pod deleted, read back by a new pod on ${v.node} from ${v.path}`,
    MEANINGS.volume,
  );
}
