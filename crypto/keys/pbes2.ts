/**
 * PKCS#8 EncryptedPrivateKeyInfo with PBES2 (RFC 8018): PBKDF2 + SM4-CBC.
 * Writes PBKDF2-HMAC-SHA256 by default because OpenSSL 3.0 has no hmacWithSM3 PRF for
 * PBKDF2 (`openssl pkcs8 -v2 sm4-cbc -v2prf hmacWithSHA256` is what it reads and writes);
 * reads PBKDF2-HMAC-SM3 too, under both OIDs in use (GM/T 0006 and OpenSSL's table).
 */
import { pbkdf2Sync, randomBytes } from "node:crypto";
import { invalid, ShuyuError } from "../../policies/errors.js";
import {
  algorithm, decodeDer, encodeDer, int, isUniversal, nullValue, octets, oid, readAlgorithm, readInt, readOctets, readSeq, seq, ASN1_TYPE,
} from "../der.js";
import { OID } from "../oids.js";
import { sm4CbcDecrypt, sm4CbcEncrypt } from "../sm4.js";

export type Pbkdf2Prf = "sha256" | "sm3";
export interface Pbes2Options {
  /** PBKDF2 PRF; "sha256" (default) is the one OpenSSL 3.0 can open. */
  prf?: Pbkdf2Prf;
  iterations?: number;
}

/** Default PBKDF2 iteration count (OWASP 2023 figure for PBKDF2-HMAC-SHA256). */
export const DEFAULT_PBKDF2_ITERATIONS = 600_000;
/** Refuse absurd counts from files so a hostile key file cannot stall the process. */
const MAX_PBKDF2_ITERATIONS = 10_000_000;
const SM4_KEY_BYTES = 16;

const PRF_BY_OID: Record<string, "sha1" | "sha256" | "sm3"> = {
  [OID.hmacWithSha1]: "sha1",
  [OID.hmacWithSha256]: "sha256",
  [OID.hmacSm3]: "sm3",
  [OID.hmacSm3OpenSsl]: "sm3",
};

/** Encrypts PKCS#8 PrivateKeyInfo DER under a passphrase. */
export function encryptPkcs8(pkcs8: Uint8Array, passphrase: string | Uint8Array, opts: Pbes2Options = {}): Uint8Array {
  const prf = opts.prf ?? "sha256";
  const iterations = opts.iterations ?? DEFAULT_PBKDF2_ITERATIONS;
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_PBKDF2_ITERATIONS) {
    throw invalid("PBKDF2_ITERATIONS", `PBKDF2 iterations must be an integer in 1..${MAX_PBKDF2_ITERATIONS}`);
  }
  if (passphrase.length === 0) throw invalid("PASSPHRASE_EMPTY", "the passphrase is empty; set a non-empty passphrase");
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const key = pbkdf2Sync(passphrase, salt, iterations, SM4_KEY_BYTES, prf);
  const prfAlg = prf === "sha256" ? algorithm(OID.hmacWithSha256, nullValue()) : algorithm(OID.hmacSm3, nullValue());
  const params = seq(
    seq(oid(OID.pbkdf2), seq(octets(salt), int(iterations), prfAlg)),
    seq(oid(OID.sm4Cbc), octets(iv)),
  );
  return encodeDer(seq(algorithm(OID.pbes2, params), octets(sm4CbcEncrypt(key, iv, pkcs8))));
}

/** Decrypts an EncryptedPrivateKeyInfo (PBES2, PBKDF2, SM4-CBC) to PKCS#8 DER. */
export function decryptPkcs8(der: Uint8Array, passphrase: string | Uint8Array): Uint8Array {
  const [algNode, dataNode] = readSeq(decodeDer(der, "encrypted private key"), "EncryptedPrivateKeyInfo", 2);
  const alg = readAlgorithm(algNode, "encryption algorithm");
  if (alg.oid !== OID.pbes2) {
    throw invalid("KEY_ENCRYPTION_UNSUPPORTED", `private key encryption ${alg.oid} is not supported; re-encrypt with 'openssl pkcs8 -topk8 -v2 sm4-cbc -v2prf hmacWithSHA256'`, { oid: alg.oid });
  }
  const [kdfNode, encNode] = readSeq(alg.params, "PBES2-params", 2);
  const kdf = readAlgorithm(kdfNode, "key derivation function");
  if (kdf.oid !== OID.pbkdf2) throw invalid("KEY_ENCRYPTION_UNSUPPORTED", `key derivation ${kdf.oid} is not supported (PBKDF2 only)`, { oid: kdf.oid });
  const kdfItems = readSeq(kdf.params, "PBKDF2-params", 2);
  const salt = readOctets(kdfItems[0], "PBKDF2 salt");
  const iterations = readInt(kdfItems[1], "PBKDF2 iteration count");
  let rest = kdfItems.slice(2);
  if (rest[0] && isUniversal(rest[0], ASN1_TYPE.INTEGER)) {
    if (readInt(rest[0], "PBKDF2 key length") !== BigInt(SM4_KEY_BYTES)) throw invalid("KEY_ENCRYPTION_UNSUPPORTED", "PBKDF2 key length must be 16 for SM4");
    rest = rest.slice(1);
  }
  const prfOid = rest[0] ? readAlgorithm(rest[0], "PBKDF2 PRF").oid : OID.hmacWithSha1;
  const prf = PRF_BY_OID[prfOid];
  if (!prf) throw invalid("KEY_ENCRYPTION_UNSUPPORTED", `PBKDF2 PRF ${prfOid} is not supported (HMAC-SHA256, HMAC-SM3, HMAC-SHA1)`, { oid: prfOid });
  if (iterations < 1n || iterations > BigInt(MAX_PBKDF2_ITERATIONS)) {
    throw invalid("PBKDF2_ITERATIONS", `PBKDF2 iteration count ${iterations} is outside 1..${MAX_PBKDF2_ITERATIONS}`);
  }
  const enc = readAlgorithm(encNode, "encryption scheme");
  if (enc.oid !== OID.sm4Cbc) {
    throw invalid("KEY_ENCRYPTION_UNSUPPORTED", `private key cipher ${enc.oid} is not supported (SM4-CBC only)`, { oid: enc.oid });
  }
  const iv = readOctets(enc.params, "SM4-CBC IV");
  const key = pbkdf2Sync(passphrase, salt, Number(iterations), SM4_KEY_BYTES, prf);
  try {
    return sm4CbcDecrypt(key, iv, readOctets(dataNode, "encrypted key data"));
  } catch (err) {
    if (err instanceof ShuyuError && err.code === "SM4_DECRYPT_FAILED") {
      throw invalid("PASSPHRASE_WRONG", "cannot decrypt the private key: wrong passphrase or damaged file");
    }
    throw err;
  }
}
