import * as fs from "fs";
import * as path from "path";

export const ROOT = path.join(__dirname, "..");

/** Prefix of the short-lived cluster directories k3s-sh.test.ts makes under clusters/. */
export const TEST_CLUSTER_PREFIX = "zz-k3s-sh-test-";

/** Copies the checkout's clusters/ into `dest`, leaving out other tests' scratch clusters. */
export function copyClusters(dest: string): void {
  fs.cpSync(path.join(ROOT, "clusters"), path.join(dest, "clusters"), {
    recursive: true,
    filter: (src) => !path.basename(src).startsWith(TEST_CLUSTER_PREFIX),
  });
}
