import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseCertificate, sm3Hex } from "../../crypto/index.js";
import { sign, verify } from "../../crypto/sm2/index.js";
import type { AuditEntry, CheckpointVerifier } from "../audit/chain.js";
import { loadSeal, type Seal } from "./seal.js";

const sealCache = new Map<string, Seal>();

function message(domainId: string, head: { seq: number; hash: string }): Uint8Array {
  return Buffer.from(`shuyu-audit-checkpoint\n${domainId}\n${head.seq}\n${head.hash}`);
}

/** The details of a checkpoint entry: the head before it and the seal's SM2 signature over it. */
export function signCheckpoint(keysDir: string, domainId: string, head: { seq: number; hash: string }): { head: { seq: number; hash: string }; sig: string } {
  let seal = sealCache.get(keysDir);
  if (!seal) sealCache.set(keysDir, (seal = loadSeal(keysDir)));
  return { head: { seq: head.seq, hash: head.hash }, sig: Buffer.from(sign(message(domainId, head), seal.privateKey)).toString("base64") };
}

/**
 * Checks checkpoints against the seal certificate in keys/, whose fingerprint must be
 * the one the chain's first entry (domain.init) recorded: a new seal cannot re-sign an old chain.
 */
export function checkpointVerifier(keysDir: string, domainId: string, entries: AuditEntry[]): CheckpointVerifier {
  let pub: Uint8Array | undefined;
  try {
    const cert = parseCertificate(readFileSync(join(keysDir, "seal.cert.pem"), "utf8"));
    const pinned = entries[0]?.action === "domain.init" ? (entries[0].details as { seal?: string }).seal : undefined;
    if (!pinned || pinned === sm3Hex(cert.der)) pub = cert.publicKey;
  } catch {
    pub = undefined;
  }
  return (e, before) => {
    const d = e.details as { head?: { seq: number; hash: string }; sig?: string };
    if (!pub || !d.head || typeof d.sig !== "string") return false;
    if (d.head.seq !== before.seq || d.head.hash !== before.hash) return false;
    try {
      return verify(message(domainId, before), Buffer.from(d.sig, "base64"), pub);
    } catch {
      return false;
    }
  };
}
