import { setupJest } from "cdktf/lib/testing/adapters/jest";
import { toolchain } from "../cli/toolchain";

// cdktf's libraries ask TERRAFORM_BINARY_NAME (default: whatever `terraform`
// is on PATH) for its version when they load: point them at the project's
// tofu and CLI configuration when npm run setup has built them.
try {
  Object.assign(process.env, toolchain().env);
} catch {
  // The suites that need the toolchain fail with the reason (requireToolchain).
}

setupJest();
