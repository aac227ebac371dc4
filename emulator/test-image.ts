/**
 * The emulator's test image: busybox and an idle /init, no k3s. Local
 * clusters run it (clusters/local), so the stacks leave out the steps that
 * need k3s on the nodes when it is the node image.
 */
import { execFileSync } from "child_process";
import * as path from "path";

import { EMULATOR_TEST_IMAGE } from "../config/naming";

export { EMULATOR_TEST_IMAGE };

/** Builds the test image into the local podman store (cached by recipe version). */
export function buildTestImage(image: string = EMULATOR_TEST_IMAGE): void {
  execFileSync("bash", [path.join(__dirname, "images", "build-test-image.sh"), image], {
    stdio: ["ignore", "ignore", "pipe"],
  });
}
