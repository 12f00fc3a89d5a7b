/** SM2 public keys as X.509 SubjectPublicKeyInfo (RFC 5480 form with the SM2 curve OID), DER and PEM. */
import { invalid, ShuyuError } from "../../policies/errors.js";
import { type Asn1, algorithm, bitString, decodeDer, encodeDer, oid, readAlgorithm, readBitString, readOid, readSeq, seq } from "../der.js";
import { OID } from "../oids.js";
import { validatePublicKey } from "../sm2/index.js";
import { fromPem, looksLikePem, toPem } from "./pem.js";

/** The SubjectPublicKeyInfo node for a 65-byte uncompressed SM2 public key. */
export function spkiNode(publicKey: Uint8Array): Asn1 {
  checkPublicKey(publicKey);
  return seq(algorithm(OID.ecPublicKey, oid(OID.sm2)), bitString(publicKey));
}

/** Checks that bytes are a valid SM2 public point (65-byte 04||x||y on the curve). */
export function checkPublicKey(publicKey: Uint8Array): void {
  if (publicKey.length !== 65 || publicKey[0] !== 0x04) {
    throw invalid("SM2_PUBLIC_KEY_INVALID", `SM2 public keys here are 65-byte uncompressed points (04||x||y); got ${publicKey.length} bytes starting ${publicKey[0]}. Convert with 'openssl pkey -pubin -conv_form uncompressed'`);
  }
  try {
    validatePublicKey(publicKey);
  } catch (err) {
    if (err instanceof ShuyuError) throw err;
    throw invalid("SM2_PUBLIC_KEY_INVALID", `not a valid SM2 public key: ${(err as Error).message}`);
  }
}

/** SPKI DER for an SM2 public key (what `openssl pkey -pubin -outform DER` reads). */
export function encodeSpki(publicKey: Uint8Array): Uint8Array {
  return encodeDer(spkiNode(publicKey));
}

/** SPKI PEM ("PUBLIC KEY") for an SM2 public key. */
export function publicKeyToPem(publicKey: Uint8Array): string {
  return toPem(encodeSpki(publicKey), "PUBLIC KEY");
}

/** The 65-byte public key from an SPKI node; refuses other algorithms and curves. */
export function publicKeyFromSpkiNode(node: Asn1, what = "public key"): Uint8Array {
  const [algNode, keyNode] = readSeq(node, what, 2);
  const alg = readAlgorithm(algNode, `${what} algorithm`);
  const curve = alg.oid === OID.ecPublicKey && alg.params ? readOid(alg.params, `${what} curve`) : alg.oid;
  if (curve !== OID.sm2) {
    throw invalid("KEY_NOT_SM2", `${what} is not an SM2 key (algorithm ${alg.oid}, curve ${curve}); generate one with 'shuyu crypto keygen'`, { curve });
  }
  const key = readBitString(keyNode, `${what} point`);
  checkPublicKey(key);
  return key;
}

/** Parses SPKI DER. */
export function decodeSpki(der: Uint8Array): Uint8Array {
  return publicKeyFromSpkiNode(decodeDer(der, "public key"));
}

/** Reads an SM2 public key from PEM ("PUBLIC KEY") or SPKI DER. */
export function readPublicKey(data: Uint8Array | string): Uint8Array {
  if (looksLikePem(data)) {
    const text = typeof data === "string" ? data : Buffer.from(data).toString("latin1");
    return decodeSpki(fromPem(text, ["PUBLIC KEY"], "public key file").der);
  }
  if (typeof data === "string") throw invalid("PEM_INVALID", "public key text holds no PEM block");
  return decodeSpki(data);
}
