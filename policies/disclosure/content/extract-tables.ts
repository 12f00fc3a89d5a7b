/**
 * Tables embedded in free text (reports, index descriptions): Markdown pipe tables, CSV/TSV
 * blocks (comma, tab, semicolon or full-width comma, ≥ 2 lines with the same ≥ 2 fields), and
 * whitespace-aligned text (≥ 3 lines splitting on runs of 2+ spaces into the same ≥ 2 fields).
 * A first row with a non-numeric cell in every column that is numeric below is a header.
 */

/** One extracted table, columnar. */
export interface ExtractedTable {
  source: "markdown" | "csv" | "aligned";
  /** First line (0-based) of the table in the text, and how many lines it spans. */
  line: number;
  lineCount: number;
  columns: { name: string; values: string[] }[];
  rowCount: number;
}

const MD_SEPARATOR = /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/;
const CSV_SEPARATORS = [",", "\t", ";", "，"];
const MIN_CSV_LINES = 2;
const MIN_ALIGNED_LINES = 3;

function mdCells(line: string): string[] {
  let s = line.trim();
  if (s.startsWith("|")) s = s.slice(1);
  if (s.endsWith("|") && !s.endsWith("\\|")) s = s.slice(0, -1);
  return s.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, "|"));
}

/** Splits a CSV line on `sep`, honouring double quotes. */
function csvCells(line: string, sep: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"' && cur.trim() === "") quoted = true;
    else if (ch === sep) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

const isNumeric = (s: string) => /^[-+]?[\d,]*\.?\d+(?:[eE][-+]?\d+)?\s*(%|‰)?$/.test(s.normalize("NFKC").trim());

/** Builds a columnar table from rows, taking the first row as header when it looks like one. */
function toTable(source: ExtractedTable["source"], line: number, lineCount: number, rows: string[][], header: boolean | undefined): ExtractedTable {
  const width = Math.max(...rows.map((r) => r.length));
  const padded = rows.map((r) => [...r, ...Array<string>(width - r.length).fill("")]);
  let names: string[];
  let body = padded;
  const first = padded[0];
  const looksHeader =
    header ??
    (padded.length > 1 &&
      first.every((c) => c !== "" && !isNumeric(c)) &&
      first.some((_, j) => padded.slice(1).some((r) => isNumeric(r[j]))));
  if (looksHeader) {
    names = first.map((c, j) => c || `col${j + 1}`);
    body = padded.slice(1);
  } else {
    names = first.map((_, j) => `col${j + 1}`);
  }
  const seen = new Map<string, number>();
  names = names.map((n) => {
    const k = (seen.get(n) ?? 0) + 1;
    seen.set(n, k);
    return k > 1 ? `${n}_${k}` : n;
  });
  return { source, line, lineCount, columns: names.map((name, j) => ({ name, values: body.map((r) => r[j]) })), rowCount: body.length };
}

/** Every table embedded in `text`; lines used by one table are not reused by another. */
export function extractTables(text: string): ExtractedTable[] {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const used = new Set<number>();
  const out: ExtractedTable[] = [];
  // Markdown: a header line, a separator line, then pipe rows.
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!lines[i].includes("|") || !MD_SEPARATOR.test(lines[i + 1]) || !lines[i + 1].includes("-")) continue;
    const rows = [mdCells(lines[i])];
    let j = i + 2;
    for (; j < lines.length && lines[j].includes("|") && lines[j].trim() !== ""; j++) rows.push(mdCells(lines[j]));
    for (let k = i; k < j; k++) used.add(k);
    out.push(toTable("markdown", i, j - i, rows, true));
    i = j - 1;
  }
  // CSV blocks: consecutive lines with the same number (≥ 2) of fields under one separator.
  for (let i = 0; i < lines.length; i++) {
    if (used.has(i) || lines[i].trim() === "" || lines[i].trim().startsWith("```")) continue;
    let best: { sep: string; end: number } | undefined;
    for (const sep of CSV_SEPARATORS) {
      const n = csvCells(lines[i], sep).length;
      if (n < 2) continue;
      let j = i + 1;
      while (j < lines.length && !used.has(j) && lines[j].trim() !== "" && csvCells(lines[j], sep).length === n) j++;
      if (j - i >= MIN_CSV_LINES && (!best || j > best.end)) best = { sep, end: j };
    }
    if (!best) continue;
    const rows = lines.slice(i, best.end).map((l) => csvCells(l, best.sep));
    // Prose with one comma per line is not a table: at least one cell below the first row must be a number.
    // Prose with commas is not a table: a number below the first row, or ≥ 3 lines none of which ends a sentence.
    const sentences = lines.slice(i, best.end).some((l) => /[。！？!?]\s*$/.test(l));
    if (!rows.slice(1).some((r) => r.some(isNumeric)) && (rows.length < 3 || sentences)) continue;
    for (let k = i; k < best.end; k++) used.add(k);
    out.push(toTable("csv", i, best.end - i, rows, undefined));
    i = best.end - 1;
  }
  // Aligned text: columns separated by 2+ spaces (or a full-width space), the same count on ≥ 3 lines.
  const split = (l: string) => l.trim().split(/\s{2,}|\t|\u3000+/).filter((c) => c !== "");
  for (let i = 0; i < lines.length; i++) {
    if (used.has(i)) continue;
    const n = split(lines[i]).length;
    if (n < 2) continue;
    let j = i + 1;
    while (j < lines.length && !used.has(j) && split(lines[j]).length === n) j++;
    if (j - i < MIN_ALIGNED_LINES) continue;
    const rows = lines.slice(i, j).map(split);
    if (!rows.slice(1).some((r) => r.some(isNumeric))) continue;
    for (let k = i; k < j; k++) used.add(k);
    out.push(toTable("aligned", i, j - i, rows, undefined));
    i = j - 1;
  }
  return out.sort((a, b) => a.line - b.line);
}

/** The text with the lines of extracted tables removed (what the prose checks read). */
export function proseOutside(text: string, tables: readonly ExtractedTable[]): string {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const drop = new Set<number>();
  for (const t of tables) for (let k = t.line; k < t.line + t.lineCount; k++) drop.add(k);
  return lines.filter((_, i) => !drop.has(i)).join("\n");
}
