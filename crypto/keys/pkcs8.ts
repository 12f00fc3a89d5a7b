/**
 * SM2 private keys: PKCS#8 (RFC 5208/5915, as `openssl genpkey -algorithm SM2` writes),
 * PBES2-encrypted PKCS#8, and OpenSSL's SEC1 "EC PRIVATE KEY"/"SM2 PRIVATE KEY" files.
 */
import { invalid, ShuyuError } from "../../policies/errors.js";
import {
  type Asn1, algorithm, bitString, decodeDer, encodeDer, explicit, int, isContext, octets, oid, readAlgorithm, readBitString,
  readContext, readInt, readOctets, readOid, readSeq, seq,
} from "../der.js";
import { OID } from "../oids.js";
import { publicKeyFromPrivate } from "../sm2/index.js";
import { decryptPkcs8, encryptPkcs8, type Pbes2Options } from "./pbes2.js";
import { fromPem, looksLikePem, toPem } from "./pem.js";

/** A private key as read from a file: the 32-byte scalar and its 65-byte public point. */
export interface Sm2PrivateKey {
  privateKey: Uint8Array;
  publicKey: Uint8Array;
}

const SCALAR_BYTES = 32;

function derivePublic(d: Uint8Array): Uint8Array {
  try {
    return publicKeyFromPrivate(d);
  } catch (err) {
    if (err instanceof ShuyuError) throw err;
    throw invalid("SM2_PRIVATE_KEY_INVALID", `not a valid SM2 private key: ${(err as Error).message}`);
  }
}

function ecPrivateKeyNode(d: Uint8Array, publicKey: Uint8Array, withCurve: boolean): Asn1 {
  const items = [int(1), octets(d)];
  if (withCurve) items.push(explicit(0, oid(OID.sm2)));
  items.push(explicit(1, bitString(publicKey)));
  return seq(...items);
}

/** PKCS#8 PrivateKeyInfo DER for an SM2 private key (public key included, as OpenSSL writes it). */
export function encodePkcs8(privateKey: Uint8Array): Uint8Array {
  if (privateKey.length !== SCALAR_BYTES) throw invalid("SM2_PRIVATE_KEY_INVALID", `SM2 private keys are 32 bytes; got ${privateKey.length}`);
  const publicKey = derivePublic(privateKey);
  return encodeDer(seq(int(0), algorithm(OID.ecPublicKey, oid(OID.sm2)), octets(encodeDer(ecPrivateKeyNode(privateKey, publicKey, false)))));
}

/** PEM for a private key: "PRIVATE KEY", or "ENCRYPTED PRIVATE KEY" (PBES2/SM4-CBC) when a passphrase is given. */
export function privateKeyToPem(privateKey: Uint8Array, opts: { passphrase?: string | Uint8Array } & Pbes2Options = {}): string {
  const der = encodePkcs8(privateKey);
  if (opts.passphrase === undefined) return toPem(der, "PRIVATE KEY");
  return toPem(encryptPkcs8(der, opts.passphrase, opts), "ENCRYPTED PRIVATE KEY");
}

/** SEC 1 ECPrivateKey node → key pair; checks curve and that an embedded public key matches. */
function fromEcPrivateKey(node: Asn1, what: string): Sm2PrivateKey {
  const items = readSeq(node, what, 2);
  if (readInt(items[0], `${what} version`) !== 1n) throw invalid("SM2_PRIVATE_KEY_INVALID", `${what}: unsupported ECPrivateKey version`);
  let d = readOctets(items[1], `${what} scalar`);
  if (d.length > SCALAR_BYTES) throw invalid("SM2_PRIVATE_KEY_INVALID", `${what}: private scalar longer than 32 bytes`);
  if (d.length < SCALAR_BYTES) d = Buffer.concat([Buffer.alloc(SCALAR_BYTES - d.length), d]);
  const publicKey = derivePublic(d);
  for (const extra of items.slice(2)) {
    if (isContext(extra, 0)) {
      const curve = readOid(readContext(extra, 0, `${what} parameters`)[0], `${what} curve`);
      if (curve !== OID.sm2) throw invalid("KEY_NOT_SM2", `${what} is on curve ${curve}, not SM2`, { curve });
    } else if (isContext(extra, 1)) {
      const embedded = readBitString(readContext(extra, 1, `${what} public key`)[0], `${what} public key`);
      if (!Buffer.from(embedded).equals(Buffer.from(publicKey))) {
        throw invalid("SM2_PRIVATE_KEY_INVALID", `${what}: the embedded public key does not belong to the private key`);
      }
    }
  }
  return { privateKey: new Uint8Array(d), publicKey };
}

/** Parses PKCS#8 PrivateKeyInfo DER holding an SM2 key. */
export function decodePkcs8(der: Uint8Array): Sm2PrivateKey {
  const items = readSeq(decodeDer(der, "private key"), "PrivateKeyInfo", 3);
  if (readInt(items[0], "PrivateKeyInfo version") > 1n) throw invalid("SM2_PRIVATE_KEY_INVALID", "unsupported PKCS#8 version");
  const alg = readAlgorithm(items[1], "private key algorithm");
  const curve = alg.oid === OID.ecPublicKey && alg.params ? readOid(alg.params, "private key curve") : alg.oid;
  if (curve !== OID.sm2) throw invalid("KEY_NOT_SM2", `the private key is not an SM2 key (algorithm ${alg.oid}, curve ${curve})`, { curve });
  return fromEcPrivateKey(decodeDer(readOctets(items[2], "private key octets"), "ECPrivateKey"), "ECPrivateKey");
}

/** Parses OpenSSL's traditional SEC 1 ECPrivateKey DER (curve must be SM2). */
export function decodeSec1(der: Uint8Array): Sm2PrivateKey {
  return fromEcPrivateKey(decodeDer(der, "EC private key"), "EC private key");
}

const PEM_LABELS = ["PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "EC PRIVATE KEY", "SM2 PRIVATE KEY"] as const;

/**
 * Reads an SM2 private key from PEM (PKCS#8, encrypted PKCS#8, SEC 1) or PKCS#8 DER.
 * Encrypted keys need `passphrase`.
 */
export function readPrivateKey(data: Uint8Array | string, opts: { passphrase?: string | Uint8Array } = {}): Sm2PrivateKey {
  if (!looksLikePem(data)) {
    if (typeof data === "string") throw invalid("PEM_INVALID", "private key text holds no PEM block");
    return decodePkcs8(data);
  }
  const text = typeof data === "string" ? data : Buffer.from(data).toString("latin1");
  if (/Proc-Type:\s*4,ENCRYPTED/.test(text)) {
    throw invalid("KEY_ENCRYPTION_UNSUPPORTED", "legacy PEM encryption (Proc-Type) is not supported; convert with 'openssl pkcs8 -topk8 -v2 sm4-cbc -v2prf hmacWithSHA256'");
  }
  const { label, der } = fromPem(text, PEM_LABELS, "private key file");
  if (label === "PRIVATE KEY") return decodePkcs8(der);
  if (label === "ENCRYPTED PRIVATE KEY") {
    if (opts.passphrase === undefined) throw invalid("PASSPHRASE_REQUIRED", "the private key is encrypted; supply its passphrase");
    return decodePkcs8(decryptPkcs8(der, opts.passphrase));
  }
  return decodeSec1(der);
}
