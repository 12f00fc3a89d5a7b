/**
 * A horizontal bar chart drawn on the server as inline SVG (no script, nothing fetched: the
 * console's CSP allows neither): one bar per row, labelled by the first text column, sized by a
 * numeric column. A reviewer sees an outlier cell at a glance rather than reading 40 numbers.
 */
import { html, type Raw } from "./html.js";

/** Which columns a chart would use, or null when the table has no label/number pair or too many rows. */
export function chartColumns(columns: { name: string; type: string }[], rows: number): { label: number; value: number } | null {
  if (rows === 0 || rows > 60) return null;
  const label = columns.findIndex((c) => /CHAR|TEXT|STRING|DATE|BOOL/i.test(c.type));
  const numeric = columns.map((c, i) => ({ c, i })).filter(({ c }) => /INT|DOUBLE|FLOAT|DECIMAL|NUMERIC|REAL/i.test(c.type));
  if (label < 0 || numeric.length === 0) return null;
  // A measure (mean, sum, …) says more than the count beside it; fall back to the count.
  const value = (numeric.find(({ c }) => !/^(n|count|cnt)$/i.test(c.name)) ?? numeric[0]).i;
  return { label, value };
}

/** The SVG for `rows` (arrays in column order); bars scale to the largest absolute value. */
export function barChart(title: string, columns: { name: string; type: string }[], rows: unknown[][]): Raw | "" {
  const use = chartColumns(columns, rows.length);
  if (!use) return "";
  const values = rows.map((r) => Number(r[use.value]));
  const max = Math.max(...values.map((v) => (Number.isFinite(v) ? Math.abs(v) : 0)), 1);
  const bar = 22;
  const labelW = 140;
  const plotW = 360;
  const height = rows.length * bar + 24;
  return html`<figure><svg role="img" aria-label="${title}: ${columns[use.value].name} by ${columns[use.label].name}" viewBox="0 0 ${labelW + plotW + 90} ${height}" width="100%" style="max-width:600px;background:#fff;border:1px solid #c9ced6">
${rows.map((r, i) => {
    const v = values[i];
    const w = Number.isFinite(v) ? Math.max(1, Math.round((Math.abs(v) / max) * plotW)) : 0;
    const y = 12 + i * bar;
    return html`<text x="${labelW - 6}" y="${y + 15}" text-anchor="end" font-size="13">${String(r[use.label] ?? "∅").slice(0, 18)}</text><rect x="${labelW}" y="${y + 3}" width="${w}" height="${bar - 6}" fill="#1f3a5f"></rect><text x="${labelW + w + 4}" y="${y + 15}" font-size="12">${Number.isFinite(v) ? v.toLocaleString("en-US") : "—"}</text>`;
  })}
</svg><figcaption>${title}: ${columns[use.value].name} / ${columns[use.label].name}</figcaption></figure>`;
}
