import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { downloadPackage } from "../../lifecycle/delivery.js";
import { showAgreement, terminateOrg } from "../../lifecycle/org-exit.js";
import { recordOperatorAuthorization, showOperatorAuthorization } from "../../lifecycle/operator-authorization.js";
import type { PurgeReceipt } from "../../lifecycle/purge.js";
import { createBackup, restoreBackup } from "../../lifecycle/backup.js";
import { exportAudit, verifyAuditExport, writeExport } from "../../lifecycle/audit-export.js";
import { pruneAccessLogs, retentionPolicy } from "../../lifecycle/retention.js";
import { readFileSync } from "node:fs";
import { ShuyuError } from "../../../policies/errors.js";
import { closeIncident, listIncidents, loadIncident, openIncident, type Incident } from "../../lifecycle/incidents.js";
import { authorize } from "../../../policies/authz/engine.js";
import { table } from "../table.js";
import { action } from "../run-command.js";
import { csv, withSession } from "../session.js";
import { callServer, viaServer } from "../remote.js";

/** One line per purge receipt, for people. */
export function describeReceipt(r: PurgeReceipt & { sm3?: string }): string {
  const c = r.counts;
  return `purge ${r.id} (${r.cause}, ${r.at}): ${c.files} files (${c.bytes} bytes) and ${c.vaultTables} vault tables (${c.rows} rows) deleted; ${c.rejectedRequests} requests rejected, ${c.delistedProducts} products delisted, ${c.cancelledJobs} jobs cancelled, ${c.revokedAccounts} accounts revoked${r.sm3 ? `; receipt SM3 ${r.sm3}` : ""}`;
}

