import { invalid } from "../../policies/errors.js";

const LF = 0x0a;
const CR = 0x0d;
const PLUS = 0x2b;
const ZERO = 0x30;
const NINE = 0x39;

// Parser states.
const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTE_IN_QUOTED = 3; // saw a quote inside a quoted field: escaped quote or the closing one

/** Dialect of a delimited text file. `quote` -1 means the format has no quoting (TSV). */
export interface CsvDialect {
  delimiter: number;
  quote: number;
}

/**
 * Validates the structure of a delimited file in one streaming pass, byte by byte
 * (delimiters, quotes and newlines are ASCII, so UTF-8 content needs no decoding):
 * every record has the header's field count, quotes open only at a field's start and
 * close before a delimiter or newline. Also notes columns whose values look like codes
 * (long digit strings, leading '+', fixed-width digit codes of 6+ digits), which must
 * stay text so DuckDB does not turn an ID, phone, district code or card number into a number.
 */
export class CsvStructureChecker {
  private state = FIELD_START;
  private line = 1; // physical line of the current byte
  private recordLine = 1; // physical line where the current record starts
  private record = 0; // 0 = header
  private field = 0; // index of the current field within the record
  private fieldBytes = 0; // bytes of the current field, quotes excluded
  private expected = -1;
  private afterCr = false;
  private quotedCr = false;
  private headerBytes: number[] = [];
  private headerFields: string[] = [];
  private digitsOnly = true;
  private digitCount = 0;
  private firstByte = -1;
  private codeLike: boolean[] = [];
  // Per column: the digit count shared by every non-empty value, -1 before the first, -2 once
  // two differ or a value is not all digits.
  private width: number[] = [];

  // Byte classes of an unquoted field's body: 2 delimiter, quote, CR or LF; 1 digit; 0 other.
  private readonly kind = new Uint8Array(256);

  constructor(
    private readonly file: string,
    private readonly dialect: CsvDialect,
  ) {
    this.kind.fill(1, ZERO, NINE + 1);
    for (const b of [dialect.delimiter, dialect.quote, LF, CR]) if (b >= 0) this.kind[b] = 2;
  }

