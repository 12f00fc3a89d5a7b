import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { ShuyuError } from "../../../policies/errors.js";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { readPrivateKey } from "../../../crypto/index.js";
import { openPackage, verifyPackage } from "../../egress/verify.js";
import { listEgress, listProducts, requestEgress, reviewEgress, showEgress, type EgressRequest } from "../../services/egress.js";
import { egressDossier, type EgressDossier } from "../../services/egress-dossier.js";
import { action, reviewDecision, reviewOptions } from "../run-command.js";
import { viaServer } from "../remote.js";
import { table } from "../table.js";

function describe(r: EgressRequest): string {
  const explain = r.findings.filter((f) => f.severity !== "pass");
  return [
    `egress ${r.id} (job ${r.job}, form ${r.form}, grade ${r.grade}): ${r.state}`,
    `requested by ${r.requestedBy} at ${r.requestedAt}${r.decidedAt ? `, decided at ${r.decidedAt}` : ""}; approvals ${r.approvals} of ${r.reviewsNeeded} needed${r.reviewsNeeded > 1 ? " (grade 4: two reviewers of other organisations)" : ""}`,
    r.state === "blocked" ? "BLOCKED: a hard rule failed; no reviewer can approve this output." : "",
    r.state === "returned" ? `RETURNED for changes: ${r.reviews.filter((v) => v.decision === "return").at(-1)?.reason ?? ""}` : "",
    ...r.desensitization.map((d) => `desensitized ${d.table}: ${d.applied.map((a) => `${a.column}→${a.method}`).join(", ") || "nothing to change"}`),
    ...explain.map((f) => `[${f.severity}] ${f.rule}: ${f.detail}${f.cells?.length ? `\n    e.g. ${JSON.stringify(f.cells.slice(0, 5))}` : ""}`),
    `${r.findings.filter((f) => f.severity === "pass").length} checks passed`,
    ...r.reviews.map((v) => `review by ${v.by} (${v.org}): ${v.decision} — ${v.reason}`),
    r.package ? `package: ${r.package}` : "",
  ].filter(Boolean).join("\n");
}

/** The reviewer's view: purpose, requester, code, each table's mark, rows and one page with flagged cells in [brackets], sorted findings. */
function describeDossier(d: EgressDossier): string {
  const lines = [
    describe({ ...d.request, findings: [] }).split("\n").filter((l) => !/checks passed$/.test(l)).join("\n"),
    `purpose: ${d.purpose}`,
    `requester: ${d.requester.name} (${d.requester.account}) of ${d.requester.orgName} (${d.requester.org})`,
    `job ${d.job.id} (${d.job.kind}), code SM3 ${d.job.codeSm3}${d.job.params && JSON.stringify(d.job.params) !== "{}" && JSON.stringify(d.job.params) !== "[]" ? `, params ${JSON.stringify(d.job.params)}` : ""}`,
    d.job.code === null ? "  (code not kept for this job)" : d.job.code.trimEnd().split("\n").map((l) => `  | ${l}`).join("\n"),
  ];
  for (const t of d.tables) {
    lines.push(`table ${t.name}: ${t.mark ?? "no mark recorded"}, ${t.rows} rows, page ${t.page.number} of ${t.page.pages}${t.desensitized.length ? `; desensitized ${t.desensitized.map((a) => `${a.column}→${a.method}`).join(", ")}` : ""}`);
    const flagged = new Set(t.flagged.map(([i, c]) => `${i}\u0000${c}`));
    const rows = t.page.rows.map((row, i) => Object.fromEntries(t.columns.map((c, j) => [c.name, flagged.has(`${i}\u0000${c.name}`) ? `[${String(row[j])}]` : row[j]])));
    lines.push(table(rows, t.columns.map((c) => c.name)).split("\n").map((l) => `  ${l}`).join("\n"));
  }
  lines.push("findings (blocks, then reviews, then passes):");
  for (const f of d.findings) lines.push(`  [${f.severity}] ${f.rule}: ${f.detail}`);
  lines.push(d.canDecide ? "you may decide: shuyu egress review ID --approve | --reject | --return --reason TEXT" : "you cannot decide this request (your own organisation's, already reviewed by you, or closed)");
  return lines.join("\n");
}

