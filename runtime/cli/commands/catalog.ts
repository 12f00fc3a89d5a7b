import type { Command } from "commander";
import { listCatalog, showCatalog } from "../../services/catalog.js";
import { ingestDataset, purgeVersions, tagColumn } from "../../services/datasets.js";
import { progressBar } from "../progress.js";
import { action, globalOptions, usage } from "../run-command.js";
import { withSession } from "../session.js";
import { table } from "../table.js";

/** `dataset ingest|tag|purge`, `catalog list|show`. */
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
    .action(
      action(async (cmd) => {
        const o = cmd.opts();
        const bar = progressBar(`ingest ${o.id}`, process.stderr.isTTY === true && !globalOptions(cmd).json);
        try {
          const r = await withSession(cmd, (s) => ingestDataset(s, { ...o, grade: o.grade }, (d, t) => bar.update(d, t)));
          bar.stop();
          const tagged = r.proposals.filter((p) => p.tags.length > 0);
          return {
            human: [
              `dataset ${r.id} version ${r.version}: ${r.rowCount} rows, ${r.columns.length} columns, SM3 ${r.sourceSm3}`,
              tagged.length ? "proposed tags (confirm or edit with 'shuyu dataset tag'):" : "no PII found",
              ...tagged.map((p) => `  ${p.column}: ${p.tags.join(", ")}  ${p.matches.map((m) => `${m.type} ${(m.share * 100).toFixed(1)}%`).join(" ")}`),
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
    .requiredOption("--column <col>")
    .option("--pii <type>", "resident_id|mobile|bank_card|uscc|email|ip|plate|person_name|address")
    .option("--quasi", "a quasi-identifier")
    .option("--sensitive", "a sensitive attribute")
    .option("--none", "clear every tag of the column")
    .action(
      action(async (cmd, id: string) => {
        const o = cmd.opts<{ column: string; pii?: string; quasi?: boolean; sensitive?: boolean; none?: boolean }>();
        const tags = [...(o.pii ? [`pii:${o.pii}`] : []), ...(o.quasi ? ["quasi"] : []), ...(o.sensitive ? ["sensitive"] : [])];
        if (tags.length === 0 && !o.none) throw usage("give --pii TYPE, --quasi, --sensitive or --none");
        if (tags.length > 0 && o.none) throw usage("--none cannot be combined with other tags");
        const r = await withSession(cmd, (s) => tagColumn(s, { dataset: id, column: o.column, tags }));
        return { human: `${r.dataset}.${r.column}: ${r.tags.join(", ") || "(no tags)"}`, json: r };
      }),
    );
  dataset
    .command("purge")
    .argument("<id>")
    .option("--version <n>", "one superseded version (default: all superseded versions)")
    .action(
      action(async (cmd, id: string) => {
        const v = cmd.opts<{ version?: string }>().version;
        const r = await withSession(cmd, (s) => purgeVersions(s, id, v === undefined ? undefined : Number(v)));
        return { human: `purged ${id} version(s) ${r.join(", ")}`, json: { id, purged: r } };
      }),
    );

  const catalog = program.command("catalog").description("the development data catalog with sample data (R2)");
  catalog.command("list").action(
    action(async (cmd) => {
      const r = await withSession(cmd, listCatalog);
      return {
        human: table(
          r.map((e) => ({ ...e, negativeList: e.negativeList ? "yes" : "", authorization: e.authorization.status })),
          ["id", "name", "provider", "grade", "rowCount", "columns", "version", "updatedAt", "sharing", "opening", "negativeList", "authorization"],
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
        const r = await withSession(cmd, (s) => showCatalog(s, id, { sample: o.sample, rows: o.rows === undefined ? undefined : Number(o.rows) }));
        const lines = [
          `${r.id} — ${r.name} (provider ${r.provider}, grade ${r.grade}, ${r.rowCount} rows, version ${r.version} of ${r.versions}, updated ${r.updatedAt})`,
          `sharing ${r.sharing}, opening ${r.opening}${r.negativeList ? ", ON THE NEGATIVE LIST" : ""}, update cycle ${r.updateCycle}, ${r.authorization.status}`,
          "",
          table(r.columnDetails.map((c) => ({ ...c, tags: c.tags.join(",") + (c.confirmed ? "" : c.tags.length ? " (proposed)" : "") })), ["name", "type", "tags"]),
        ];
        if (r.sample) {
          lines.push("", `sample (${r.sample.rows.length} rows, desensitized; columns drawn independently):`);
          lines.push(table(r.sample.rows.map((row) => Object.fromEntries(r.sample!.columns.map((c, i) => [c.name, row[i]]))), r.sample.columns.map((c) => c.name)));
        }
        return { human: lines.join("\n"), json: r };
      }),
    );
}
