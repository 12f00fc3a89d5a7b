import pg from "pg";
import { ShuyuError } from "../../policies/errors.js";
import type { Params, SqlConnection } from "../domain/sql-connection.js";

/** DuckDB's JS row shapes from PostgreSQL's text results, per client (pg's global parsers stay untouched). */
const TYPES = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    switch (oid) {
      case 20: // int8: DuckDB gives BIGINT (and count(*)) as bigint
        return (v: string) => BigInt(v);
      case 1700: // numeric (sum of bigints): DuckDB's HUGEINT is a bigint too
        return (v: string) => (/^-?\d+$/.test(v) ? BigInt(v) : Number(v));
      case 1082: // date, as DuckDB: midnight UTC
        return (v: string) => new Date(v + "T00:00:00.000Z");
      case 1114: // timestamp without time zone: the store keeps UTC
        return (v: string) => new Date(v.replace(" ", "T") + "Z");
      default:
        return pg.types.getTypeParser(oid, format);
    }
  },
} as pg.CustomTypesConfig;

/** Functions the services' DuckDB SQL calls that PostgreSQL lacks, defined in the control schema. */
export const PG_COMPAT_FUNCTIONS = `
CREATE OR REPLACE FUNCTION strftime(d timestamp, f text) RETURNS text LANGUAGE sql IMMUTABLE AS $fn$
  SELECT to_char(d, replace(replace(replace(replace(replace(replace(f, '%Y', 'YYYY'), '%m', 'MM'), '%d', 'DD'), '%H', 'HH24'), '%M', 'MI'), '%S', 'SS'))
$fn$;
CREATE OR REPLACE FUNCTION strftime(d date, f text) RETURNS text LANGUAGE sql IMMUTABLE AS $fn$ SELECT strftime(d::timestamp, f) $fn$;
`;

/** Replaces each `?` outside quotes with `$1`, `$2`, … (DuckDB's placeholders in PostgreSQL's form). */
export function numberPlaceholders(sql: string): string {
  let out = "";
  let n = 0;
  let quote: string | undefined;
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = undefined;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === "?") out += "$" + ++n;
    else out += ch;
  }
  return out;
}

const UPSERT = /^\s*INSERT\s+OR\s+(REPLACE|IGNORE)\s+INTO\s+("?[A-Za-z_][A-Za-z0-9_]*"?)/i;

/**
 * One PostgreSQL session speaking the control store's SQL: placeholders numbered, DuckDB's
 * `INSERT OR REPLACE` as `ON CONFLICT (primary key) DO UPDATE`, `INTERVAL 1 DAY` quoted,
 * `DOUBLE` as `DOUBLE PRECISION`; results typed as DuckDB types them.
 */
export class PgConnection implements SqlConnection {
  private readonly tables = new Map<string, { columns: string[]; key: string[] }>();
  /** True between a BEGIN and its COMMIT/ROLLBACK run through this connection. */
  inTransaction = false;

  private constructor(readonly client: pg.Client) {}

  /** Connects with the session in UTC (TIMESTAMP columns hold UTC, as in DuckDB). */
  static async connect(url: string, applicationName = "shuyu"): Promise<PgConnection> {
    const client = new pg.Client({ connectionString: url, types: TYPES, application_name: applicationName, options: "-c TimeZone=UTC" });
    client.on("error", () => undefined); // a dropped connection surfaces on the next query
    try {
      await client.connect();
    } catch (err) {
      throw new ShuyuError("internal", "CONTROL_UNREACHABLE", `cannot reach the PostgreSQL control store: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    return new PgConnection(client);
  }

  async run(sql: string, values?: Params): Promise<unknown> {
    return this.query(sql, values);
  }

  async runAndReadAll(sql: string, values?: Params): Promise<{ getRowObjectsJS(): Record<string, unknown>[]; getRowsJS(): unknown[][] }> {
    const rows = (await this.query(sql, values)).rows as Record<string, unknown>[];
    return { getRowObjectsJS: () => rows, getRowsJS: () => rows.map((r) => Object.values(r)) };
  }

  /** Runs SQL as written, in PostgreSQL's own dialect (schema functions, graphile-worker calls). */
  async native(sql: string, values?: unknown[]): Promise<pg.QueryResult> {
    return this.client.query(sql, values);
  }

  /** Runs `fn` in the open transaction, or in one of its own when none is open. */
  async inTx<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn();
    await this.run("BEGIN");
    try {
      const out = await fn();
      await this.run("COMMIT");
      return out;
    } catch (err) {
      await this.run("ROLLBACK").catch(() => undefined);
      throw err;
    }
  }

  /** Ends the session (the owner's close is synchronous: the socket closes in the background). */
  end(): Promise<void> {
    return this.client.end().catch(() => undefined);
  }

  private async query(sql: string, values?: Params): Promise<pg.QueryResult> {
    if (values !== undefined && !Array.isArray(values)) {
      throw new ShuyuError("internal", "PG_NAMED_PARAMS", "named parameters are not supported by the PostgreSQL control store");
    }
    const verb = /^\s*(BEGIN|START|COMMIT|END|ROLLBACK|ABORT)\b/i.exec(sql)?.[1].toUpperCase();
    if (verb) this.inTransaction = verb === "BEGIN" || verb === "START";
    const text = await this.translate(sql);
    const bound = values?.map((v) => (typeof v === "bigint" ? v.toString() : v instanceof Date ? v.toISOString() : v));
    return bound && bound.length ? this.client.query(text, bound as unknown[]) : this.client.query(text);
  }

  private async translate(sql: string): Promise<string> {
    let text = numberPlaceholders(sql)
      .replace(/\bINTERVAL\s+(\d+)\s+(DAY|HOUR|MINUTE|SECOND)S?\b/gi, (_m, n: string, u: string) => `INTERVAL '${n} ${u.toLowerCase()}'`)
      .replace(/\bDOUBLE\b(?!\s+PRECISION)/gi, "DOUBLE PRECISION");
    const upsert = UPSERT.exec(text);
    if (upsert) {
      const table = upsert[2].replace(/"/g, "");
      text = text.replace(UPSERT, `INSERT INTO ${upsert[2]}`).replace(/;\s*$/, "");
      if (upsert[1].toUpperCase() === "IGNORE") return `${text} ON CONFLICT DO NOTHING`;
      const { columns, key } = await this.describe(table);
      const set = columns.filter((c) => !key.includes(c)).map((c) => `"${c}" = EXCLUDED."${c}"`);
      text += ` ON CONFLICT (${key.map((c) => `"${c}"`).join(", ")}) ` + (set.length ? `DO UPDATE SET ${set.join(", ")}` : "DO NOTHING");
    }
    return text;
  }

  /** A table's columns and primary key, read once per session. */
  private async describe(table: string): Promise<{ columns: string[]; key: string[] }> {
    const known = this.tables.get(table);
    if (known) return known;
    const cols = await this.client.query<{ column_name: string }>(
      "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
      [table],
    );
    const key = await this.client.query<{ attname: string }>(
      "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = $1::regclass AND i.indisprimary",
      [table],
    );
    if (!key.rows.length) throw new ShuyuError("internal", "PG_NO_PRIMARY_KEY", `INSERT OR REPLACE into ${table}, which has no primary key`);
    const d = { columns: cols.rows.map((r) => r.column_name), key: key.rows.map((r) => r.attname) };
    this.tables.set(table, d);
    return d;
  }
}