/** `agreement show`, `org terminate`, `package download`, `operator authorize|show`. */
export function registerLifecycleCommands(program: Command): void {
  const describeIncident = (i: Incident) =>
    [`incident ${i.id} (${i.scope}${i.scope === "domain" ? "" : ` ${i.target}`}): ${i.state} — ${i.reason}`,
      `opened ${i.openedAt} by ${i.openedBy}: ${i.effects.cancelledJobs.length} jobs cancelled, ${i.effects.frozenRequests.length} egress requests frozen, ${i.effects.pausedApiProducts.length} API products paused`,
      i.state === "closed" ? `closed ${i.closedAt} by ${i.closedBy}; rectification deadline ${i.deadline}: ${i.report}` : ""].filter(Boolean).join("\n");
  program
    .command("backup")
    .argument("<dir>")
    .requiredOption("--passphrase-env <var>", "environment variable holding the passphrase that seals the keys")
    .description("a consistent, sealed snapshot of the running domain (keys encrypted)")
    .action(
      action(async (cmd, dir: string) => {
        const r = await withSession(cmd, (s) => createBackup(s, dir, process.env[cmd.opts<{ passphraseEnv: string }>().passphraseEnv]));
        return { human: `backup written to ${r.dir}: ${r.files} files, audit head seq ${r.auditHead?.seq ?? 0}; manifest SM3 ${r.manifestSm3}`, json: { id: r.manifestSm3, ...r } };
      }),
    );
  program
    .command("restore")
    .argument("<backup>")
    .argument("<dir>", "a new or empty directory")
    .requiredOption("--passphrase-env <var>")
    .option("--cert-sm3 <hex>", "pin the domain seal certificate's SM3 fingerprint")
    .description("rebuild a domain from a backup after checking its seal and every file")
    .action(
      action(async (cmd, backup: string, dir: string) => {
        const o = cmd.opts<{ passphraseEnv: string; certSm3?: string }>();
        const r = await restoreBackup(backup, dir, process.env[o.passphraseEnv], o.certSm3);
        return { human: `domain ${r.domain} restored into ${r.dir}; audit chain ok (${r.entries} entries)`, json: { id: r.domain, ...r } };
      }),
    );
  const audit = program.commands.find((c) => c.name() === "audit") ?? program.command("audit");
  audit
    .command("export")
    .requiredOption("--from <date>")
    .requiredOption("--to <date>")
    .requiredOption("--out <file>")
    .description("a sealed, verifiable archive of the chain and the access logs of a period")
    .action(
      action(async (cmd) => {
        const o = cmd.opts<{ from: string; to: string; out: string }>();
        const r = await withSession(cmd, (s) => exportAudit(s, { from: o.from, to: o.to }));
        writeExport(o.out, r.archive);
        return { human: `audit export ${o.out}: ${r.entries} chain entries and ${r.logs} access-log files from ${r.period.from} to ${r.period.to}; SM3 ${r.sm3}`, json: { id: r.sm3, file: o.out, entries: r.entries, logs: r.logs, period: r.period } };
      }),
    );
  audit
    .command("verify-export")
    .argument("<file>")
    .option("--cert-sm3 <hex>", "pin the domain seal certificate's SM3 fingerprint")
    .description("verify an audit export with nothing but the file")
    .action(
      action(async (cmd, file: string) => {
        let bytes: Buffer;
        try {
          bytes = readFileSync(file);
        } catch {
          throw new ShuyuError("invalid", "FILE_NOT_FOUND", `cannot read ${file}`);
        }
        const r = verifyAuditExport(bytes, cmd.opts<{ certSm3?: string }>().certSm3);
        return { human: `audit export ${file}: VALID; ${r.entries} entries from ${r.period.from} to ${r.period.to}, sealed by ${r.sealSm3}`, json: { ...r, state: "valid" } };
      }),
    );
  const logs = program.command("logs").description("access-log retention (GZ 7 ≥ 5 y, HLJ 29 ≥ 2 y, HB 18 ≥ 6 months)");
  logs.command("retention").action(
    action(async (cmd) => {
      const r = await withSession(cmd, retentionPolicy);
      return { human: [`logs are kept ${r.years} years (from ${r.keptFrom}); nothing inside the window can be deleted`, ...r.rules.map((x) => `${x.cite}: ${x.what} ≥ ${x.minimum}`), `${r.accessLogs.length} access-log files`].join("\n"), json: r };
    }),
  );
  logs
    .command("prune")
    .requiredOption("--before <date>", "delete access-log files of days before this date (outside the window only)")
    .action(
      action(async (cmd) => {
        const r = await withSession(cmd, (s) => pruneAccessLogs(s, cmd.opts()));
        return { human: `${r.deleted.length} access-log files deleted`, json: r };
      }),
    );
  const incident = program.command("incident").description("security incidents: stop processing in a scope at once (HB 35, GY 39)");
  incident
    .command("open")
    .requiredOption("--scope <scope>", "org|scenario|dataset|domain")
    .option("--id <id>", "the organisation, scenario or dataset")
    .requiredOption("--reason <text>")
    .action(
      action(async (cmd) => {
        const o = cmd.opts<{ scope: string; id?: string; reason: string }>();
        const r = await viaServer(cmd, { method: "POST", path: "/api/incidents", body: o }, (s) => openIncident(s, o));
        return { human: describeIncident(r), json: r };
      }),
    );
  incident
    .command("close")
    .argument("<id>")
    .requiredOption("--report <text>", "the rectification report")
    .requiredOption("--deadline <date>", "deadline for the rectification (GZ 26, HLJ 30)")
    .action(
      action(async (cmd, id: string) => {
        const r = await viaServer(cmd, { method: "POST", path: "/api/incidents/{id}/close", params: { id }, body: cmd.opts() }, (s) => closeIncident(s, id, cmd.opts()));
        return { human: describeIncident(r), json: r };
      }),
    );
  incident.command("list").action(
    action(async (cmd) => {
      const r = await viaServer(cmd, { method: "GET", path: "/api/incidents" }, listIncidents);
      return { human: table(r.map((i) => ({ ...i, opened: i.openedAt })), ["id", "scope", "target", "state", "opened", "reason", "deadline"]), json: r };
    }),
  );
  incident
    .command("show")
    .argument("<id>")
    .action(
      action(async (cmd, id: string) => {
        const r = await withSession(cmd, async (s) => {
          authorize(s.principal, "incident.read");
          return loadIncident(s, id);
        });
        return { human: describeIncident(r), json: r };
      }),
    );
  const operator = program.command("operator").description("the operator's own authorization (GZ 7, ZJ 11)");
  operator
    .command("authorize")
    .requiredOption("--start <date>")
    .requiredOption("--end <date>", "at most 3 years after start")
    .option("--datasets <ids>", "comma-separated, or * for all", "*")
    .requiredOption("--reference <text>", "the authorizing document")
    .action(
      action(async (cmd) => {
        const o = cmd.opts<{ start: string; end: string; datasets: string; reference: string }>();
        const r = await withSession(cmd, (s) => recordOperatorAuthorization(s, { ...o, datasets: csv(o.datasets) }));
        return { human: `operator authorization ${r.id}: ${r.datasets.join(", ")} from ${r.start} to ${r.end} (${r.reference})`, json: r };
      }),
    );
  operator.command("show").action(
    action(async (cmd) => {
      const r = await viaServer(cmd, { method: "GET", path: "/api/operator/authorization" }, showOperatorAuthorization);
      const c = r.current;
      return { human: [c ? `operator authorization ${c.id}: ${c.datasets.join(", ")} from ${c.start} to ${c.end} (${c.reference}) — ${r.state}` : `operator authorization: ${r.state}`, r.message ?? ""].filter(Boolean).join("\n"), json: r };
    }),
  );
  const agreement = program.commands.find((c) => c.name() === "agreement") ?? program.command("agreement");
  agreement
    .command("show")
    .argument("<id>")
    .action(
      action(async (cmd, id: string) => {
        const r = await viaServer(cmd, { method: "GET", path: "/api/agreements/{id}", params: { id } }, (s) => showAgreement(s, id));
        return {
          human: [
            `agreement ${r.id}: ${r.org} may use ${r.datasets.join(", ")} from ${r.start} to ${r.end} — ${r.state}${r.reason ? ` (${r.reason})` : ""}`,
            ...r.scenarios.map((x) => `scenario ${x.id}: ${x.state}`),
            ...r.purges.map(describeReceipt),
          ].join("\n"),
          json: r,
        };
      }),
    );
  const org = program.commands.find((c) => c.name() === "org") ?? program.command("org");
  org
    .command("terminate")
    .argument("<id>")
    .requiredOption("--reason <text>")
    .description("remove a developer organisation: every agreement terminated and purged, every account revoked")
    .action(
      action(async (cmd, id: string) => {
        const r = await withSession(cmd, (s) => terminateOrg(s, id, cmd.opts<{ reason: string }>().reason));
        return { human: [`organisation ${r.id}: terminated; ${r.revokedAccounts.length} accounts revoked`, ...r.receipts.map(describeReceipt)].join("\n"), json: r };
      }),
    );
  const pkg = program.commands.find((c) => c.name() === "package") ?? program.command("package");
  pkg
    .command("download")
    .argument("<product>")
    .requiredOption("--out <file>")
    .action(
      action(async (cmd, product: string) => {
        const r = await viaServer(
          cmd,
          async (t) => {
            const got = (await callServer(t, { method: "GET", path: "/api/products/{id}/package", params: { id: product } })) as { id: string; sm3: string; package: string };
            return { product: got.id, sm3: got.sm3, bytes: Buffer.from(got.package, "base64") };
          },
          (s) => downloadPackage(s, product),
        );
        writeFileSync(cmd.opts<{ out: string }>().out, r.bytes, { mode: 0o600 });
        return { human: `product ${r.product}: package written to ${cmd.opts<{ out: string }>().out} (SM3 ${r.sm3})`, json: { id: r.product, sm3: r.sm3, file: cmd.opts<{ out: string }>().out, bytes: r.bytes.length } };
      }),
    );
}
