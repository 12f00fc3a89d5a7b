import type { Command } from "commander";
import { answerFeedback, feedbackWorkingDays, listFeedback, setFeedbackWorkingDays, submitFeedback, type Feedback } from "../../services/feedback.js";
import { action, usage } from "../run-command.js";
import { withSession } from "../session.js";
import { table } from "../table.js";

const line = (f: Feedback) => `${f.id} on ${f.dataset} → provider ${f.provider}: ${f.state}, due ${f.due}${f.overdue ? " (OVERDUE)" : ""}`;

/** `feedback submit|list|answer|deadline` — data-quality feedback (R8). */
export function registerFeedbackCommands(program: Command): void {
  const fb = program.command("feedback").description("data-quality feedback to providers, answered within a deadline (R8)");
  fb.command("submit")
    .requiredOption("--dataset <id>")
    .requiredOption("--text <text>", "the quality problem")
    .action(
      action(async (cmd) => {
        const r = await withSession(cmd, (s) => submitFeedback(s, cmd.opts()));
        return { human: line(r), json: r };
      }),
    );
  fb.command("list")
    .option("--dataset <id>")
    .option("--state <state>", "open|answered")
    .option("--overdue", "only items past their due date")
    .action(
      action(async (cmd) => {
        const o = cmd.opts<{ dataset?: string; state?: string; overdue?: boolean }>();
        const rows = await withSession(cmd, (s) => listFeedback(s, o));
        return {
          human: table(rows.map((f) => ({ ...f, overdue: f.overdue ? "OVERDUE" : "", text: f.text.slice(0, 40), answer: (f.answer ?? "").slice(0, 40) })), ["id", "dataset", "provider", "org", "state", "due", "overdue", "text", "answer"]),
          json: rows,
        };
      }),
    );
  fb.command("answer")
    .argument("<id>")
    .requiredOption("--text <text>", "the provider's answer")
    .action(
      action(async (cmd, id: string) => {
        const r = await withSession(cmd, (s) => answerFeedback(s, { id, text: cmd.opts<{ text: string }>().text }));
        return { human: line(r), json: r };
      }),
    );
  fb.command("deadline")
    .description("show or set the answer deadline in working days (3 by HB 25, up to 10 by GZ 21)")
    .option("--working-days <n>")
    .action(
      action(async (cmd) => {
        const o = cmd.opts<{ workingDays?: string }>();
        if (o.workingDays !== undefined && !/^\d+$/.test(o.workingDays)) throw usage("--working-days is a whole number");
        const r = await withSession(cmd, async (s) => (o.workingDays === undefined ? { workingDays: await feedbackWorkingDays(s) } : setFeedbackWorkingDays(s, Number(o.workingDays))));
        return { human: `feedback is answered within ${r.workingDays} working days`, json: r };
      }),
    );
}
