/**
 * `shuyu demo generate`: streams realistic people, enterprises and linking events to CSV (or
 * Parquet, converted by DuckDB from the CSV without loading it into memory). Rows are
 * written in ~1 MiB chunks with back-pressure, so 10 M rows cost no more memory than 10 k.
 */
import { createWriteStream, mkdirSync, rmSync, statSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { z } from "zod";
import { createRng, deriveSeed } from "../../policies/pii/fake/index.js";
import { parseInput } from "../../policies/schemas/common.js";
import { literal } from "../domain/db.js";
import { csvField, ENTERPRISE_COLUMNS, enterpriseRow, EVENT_COLUMNS, eventRow, PEOPLE_COLUMNS, personRow } from "./records.js";

export const GenerateInput = z.object({
  rows: z.coerce.number().int().min(1, "--rows is at least 1").max(1_000_000_000),
  out: z.string().min(1, "--out DIR is required"),
  seed: z.coerce.number().int().default(20260101),
  format: z.enum(["csv", "parquet"], { message: "--format is csv or parquet" }).default("csv"),
  /** Enterprises per person (default one per 50 people, at least 10). */
  enterprises: z.coerce.number().int().min(1).optional(),
  /** Write events.csv (the demo, which ingests only people, skips it to save a third of the time). */
  events: z.boolean().default(true),
});

/** One file written by the generator. */
export interface GeneratedFile {
  table: "people" | "enterprises" | "events";
  path: string;
  rows: number;
  bytes: number;
}

const CHUNK = 1 << 20;

/** A line-buffered CSV writer that waits for the disk when its buffer is full. */
class CsvSink {
  private buf = "";
  rows = 0;
  private readonly out: WriteStream;

  constructor(readonly path: string, header: readonly string[]) {
    this.out = createWriteStream(path);
    this.buf = header.join(",") + "\n";
  }

  async write(fields: (string | number)[]): Promise<void> {
    this.buf += fields.map(csvField).join(",") + "\n";
    this.rows++;
    if (this.buf.length >= CHUNK) await this.flush();
  }

  private async flush(): Promise<void> {
    const data = this.buf;
    this.buf = "";
    if (!this.out.write(data)) await new Promise<void>((r) => this.out.once("drain", () => r()));
  }

  async close(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve, reject) => this.out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  }
}

/**
 * Writes people.csv (N rows), enterprises.csv and events.csv (0-2 events per person, each
 * naming one person's resident ID and one enterprise's USCC). Deterministic for a seed.
 */
export async function generateDemoData(raw: unknown, onProgress?: (done: number, total: number) => void): Promise<GeneratedFile[]> {
  const input = parseInput(GenerateInput, raw, "generate");
  mkdirSync(input.out, { recursive: true });
  const nEnterprises = input.enterprises ?? Math.max(10, Math.ceil(input.rows / 50));
  const entRng = createRng(deriveSeed(input.seed, 1));
  const peopleRng = createRng(deriveSeed(input.seed, 2));
  const eventRng = createRng(deriveSeed(input.seed, 3));

  // Only the USCCs stay in memory (one per 50 people): events need to pick among them.
  const ents = new CsvSink(join(input.out, "enterprises.csv"), ENTERPRISE_COLUMNS);
  const usccs: string[] = new Array(nEnterprises);
  for (let i = 0; i < nEnterprises; i++) {
    const row = enterpriseRow(entRng);
    usccs[i] = String(row[0]);
    await ents.write(row);
  }
  await ents.close();

  const people = new CsvSink(join(input.out, "people.csv"), PEOPLE_COLUMNS);
  const events = new CsvSink(join(input.out, "events.csv"), EVENT_COLUMNS);
  const every = Math.max(1, Math.floor(input.rows / 200));
  for (let i = 1; i <= input.rows; i++) {
    const p = personRow(peopleRng, i);
    await people.write(p);
    const k = input.events ? Math.floor(eventRng.next() * 3) : 0; // 0, 1 or 2 events
    for (let e = 0; e < k; e++) await events.write(eventRow(eventRng, events.rows + 1, String(p[2]), eventRng.pick(usccs)));
    if (onProgress && (i % every === 0 || i === input.rows)) onProgress(i, input.rows);
  }
  await people.close();
  await events.close();

  const written: GeneratedFile[] = [
    { table: "people", path: people.path, rows: people.rows, bytes: statSync(people.path).size },
    { table: "enterprises", path: ents.path, rows: ents.rows, bytes: statSync(ents.path).size },
  ];
  if (input.events) written.push({ table: "events", path: events.path, rows: events.rows, bytes: statSync(events.path).size });
  else rmSync(events.path);
  return input.format === "parquet" ? toParquet(written) : written;
}

const TEXT_COLUMNS: Record<GeneratedFile["table"], string[]> = {
  people: ["person_no", "id_number", "mobile", "bank_card", "district_code"],
  enterprises: ["uscc", "district_code"],
  events: ["event_no", "id_number", "uscc"],
};

/** Converts each CSV to Parquet in DuckDB (streamed there, all columns as text-exact types) and removes the CSV. */
async function toParquet(files: GeneratedFile[]): Promise<GeneratedFile[]> {
  const instance = await DuckDBInstance.create(":memory:", { threads: "2", memory_limit: "1GB" });
  const conn = await instance.connect();
  try {
    const out: GeneratedFile[] = [];
    for (const f of files) {
      const path = f.path.replace(/\.csv$/, ".parquet");
      // Identifiers stay VARCHAR: a resident ID or card number read as a number loses its meaning.
      const textual = TEXT_COLUMNS[f.table].map((c) => `'${c}': 'VARCHAR'`).join(", ");
      await conn.run(`COPY (SELECT * FROM read_csv(${literal(f.path)}, header = true, types = {${textual}})) TO ${literal(path)} (FORMAT parquet, COMPRESSION zstd)`);
      rmSync(f.path);
      out.push({ ...f, path, bytes: statSync(path).size });
    }
    return out;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
