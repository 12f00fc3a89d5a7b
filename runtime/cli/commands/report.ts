import type { Command } from "commander";
import { activityMarkdown, activityReport } from "../../reports/activity.js";
import { complianceMarkdown, complianceReport } from "../../reports/compliance.js";
import { action } from "../run-command.js";
import { withSession } from "../session.js";

/** `report compliance`, `report activity` (R7). Human output is Markdown; --json gives the data. */
export function registerReportCommands(program: Command): void {
  const report = program.command("report").description("compliance and periodic activity reports (R7)");
  report
    .command("compliance")
    .description("every requirement, article by article, with its mechanism and the tests that prove it")
    .action(
      action(async () => {
        const r = complianceReport();
        return { human: complianceMarkdown(r), json: r };
      }),
    );
  report
    .command("activity")
    .description("the operator's periodic report (HB 37, ZJ 26, HLJ 20(5))")
    .option("--from <date>", "first day, YYYY-MM-DD (default: 29 days before --to)")
    .option("--to <date>", "last day, YYYY-MM-DD (default: today)")
    .action(
      action(async (cmd) => {
        const r = await withSession(cmd, (s) => activityReport(s, cmd.opts()), { readOnly: true });
        return { human: activityMarkdown(r), json: r };
      }),
    );
}
