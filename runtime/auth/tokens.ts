import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** A new account token: `<account>.<192 random bits>`; the prefix lets us find the account without scanning. */
export function newToken(accountId: string): string {
  return `${accountId}.${randomBytes(24).toString("base64url")}`;
}

/** Salted SM3 digest of a token: the only form in which tokens are stored. */
export function tokenDigest(token: string, saltHex: string): string {
  return createHash("sm3").update(Buffer.from(saltHex, "hex")).update(token, "utf8").digest("hex");
}

/** A fresh 128-bit salt as hex. */
export function newSalt(): string {
  return randomBytes(16).toString("hex");
}

/** Constant-time comparison of a presented token against the stored digest. */
export function tokenMatches(token: string, saltHex: string, digestHex: string): boolean {
  const a = Buffer.from(tokenDigest(token, saltHex), "hex");
  const b = Buffer.from(digestHex, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The account id a token claims (before it is checked). */
export function tokenAccount(token: string): string | undefined {
  const dot = token.lastIndexOf(".");
  return dot > 0 ? token.slice(0, dot) : undefined;
}
