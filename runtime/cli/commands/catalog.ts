import type { Command } from "commander";
import { listCatalog, showCatalog } from "../../services/catalog.js";
import { ingestDataset, purgeVersions, tagColumn, type IngestSubject } from "../../services/datasets.js";
import { setColumnRole, setSubjectKey, type DatasetSubject } from "../../services/subjects.js";
import { phaseProgress } from "../progress.js";
import { action, globalOptions, usage } from "../run-command.js";
import { csv, withSession } from "../session.js";
import { viaServer } from "../remote.js";
import { exportVaultVersion, restoreVaultVersion } from "../../scale/vault-export.js";
import { table } from "../table.js";

/** A subject key in one phrase: `person (id_number)`, marked when only proposed. */
export function describeSubject(k: Pick<DatasetSubject, "kind" | "columns" | "confirmed"> | null | undefined): string {
  if (!k) return "none";
  return `${k.kind} (${k.columns.join(", ")})${k.confirmed ? "" : " — proposed, not confirmed"}`;
}

function ingestSubjectLines(id: string, k: IngestSubject | null): string[] {
  if (k?.confirmed) return [`subject key: ${describeSubject(k)}`];
  const lines = k?.note ? [`note: ${k.note}`] : [];
  if (k) {
    return [...lines, `proposed subject key: ${k.kind} (${k.columns.join(", ")})${k.proposed ? ` — ${k.proposed.reason}` : ""}`,
      `  confirm before granting: shuyu dataset tag ${id} --subject ${k.columns.join(",")}${k.kind === "record" ? "" : ` --subject-kind ${k.kind}`}`];
  }
  return [...lines, "no subject key found (no resident ID, credit code or unique column)", `  set one before granting: shuyu dataset tag ${id} --subject COL[,COL] --subject-kind person|enterprise|record`];
}

/** A dataset version given on the command line: a positive integer. */
function versionNumber(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw usage(`a version is a positive integer (got ${v})`);
  return n;
}

