/** PEM armour (RFC 7468): wrapping DER and finding a labelled block among several. */
import { invalid } from "../../policies/errors.js";

/** Wraps DER in a PEM block with the given label. */
export function toPem(der: Uint8Array, label: string): string {
  const b64 = Buffer.from(der).toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** All PEM blocks in a text, in order. */
export function pemBlocks(text: string): { label: string; der: Uint8Array }[] {
  const out: { label: string; der: Uint8Array }[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const body = m[2].replace(/\s+/g, "");
    if (/[^A-Za-z0-9+/=]/.test(body)) throw invalid("PEM_INVALID", `PEM block '${m[1]}' has characters outside base64`, { label: m[1] });
    out.push({ label: m[1], der: new Uint8Array(Buffer.from(body, "base64")) });
  }
  return out;
}

/** True when the bytes look like PEM text rather than DER. */
export function looksLikePem(data: Uint8Array | string): boolean {
  const text = typeof data === "string" ? data : Buffer.from(data.subarray(0, 64)).toString("latin1");
  return text.includes("-----BEGIN ");
}

/** The DER of the first block whose label is one of `labels`; invalid-input error otherwise. */
export function fromPem(text: string, labels: readonly string[], what: string): { label: string; der: Uint8Array } {
  const found = pemBlocks(text).find((b) => labels.includes(b.label));
  if (!found) {
    throw invalid("PEM_INVALID", `no ${labels.map((l) => `'${l}'`).join(" or ")} PEM block found in the ${what}`, { what, expected: labels });
  }
  return found;
}
