import { createHash, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** Creates the domain's SM2 seal key pair (encrypted at rest) and its self-signed certificate. */
export async function createSeal(keysDir: string, operator: string, domainId: string): Promise<{ fingerprint: string }> {
  // Placeholder until crypto/ lands: a passphrase file so the layout is final.
  const pass = randomBytes(32).toString("base64url");
  writeFileSync(join(keysDir, "seal.pass"), pass, { mode: 0o600 });
  return { fingerprint: createHash("sm3").update(operator + domainId).digest("hex") };
}
