/**
 * When there is no Kubernetes to verify (the node image holds no k3s), the
 * run says so and exits 3 before anything is applied: from the images the
 * machines run, or from the first server's `k3s --version`. Pure.
 */
import { EMULATOR_TEST_IMAGE, imageRunsK3s } from "../../config/naming";
import { ClusterConfig } from "../../config/schema";
import { noKubernetes } from "../no-kubernetes";
import { Answer, k3sMissing, said } from "./parse";

/** Why there is nothing to verify, when the image says so before any exec. */
export function noK3sImage(config: ClusterConfig, images: readonly string[]): string | undefined {
  const dir = `clusters/${config.clusterName}`;
  if (!imageRunsK3s(config.nodeImage))
    return noKubernetes(
      config.nodeImage,
      dir,
      "there is nothing to verify and nothing was applied",
    );
  if (images.length > 0 && images.every((i) => !imageRunsK3s(i)))
    return (
      `no Kubernetes is running: the machines still run ${EMULATOR_TEST_IMAGE}, the local Fly's ` +
      `test image, which holds no k3s (the config names ${config.nodeImage}), so there is ` +
      "nothing to verify and nothing was applied. Set NODE_IMAGE in " +
      `${dir}/config to an image built from images/k3s-node (npm run image), then ./k3s.sh -c rolls it out.`
    );
  return undefined;
}

/** Why there is nothing to verify, when `k3s --version` on `server` (`<app>/<name>`) finds no k3s. */
export function noK3sBinary(server: string, image: string, version: Answer): string | undefined {
  if (!k3sMissing(version)) return undefined;
  return (
    `no Kubernetes is running: ${server} runs ${image}, ` +
    `which holds no k3s (\`k3s --version\`: ${said(version)}), so nothing was applied. ` +
    "Build the node image from images/k3s-node (npm run image) and roll it out with ./k3s.sh -c."
  );
}