  /** Feeds the next chunk of the file; throws ShuyuError on the first structural fault. */
  feed(chunk: Uint8Array): void {
    const { delimiter, quote } = this.dialect;
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      if (this.state === UNQUOTED && this.record > 0) {
        // Hot path: the body of an unquoted data field, kept in locals until a special byte.
        // One table look-up per byte: 2 ends the field's body, 1 is a digit, 0 anything else.
        const kind = this.kind;
        const from = i;
        let digits = this.digitCount;
        for (; i < n; i++) {
          const k = kind[chunk[i]];
          if (k === 2) break;
          digits += k;
        }
        // A '+' is allowed only as the first byte, handled by fieldByte.
        if (digits - this.digitCount !== i - from) this.digitsOnly = false;
        this.digitCount = digits;
        this.fieldBytes += i - from;
        if (i === n) break;
      }
      const b = chunk[i];
      if (this.afterCr) {
        this.afterCr = false;
        if (b === LF) continue; // CRLF: the CR already ended the line
      }
      switch (this.state) {
        case FIELD_START:
          if (b === quote) {
            this.state = QUOTED;
          } else if (b === delimiter) {
            this.endField();
          } else if (b === LF || b === CR) {
            this.endLine(b);
          } else {
            this.state = UNQUOTED;
            this.fieldByte(b);
          }
          break;
        case UNQUOTED:
          if (b === delimiter) this.endField();
          else if (b === LF || b === CR) this.endLine(b);
          else if (b === quote) this.badQuote("a quote inside an unquoted field; quote the whole field and double inner quotes (\"\")");
          else this.fieldByte(b);
          break;
        case QUOTED:
          if (b === quote) {
            this.state = QUOTE_IN_QUOTED;
            this.quotedCr = false;
          } else {
            // Count CRLF inside quotes once: the LF of a CRLF adds no line.
            if (b === CR || (b === LF && !this.quotedCr)) this.line++;
            this.quotedCr = b === CR;
            this.fieldByte(b);
          }
          break;
        case QUOTE_IN_QUOTED:
          if (b === quote) {
            this.state = QUOTED;
            this.fieldByte(b);
          } else if (b === delimiter) this.endField();
          else if (b === LF || b === CR) this.endLine(b);
          else this.badQuote("text after a closing quote; a quote inside a quoted field must be doubled (\"\")");
          break;
      }
    }
  }

  /** Where the checker is now: 1-based physical line and field number. */
  position(): { line: number; column: number } {
    return { line: this.line, column: this.field + 1 };
  }

  /** Ends the stream; throws on an unterminated quote. Returns header names and code-like columns. */
  end(): { header: string[]; records: number; codeLikeColumns: string[] } {
    if (this.state === QUOTED) {
      throw invalid(
        "INGEST_BAD_QUOTING",
        `${this.file}: line ${this.recordLine}: a quoted field is never closed; add the closing quote`,
        { file: this.file, line: this.recordLine, column: this.field + 1 },
      );
    }
    if (this.state !== FIELD_START || this.field > 0) this.endRecord();
    return { header: this.headerFields, records: Math.max(0, this.record - 1), codeLikeColumns: this.codeLikeNow() };
  }

  /**
   * The code-like columns of the records fed so far, or undefined while the header is incomplete:
   * lets the typed load start before the scan ends (the caller compares with `end()`'s answer).
   */
  codeLikeSoFar(): string[] | undefined {
    return this.record > 0 ? this.codeLikeNow() : undefined;
  }

  private codeLikeNow(): string[] {
    // Every value the same 6+ digits (mobiles, district codes, postcodes): a code, not a quantity.
    return this.headerFields.filter((_, i) => this.codeLike[i] === true || (this.width[i] ?? -1) >= 6);
  }

  private fieldByte(b: number): void {
    if (this.record === 0) this.headerBytes.push(b);
    if (this.fieldBytes === 0) this.firstByte = b;
    this.fieldBytes++;
    if (b >= ZERO && b <= NINE) this.digitCount++;
    else if (!(b === PLUS && this.fieldBytes === 1)) this.digitsOnly = false;
  }

  private endField(): void {
    if (this.record === 0) {
      const name = Buffer.from(this.headerBytes).toString("utf8");
      // A UTF-8 byte-order mark is not part of the first column's name.
      this.headerFields.push(this.headerFields.length === 0 ? name.replace(/^\uFEFF/, "") : name);
      this.headerBytes = [];
    } else if (this.fieldBytes > 0) {
      const f = this.field;
      const w = this.width[f] ?? -1;
      if (!this.digitsOnly || this.digitCount !== this.fieldBytes) this.width[f] = -2;
      else if (w === -1) this.width[f] = this.digitCount;
      else if (w !== this.digitCount) this.width[f] = -2;
      if (this.digitsOnly && this.digitCount > 0 && !this.codeLike[f]) {
        // Leading '+', leading zero or 15+ digits: an identifier (ID, card, phone), not a quantity.
        const leadingZero = this.firstByte === ZERO && this.digitCount > 1;
        if (this.firstByte === PLUS || leadingZero || this.digitCount >= 15) this.codeLike[f] = true;
      }
    }
    this.field++;
    this.fieldBytes = 0;
    this.digitsOnly = true;
    this.digitCount = 0;
    this.firstByte = -1;
    this.state = FIELD_START;
  }

  private endLine(b: number): void {
    // DuckDB skips blank lines in multi-column files; a blank line in a one-column file is a NULL.
    const blank = this.field === 0 && this.state === FIELD_START;
    if (blank && this.record > 0 && this.expected > 1) {
      this.nextLine(b);
      this.recordLine = this.line;
      return;
    }
    this.endRecord();
    this.nextLine(b);
    this.recordLine = this.line;
  }

  private nextLine(b: number): void {
    this.line++;
    if (b === CR) this.afterCr = true;
  }

  private endRecord(): void {
    this.endField();
    const got = this.field;
    if (this.record === 0) {
      this.expected = got;
      this.checkHeader();
    } else if (got !== this.expected) {
      throw invalid(
        "INGEST_RAGGED_ROW",
        `${this.file}: line ${this.recordLine}: ${got} fields but the header has ${this.expected}; every row needs exactly ${this.expected} fields`,
        { file: this.file, line: this.recordLine, column: Math.min(got, this.expected + 1), expected: this.expected, got },
      );
    }
    this.record++;
    this.field = 0;
  }

  private checkHeader(): void {
    const seen = new Map<string, number>();
    if (this.headerFields.length > maxColumns()) {
      throw invalid("TOO_WIDE", `${this.file}: line 1: ${this.headerFields.length} columns; a dataset has at most ${maxColumns()} (split it into several datasets)`, {
        file: this.file, line: 1, columns: this.headerFields.length, max: maxColumns(),
      });
    }
    this.headerFields.forEach((name, i) => {
      if (name.includes("\0")) {
        throw invalid("INGEST_NUL_IN_HEADER", `${this.file}: line 1: column ${i + 1}'s name contains a NUL byte; column names are text`, { file: this.file, line: 1, column: i + 1 });
      }
      if (name.trim() === "") {
        throw invalid("INGEST_EMPTY_COLUMN_NAME", `${this.file}: line 1: column ${i + 1} has no name; give every column a header`, {
          file: this.file,
          line: 1,
          column: i + 1,
        });
      }
      // DuckDB identifiers are case-insensitive, so "Name" and "name" collide.
      const key = name.toLowerCase();
      const prev = seen.get(key);
      if (prev !== undefined) {
        throw invalid(
          "INGEST_DUPLICATE_COLUMN",
          `${this.file}: line 1: column ${i + 1} '${name}' repeats column ${prev + 1} '${this.headerFields[prev]}'; rename one of them`,
          { file: this.file, line: 1, column: i + 1, name, firstColumn: prev + 1 },
        );
      }
      seen.set(key, i);
    });
  }

  private badQuote(what: string): never {
    throw invalid("INGEST_BAD_QUOTING", `${this.file}: line ${this.line}, column ${this.field + 1}: ${what}`, {
      file: this.file,
      line: this.line,
      column: this.field + 1,
    });
  }
}

/** Most columns one dataset may have (SHUYU_MAX_COLUMNS, default 2,000). */
export function maxColumns(): number {
  const n = Number(process.env.SHUYU_MAX_COLUMNS);
  return Number.isInteger(n) && n > 0 ? n : 2000;
}