/** `dataset ingest|tag|purge|export-vault|restore-vault`, `catalog list|show`. */
export function registerCatalogCommands(program: Command): void {
  const dataset = program.command("dataset").description("raw data in the vault (operator)");
  dataset
    .command("ingest")
    .requiredOption("--id <id>")
    .requiredOption("--file <path>", "CSV, TSV, Parquet, JSON or NDJSON")
    .requiredOption("--provider <org>", "the providing organisation (数据提供单位)")
    .requiredOption("--grade <n>", "1..4")
    .option("--name <name>")
    .option("--description <text>")
    .option("--category <text>")
    .option("--sharing <type>", "unconditional|conditional|none")
    .option("--opening <type>", "open|conditional|closed")
    .option("--negative-list", "on the negative list: never shared or opened (GY 12)")
    .option("--update-cycle <text>")
    .option("--subject <cols>", "confirm the subject key (whose data a row is): COL[,COL]")
    .option("--subject-kind <kind>", "person|enterprise|record (default: from the columns' tags)")
    .action(
      action(async (cmd) => {
        const { subject, subjectKind, ...o } = cmd.opts();
        const bar = phaseProgress(`ingest ${o.id}`, { check: "structure check", load: "load", detect: "PII discovery", catalog: "catalog" }, process.stderr.isTTY === true && !globalOptions(cmd).json);
        try {
          const r = await withSession(cmd, (s) =>
            ingestDataset(s, { ...o, grade: o.grade, ...(subject !== undefined ? { subject: csv(subject) } : {}), ...(subjectKind !== undefined ? { subjectKind } : {}) }, (p) => bar.report(p)),
          );
          bar.stop();
          const tagged = r.proposals.filter((p) => p.tags.length > 0);
          return {
            human: [
              ...r.warnings.map((w) => `warning: ${w}`),
              `dataset ${r.id} version ${r.version}: ${r.rowCount} rows, ${r.columns.length} columns, SM3 ${r.sourceSm3}`,
              `columns: ${r.columns.map((c) => `${c.name} ${c.type}`).join(", ")}`,
              tagged.length ? "proposed tags (confirm or edit with 'shuyu dataset tag'):" : "no PII found",
              ...tagged.map((p) => `  ${p.column}: ${p.tags.join(", ")}  ${p.matches.map((m) => `${m.type} ${(m.share * 100).toFixed(1)}%`).join(" ")}`),
              ...ingestSubjectLines(r.id, r.subject),
            ].join("\n"),
            json: r,
          };
        } finally {
          bar.stop();
        }
      }),
    );
  dataset
    .command("tag")
    .argument("<id>")
    .option("--column <col>", "the column whose tags or role change")
    .option("--pii <type>", "resident_id|mobile|bank_card|uscc|email|ip|plate|person_name|address")
    .option("--quasi", "a quasi-identifier")
    .option("--sensitive", "a sensitive attribute")
    .option("--none", "clear every tag of the column")
    .option("--role <role>", "identifier|quasi|measure|sensitive (with --column)")
    .option("--subject <cols>", "the subject key: COL[,COL] (the privacy unit: whose data a row is)")
    .option("--subject-kind <kind>", "person|enterprise|record (with --subject, or alone to confirm the proposed key as that kind)")
    .action(
      action(async (cmd, id: string) => {
        const o = cmd.opts<{ column?: string; pii?: string; quasi?: boolean; sensitive?: boolean; none?: boolean; role?: string; subject?: string; subjectKind?: string }>();
        const tags = [...(o.pii ? [`pii:${o.pii}`] : []), ...(o.quasi ? ["quasi"] : []), ...(o.sensitive ? ["sensitive"] : [])];
        if (tags.length > 0 && o.none) throw usage("--none cannot be combined with other tags");
        const tagging = tags.length > 0 || o.none === true;
        const keying = o.subject !== undefined || o.subjectKind !== undefined;
        if (!tagging && !keying && o.role === undefined) throw usage("give --column COL with --pii TYPE, --quasi, --sensitive, --none or --role ROLE, or --subject COL[,COL]");
        if ((tagging || o.role !== undefined) && o.column === undefined) throw usage("--pii, --quasi, --sensitive, --none and --role need --column COL");
        if (o.column !== undefined && !tagging && o.role === undefined) throw usage("--column needs --pii TYPE, --quasi, --sensitive, --none or --role ROLE");
        const r = await withSession(cmd, async (s) => ({
          ...(tagging ? { tags: await tagColumn(s, { dataset: id, column: o.column, tags }) } : {}),
          ...(o.role !== undefined ? { role: await setColumnRole(s, { dataset: id, column: o.column, role: o.role }) } : {}),
          ...(keying ? { subject: await setSubjectKey(s, { dataset: id, ...(o.subject !== undefined ? { columns: csv(o.subject) } : {}), ...(o.subjectKind !== undefined ? { kind: o.subjectKind } : {}) }) } : {}),
        }));
        const lines = [
          ...(r.tags ? [`${r.tags.dataset}.${r.tags.column}: ${r.tags.tags.join(", ") || "(no tags)"}`] : []),
          ...(r.role ? [`${r.role.dataset}.${r.role.column}: role ${r.role.role} (was ${r.role.before})`] : []),
          ...(r.subject ? [`${r.subject.dataset}: subject key ${describeSubject(r.subject)}`] : []),
        ];
        // One change keeps its own JSON shape (scripts read it); several are keyed by what changed.
        const parts = Object.values(r);
        return { human: lines.join("\n"), json: parts.length === 1 ? parts[0] : r };
      }),
    );
  dataset
    .command("purge")
    .description("delete superseded versions of a dataset from the vault")
    .argument("<id>")
    // Positional: `--version` is the program's own flag (it printed shuyu's version instead of purging).
    .argument("[version]", "one superseded version (default: all superseded versions)")
    .action(
      action(async (cmd, id: string, v: string | undefined) => {
        const r = await withSession(cmd, (s) => purgeVersions(s, id, v === undefined ? undefined : versionNumber(v)));
        return { human: `purged ${id} version(s) ${r.join(", ")}`, json: { id, purged: r } };
      }),
    );
  dataset
    .command("export-vault")
    .description("export a dataset version to Parquet partitions in the S3 bucket (SHUYU_S3_*; always sealed with the domain's storage key)")
    .argument("<id>")
    // A positional version: the program's own --version would answer first.
    .argument("[version]", "the version (default: the current one)")
    .action(
      action(async (cmd, id: string, v: string | undefined) => {
        const r = await withSession(cmd, (s) => exportVaultVersion(s, id, v === undefined ? {} : { version: versionNumber(v) }));
        return { human: `exported ${id} version ${r.version}: ${r.rows} rows in ${r.parts} partition(s), manifest SM3 ${r.manifest.sm3}`, json: r };
      }),
    );
  dataset
    .command("restore-vault")
    .description("rebuild a dataset version's vault table from its verified partitions in the bucket")
    .argument("<id>")
    .argument("<version>", "the version")
    .action(
      action(async (cmd, id: string, v: string) => {
        const r = await withSession(cmd, (s) => restoreVaultVersion(s, id, versionNumber(v)));
        return { human: `restored ${id} version ${r.version}: ${r.rows} rows from ${r.parts} verified partition(s)`, json: r };
      }),
    );

  const catalog = program.command("catalog").description("the development data catalog with sample data (R2)");
  catalog.command("list").action(
    action(async (cmd) => {
      const r = await viaServer(cmd, { method: "GET", path: "/api/catalog" }, listCatalog, { readOnly: true, remote: { method: "GET", path: "/api/catalog" } });
      return {
        human: table(
          r.map((e) => ({ ...e, negativeList: e.negativeList ? "yes" : "", authorization: e.authorization.status, subject: e.subject ? `${e.subject.kind}:${e.subject.columns.join(",")}${e.subject.confirmed ? "" : "?"}` : "" })),
          ["id", "name", "provider", "grade", "rowCount", "columns", "version", "updatedAt", "sharing", "opening", "negativeList", "authorization", "subject"],
        ),
        json: r,
      };
    }),
  );
  catalog
    .command("show")
    .argument("<id>")
    .option("--sample", "show desensitized sample rows")
    .option("--rows <n>", "sample rows (default 100)")
    .action(
      action(async (cmd, id: string) => {
        const o = cmd.opts<{ sample?: boolean; rows?: string }>();
        const r = await viaServer(cmd, { method: "GET", path: "/api/catalog/{id}", params: { id }, query: { ...(o.sample ? { sample: "true" } : {}), ...(o.rows !== undefined ? { rows: o.rows } : {}) } }, (s) => showCatalog(s, id, { sample: o.sample, rows: o.rows === undefined ? undefined : Number(o.rows) }), { readOnly: true });
        const lines = [
          `${r.id} — ${r.name} (provider ${r.provider}, grade ${r.grade}, ${r.rowCount} rows, version ${r.version} of ${r.versions}, updated ${r.updatedAt})`,
          `sharing ${r.sharing}, opening ${r.opening}${r.negativeList ? ", ON THE NEGATIVE LIST" : ""}, update cycle ${r.updateCycle}, ${r.authorization.status}`,
          `subject key: ${describeSubject(r.subjectDetail)}${r.subjectDetail && !r.subjectDetail.confirmed ? ` (confirm: shuyu dataset tag ${r.id} --subject ${r.subjectDetail.columns.join(",")})` : ""}`,
          "",
          table(
            r.columnDetails.map((c) => ({ ...c, tags: c.tags.join(",") + (c.confirmed ? "" : c.tags.length ? " (proposed)" : ""), role: c.role + (c.roleSet ? " (set)" : "") })),
            ["name", "type", "tags", "role"],
          ),
        ];
        if (r.sample) {
          lines.push("", `sample (${r.sample.rows.length} rows, desensitized; columns drawn independently):`);
          lines.push(table(r.sample.rows.map((row) => Object.fromEntries(r.sample!.columns.map((c, i) => [c.name, row[i]]))), r.sample.columns.map((c) => c.name)));
        }
        return { human: lines.join("\n"), json: r };
      }),
    );
}
