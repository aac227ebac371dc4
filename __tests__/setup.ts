import { setupJest } from "cdktf/lib/testing/adapters/jest";
import { TOFU_BINARY, TOFU_CLI_CONFIG } from "./toolchain";

// cdktf's libraries ask TERRAFORM_BINARY_NAME (default: whatever `terraform`
// is on PATH) for its version when they load: point them at the project's
// tofu and CLI configuration, as scripts/env.sh does for the CLI.
process.env.TERRAFORM_BINARY_NAME ??= TOFU_BINARY;
process.env.TF_CLI_CONFIG_FILE = TOFU_CLI_CONFIG;

setupJest();