/** `egress request|show|review|list`, `package verify`, `product list`. */
export function registerEgressCommands(program: Command): void {
  const egress = program.command("egress").description("the egress gate (出域审查)");
  egress
    .command("request")
    .requiredOption("--job <id>")
    .requiredOption("--form <form>", "dataset|report|model|index")
    .option("--recipient <pub.pem>", "wrap the data files in an SM4 envelope to this SM2 public key")
    .action(
      action(async (cmd) => {
        const o = cmd.opts<{ job: string; form: string; recipient?: string }>();
        let recipient: string | undefined;
        if (o.recipient) {
          try {
            recipient = readFileSync(o.recipient, "utf8");
          } catch {
            throw new ShuyuError("invalid", "RECIPIENT_NOT_FOUND", `cannot read ${o.recipient}`);
          }
        }
        const input = { job: o.job, form: o.form, recipient };
        const r = await viaServer(cmd, { method: "POST", path: "/api/egress", body: input }, (s) => requestEgress(s, input));
        return { human: describe(r), json: r, exitCode: r.state === "blocked" ? 4 : 0 };
      }),
    );
  egress
    .command("show")
    .description("an egress request: state, times, approvals and the gate's findings; --data adds what a reviewer decides on")
    .argument("<id>", "the request's id")
    .option("--data", "reviewers: purpose, requester, code or SQL, each table's mark and row count, a page of the output (flagged cells in [brackets]), findings sorted blocks → reviews → passes")
    .option("--page <n>", "with --data: which page of each table, from 1", "1")
    .option("--page-size <n>", "with --data: rows per page (at most 1000)", "50")
    .addHelpText("after", "\nExamples:\n  shuyu egress show egr-20260101-ab12cd34\n  shuyu egress show egr-20260101-ab12cd34 --data --page 2 --page-size 100")
    .action(
      action(async (cmd, id: string) => {
        const o = cmd.opts<{ data?: boolean; page: string; pageSize: string }>();
        if (o.data) {
          const paging = { page: Number(o.page), pageSize: Number(o.pageSize) };
          const d = await viaServer(cmd, { method: "GET", path: "/api/egress/{id}/dossier", params: { id }, query: paging }, (s) => egressDossier(s, id, paging));
          return { human: describeDossier(d), json: { ...d.request, dossier: { ...d, request: undefined } } };
        }
        const r = await viaServer(cmd, { method: "GET", path: "/api/egress/{id}", params: { id } }, (s) => showEgress(s, id));
        return { human: describe(r), json: r };
      }),
    );
  egress.command("list").action(
    action(async (cmd) => {
      const r = await viaServer(cmd, { method: "GET", path: "/api/egress" }, listEgress);
      return { human: table(r.map((x) => ({ ...x, blocks: x.findings.filter((f) => f.severity === "block").length, reviews: x.findings.filter((f) => f.severity === "review").length })), ["id", "job", "form", "state", "blocks", "reviews"]), json: r };
    }),
  );
  reviewOptions(egress.command("review").description("decide a request of another organisation: approve (the last needed approval seals the package), reject, or return it for changes").argument("<id>", "the request's id"))
    .option("--return", "return for changes: the request becomes 'returned' and the developer reads --reason")
    .addHelpText("after", "\nExamples:\n  shuyu egress review egr-20260101-ab12cd34 --approve --reason \"cells of 1,000+ people\"\n  shuyu egress review egr-20260101-ab12cd34 --return --reason \"drop the district column: cells below 10\"")
    .action(
      action(async (cmd, id: string) => {
        const d = reviewDecision(cmd);
        const r = await viaServer(cmd, { method: "POST", path: "/api/egress/{id}/review", params: { id }, body: { decision: d.decision, reason: d.reason } }, (s) => reviewEgress(s, id, d.decision, d.reason));
        return { human: describe(r) + (r.product ? `\nproduct ${r.product.id} registered` : ""), json: r };
      }),
    );

  const pkg = program.command("package").description("released packages");
  pkg
    .command("open")
    .argument("<file>")
    .requiredOption("--key <key.pem>", "the recipient's SM2 private key")
    .requiredOption("--out <dir>")
    .option("--passphrase-env <var>", "environment variable holding the key's passphrase")
    .option("--cert-sm3 <hex>", "pin the domain seal certificate's SM3 fingerprint")
    .action(
      action(async (cmd, file: string) => {
        const o = cmd.opts<{ key: string; out: string; passphraseEnv?: string; certSm3?: string }>();
        const read = (p: string) => {
          try {
            return readFileSync(p);
          } catch {
            throw new ShuyuError("invalid", "FILE_NOT_FOUND", `cannot read ${p}`);
          }
        };
        const key = readPrivateKey(read(o.key), { passphrase: o.passphraseEnv ? process.env[o.passphraseEnv] : undefined });
        const r = openPackage(read(file), key.privateKey, { pinnedCertSm3: o.certSm3 });
        for (const f of r.files) {
          const target = join(o.out, f.name);
          mkdirSync(dirname(target), { recursive: true });
          writeFileSync(target, f.data);
        }
        return { human: `package ${file}: VALID; ${r.files.length} file(s) written to ${o.out}`, json: { ...r.verification, files: r.files.map((f) => f.name), state: "valid" } };
      }),
    );
  pkg
    .command("verify")
    .argument("<file>")
    .option("--cert-sm3 <hex>", "pin the domain seal certificate's SM3 fingerprint")
    .action(
      action(async (cmd, file: string) => {
        let bytes: Buffer;
        try {
          bytes = readFileSync(file);
        } catch {
          throw new ShuyuError("invalid", "FILE_NOT_FOUND", `cannot read ${file}`);
        }
        const v = verifyPackage(bytes, { pinnedCertSm3: cmd.opts<{ certSm3?: string }>().certSm3 });
        const m = v.manifest;
        return {
          human: [
            `package ${file}: VALID`,
            `product ${v.product} (${v.form}) sealed by ${v.signer.subject} at ${v.signingTime}`,
            `seal certificate SM3 ${v.certificateSm3}`,
            `scenario ${m.scenario.id} (${m.scenario.org}, agreement ${m.scenario.agreement}): ${m.scenario.purpose}`,
            `data used: ${m.datasets.map((d) => `${d.dataset}(${d.columns.join(",")})`).join("; ")}`,
            `reviewed by: ${m.reviewers.map((r) => `${r.by}@${r.org}`).join(", ")}`,
            `checks: ${m.checks.filter((c) => c.severity === "pass").length} passed, ${m.checks.filter((c) => c.severity === "review").length} reviewed`,
            ...m.files.map((f) => `  ${f.path}  ${f.bytes} bytes  SM3 ${f.sm3}`),
          ].join("\n"),
          json: { ...v, state: "valid" },
        };
      }),
    );
  program
    .command("product")
    .description("registered products (存证)")
    .command("list")
    .action(
      action(async (cmd) => {
        const r = await viaServer(cmd, { method: "GET", path: "/api/products" }, listProducts);
        return { human: table(r, ["id", "form", "scenario", "org", "state", "releasedAt", "sm3"]), json: r };
      }),
    );
}
