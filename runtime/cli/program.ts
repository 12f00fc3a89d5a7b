import { Command } from "commander";
import { registerDomainCommands } from "./commands/domain.js";
import { registerAuditCommands } from "./commands/audit.js";
import { registerCatalogCommands } from "./commands/catalog.js";
import { registerScenarioCommands } from "./commands/scenario.js";
import { registerJobCommands } from "./commands/job.js";
import { registerJobPolicyCommands } from "./commands/job-policy.js";
import { registerEgressCommands } from "./commands/egress.js";
import { registerCryptoCommands } from "./commands/crypto.js";
import { registerServeCommands } from "./commands/serve.js";
import { registerProductApiCommands } from "./commands/product-api.js";
import { registerFeedbackCommands } from "./commands/feedback.js";
import { registerReportCommands } from "./commands/report.js";
import { registerBenchCommands } from "./commands/bench.js";
import { registerDemoCommands } from "./commands/demo.js";
import { registerLifecycleCommands } from "./commands/lifecycle.js";
import { versionLine } from "./versions.js";

/** Builds the `shuyu` command tree (DESIGN §6). */
export function buildProgram(): Command {
  const program = new Command("shuyu")
    .description("shuyu 数域 — public-data authorization operation domain")
    .version(versionLine(), "-V, --version", "print shuyu's, Node.js's and isolated-vm's versions")
    .option("--json", "machine-readable output")
    .option("--domain <dir>", "domain directory (or SHUYU_DOMAIN)")
    .option("--token <token>", "account token (or SHUYU_TOKEN)")
    .configureOutput({ writeErr: () => undefined })
    .exitOverride();
  registerDomainCommands(program);
  registerCatalogCommands(program);
  registerScenarioCommands(program);
  registerJobCommands(program);
  registerJobPolicyCommands(program);
  registerEgressCommands(program);
  registerProductApiCommands(program);
  registerAuditCommands(program);
  registerCryptoCommands(program);
  registerServeCommands(program);
  registerFeedbackCommands(program);
  registerReportCommands(program);
  registerBenchCommands(program);
  registerDemoCommands(program);
  registerLifecycleCommands(program);
  return program;
}
