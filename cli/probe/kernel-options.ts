/**
 * Reads images/k3s-node/kernel/k3s-fly.config, the one list of kernel options,
 * the way check-kernel.sh does: `CONFIG_NAME=y  # required|optional: <why>`.
 * The probe sends the names to the machine and judges the answers with the
 * reasons; nothing here holds an option of its own. Pure.
 */
import { KernelOption } from "./types";

/** Where the list lives, relative to the repository root. */
export const KERNEL_OPTION_LIST_PATH = "images/k3s-node/kernel/k3s-fly.config";

/** The options of the list, in file order; throws on a line check-kernel.sh would refuse. */
export function parseKernelOptionList(
  text: string,
  file = KERNEL_OPTION_LIST_PATH,
): KernelOption[] {
  const options: KernelOption[] = [];
  text.split("\n").forEach((line, i) => {
    const body = line.split("#")[0].trim();
    if (body === "") return;
    const name = /^(CONFIG_[A-Z0-9_]+)=y$/.exec(body)?.[1];
    const marked = /#\s*(required|optional):\s*(\S.*)$/.exec(line);
    if (!name || !marked) {
      throw new Error(
        `${file}:${i + 1}: expected CONFIG_NAME=y  # required|optional: <why> (got ${JSON.stringify(line)})`,
      );
    }
    options.push({ name, required: marked[1] === "required", reason: marked[2].trim() });
  });
  return options;
}
