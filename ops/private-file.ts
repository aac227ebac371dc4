import * as fs from "fs";
import * as path from "path";

/**
 * Writes a file readable only by its owner, atomically (rename over the old
 * one): credentials (a kubeconfig) are never readable by others, nor half
 * written.
 */
export function writePrivateFileAtomic(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, { mode: 0o600 });
  // The mode given to writeFileSync applies only when it creates the file.
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}
