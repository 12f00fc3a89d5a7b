/** A short display form of a value found in output: enough for a reviewer to locate it, not to reuse it. */
export function displayMask(v: unknown): string {
  const s = String(v);
  if (s.length <= 4) return "*".repeat(s.length);
  return `${s.slice(0, 2)}${"*".repeat(Math.min(s.length - 4, 8))}${s.slice(-2)}`;
}

/** Masks identifier-looking values (strings of 8+ characters, integers of 8+ digits) inside a displayed row. */
export function displayRow(row: unknown): unknown {
  if (typeof row === "string") return row.length >= 8 ? displayMask(row) : row;
  if (typeof row === "number" || typeof row === "bigint") return String(row).replace(/^-/, "").length >= 8 ? displayMask(row) : row;
  if (Array.isArray(row)) return row.map(displayRow);
  if (row !== null && typeof row === "object") {
    return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, displayRow(v)]));
  }
  return row;
}
