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
import { registerWhoamiCommands } from "./commands/whoami.js";
import { registerCompletionCommands } from "./commands/completion.js";
import { registerLifecycleCommands } from "./commands/lifecycle.js";
import { registerWorkerCommands } from "./commands/worker.js";
import { registerScaleCommands } from "./commands/scale.js";
import { registerLoginCommands } from "./commands/login.js";
import { registerObligationCommands } from "./commands/obligations.js";
import { versionLine } from "./versions.js";

/** Builds the `shuyu` command tree (DESIGN §6). */
export function buildProgram(): Command {
  const program = new Command("shuyu")
    .description("shuyu 数域 — public-data authorization operation domain")
    .version(versionLine(), "-V, --version", "print shuyu's, Node.js's and isolated-vm's versions")
    .option("--json", "machine-readable output")
    .option("-o, --output <format>", "table (default, for people), json (as --json) or csv (list commands)")
    .option("--field <name>", "print only this field of the JSON result, e.g. token or id (for scripts)")
    .option("--domain <dir>", "domain directory (or SHUYU_DOMAIN)")
    .option("--token <token>", "account token (or SHUYU_TOKEN)")
    .option("--server <url>", "send the command to a running shuyu serve (or SHUYU_SERVER); the token comes from --token or the server's saved profile")
    .option("--profile <name>", "use a profile saved by shuyu login (or SHUYU_PROFILE; default: the current profile)")
    .addHelpText("after", [
      "",
      "Environment: SHUYU_DOMAIN (the domain directory), SHUYU_TOKEN (your account token), SHUYU_SERVER, SHUYU_PROFILE.",
      "Where commands run: on the domain named by --domain/SHUYU_DOMAIN (the operator on the host), else on the",
      "server of --server, --profile or the current profile that shuyu login saved (profiles: ~/.config/shuyu, 0600).",
      "Exit codes: 0 ok, 1 usage, 2 denied, 3 invalid input (or a failed job), 4 blocked by the egress gate, 5 internal.",
      "",
      "Examples:",
      "  shuyu init ./dom --operator 某省数据运营公司 --field token   # a new domain; prints the admin token",
      "  shuyu login --server http://127.0.0.1:8080 --token $TOKEN   # later commands go through that server",
      "  shuyu status                                                # what waits for you",
      "  shuyu job dev --scenario inc --model examples/income-by-gender.ts",
      "  shuyu egress show egr-20260101-ab12cd34 --data             # a reviewer's dossier",
      "  shuyu help job submit                                       # every option of one command",
    ].join("\n"))
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
  registerWorkerCommands(program);
  registerScaleCommands(program);
  registerDemoCommands(program);
  registerWhoamiCommands(program);
  registerCompletionCommands(program);
  registerLifecycleCommands(program);
  registerLoginCommands(program);
  registerObligationCommands(program);
  return program;
}
