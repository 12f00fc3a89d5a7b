/**
 * Text printed to a terminal may come from a model or a data file (table and column
 * names, values, messages). C0/C1 control characters drive the terminal (escape
 * sequences, cursor moves, OSC 8 links) and bidi overrides make a name read as another,
 * so every CLI printer passes its text through `neutralise`.
 */

// C0 except TAB and LF, DEL, C1; bidi embeddings/overrides/isolates and marks; line/paragraph separators.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/** Replaces every terminal control, C1 and bidi control character in `text` by U+FFFD; keeps TAB and LF. */
export function neutralise(text: string): string {
  return text.replace(UNSAFE, "\uFFFD");
}

// What JSON.stringify leaves raw but a terminal would still act on.
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/** Escapes the characters JSON.stringify leaves raw (DEL, C1, bidi, separators) as \\uXXXX: same JSON value, inert on a terminal. */
export function inertJson(json: string): string {
  return json.replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
