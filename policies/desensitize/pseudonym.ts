import { createHmac } from "node:crypto";
import { invalid } from "../errors.js";

/** Minimum secret length: 32 bytes = the SM3 output size, so the key is never the weak link. */
export const MIN_SECRET_BYTES = 32;

/** Throws unless `secret` is a Buffer of at least 32 bytes. */
export function assertSecret(secret: Uint8Array | undefined): asserts secret is Uint8Array {
  if (!secret || secret.length < MIN_SECRET_BYTES) {
    throw invalid(
      "PSEUDONYM_SECRET_REQUIRED",
      `keyed pseudonyms need the domain's pseudonym secret (≥ ${MIN_SECRET_BYTES} bytes) passed as { secret }`,
      { got: secret?.length ?? 0 },
    );
  }
}

/** HMAC-SM3(secret, context ‖ 0x00 ‖ value) as lowercase hex, truncated to `length` digits. */
export function keyedPseudonym(secret: Uint8Array, context: string, value: string, length: number): string {
  // The NUL separator keeps (context "a", value "bc") apart from (context "ab", value "c").
  return createHmac("sm3", secret).update(context, "utf8").update("\u0000").update(value, "utf8").digest("hex").slice(0, length);
}
