/**
 * GM/T 0010 EnvelopedData: content encrypted with SM4-CBC under a fresh 16-byte key, the
 * key encrypted to each recipient with SM2 (GM/T 0009 SM2Cipher DER in encryptedKey).
 * A recipient is named by issuerAndSerialNumber when given as a certificate, or (bare
 * public key, as `--recipient KEY` supplies) by the RFC 5652 `[0] subjectKeyIdentifier`
 * choice with SM3(public key)[0..20).
 * SM4-CBC here is not authenticated: packages get integrity from the SignedData seal over
 * the manifest (which holds the SM3 of every file), or use crypto/aead.ts.
 */
import { randomBytes } from "node:crypto";
import { invalid, ShuyuError } from "../../policies/errors.js";
import {
  type Asn1, algorithm, decodeDer, encodeDer, explicit, implicitPrimitive, int, intFromBytes, isContext, octets, oid, readAlgorithm,
  readContext, readImplicitOctets, readInt, readIntBytes, readOctets, readOid, readSeq, readSet, seq, setOf,
} from "../der.js";
import { looksLikePem, pemBlocks } from "../keys/pem.js";
import { decodeSpki } from "../keys/spki.js";
import { OID } from "../oids.js";
import { decrypt, encrypt, publicKeyFromPrivate } from "../sm2/index.js";
import { sm3 } from "../sm3.js";
import { sm4CbcDecrypt, sm4CbcEncrypt } from "../sm4.js";
import { parseCertificate } from "../x509/certificate.js";

/** A recipient: a 65-byte public key, an SPKI/certificate (DER or PEM), or an explicit choice. */
export type EnvelopeRecipient = Uint8Array | string | { publicKey: Uint8Array } | { certificate: Uint8Array | string };

interface ResolvedRecipient {
  publicKey: Uint8Array;
  rid: Asn1;
  version: number;
}

const COORD_BYTES = 32;

/** Subject key identifier used for bare-key recipients. */
export function keyIdentifier(publicKey: Uint8Array): Uint8Array {
  return sm3(publicKey).subarray(0, 20);
}

function byCertificate(cert: Uint8Array | string): ResolvedRecipient {
  const c = parseCertificate(cert);
  return { publicKey: c.publicKey, rid: seq(decodeDer(c.issuerNameDer, "issuer"), intFromBytes(c.serialNumberBytes)), version: 0 };
}

function byKey(publicKey: Uint8Array): ResolvedRecipient {
  return { publicKey, rid: implicitPrimitive(0, keyIdentifier(publicKey)), version: 2 };
}

function resolve(r: EnvelopeRecipient): ResolvedRecipient {
  if (typeof r === "object" && !(r instanceof Uint8Array)) return "publicKey" in r ? byKey(r.publicKey) : byCertificate(r.certificate);
  if (looksLikePem(r)) {
    const blocks = pemBlocks(typeof r === "string" ? r : Buffer.from(r).toString("latin1"));
    const cert = blocks.find((b) => b.label === "CERTIFICATE");
    if (cert) return byCertificate(cert.der);
    const pub = blocks.find((b) => b.label === "PUBLIC KEY");
    if (pub) return byKey(decodeSpki(pub.der));
    throw invalid("RECIPIENT_INVALID", "the recipient PEM holds neither a CERTIFICATE nor a PUBLIC KEY");
  }
  if (typeof r === "string") throw invalid("RECIPIENT_INVALID", "a recipient string must be PEM");
  if (r.length === 65 && r[0] === 0x04) return byKey(r);
  const outer = readSeq(decodeDer(r, "recipient"), "recipient", 2);
  return outer.length === 2 ? byKey(decodeSpki(r)) : byCertificate(r);
}

/** GM/T 0009 SM2Cipher { x, y INTEGER, hash OCTET STRING, ciphertext OCTET STRING } from C1||C3||C2. */
function toSm2Cipher(c1c3c2: Uint8Array): Uint8Array {
  const x = BigInt("0x" + Buffer.from(c1c3c2.subarray(1, 33)).toString("hex"));
  const y = BigInt("0x" + Buffer.from(c1c3c2.subarray(33, 65)).toString("hex"));
  return encodeDer(seq(int(x), int(y), octets(c1c3c2.subarray(65, 97)), octets(c1c3c2.subarray(97))));
}

function fromSm2Cipher(der: Uint8Array): Uint8Array {
  const [xn, yn, hn, cn] = readSeq(decodeDer(der, "SM2Cipher"), "SM2Cipher", 4);
  const coord = (v: bigint): Buffer => {
    const hex = v.toString(16).padStart(COORD_BYTES * 2, "0");
    if (hex.length !== COORD_BYTES * 2) throw invalid("ENVELOPE_INVALID", "SM2Cipher coordinate longer than 32 bytes");
    return Buffer.from(hex, "hex");
  };
  return Buffer.concat([Buffer.of(4), coord(readInt(xn, "SM2Cipher x")), coord(readInt(yn, "SM2Cipher y")), readOctets(hn, "SM2Cipher hash"), readOctets(cn, "SM2Cipher ciphertext")]);
}

/** Encrypts content to one or more recipients; returns a DER ContentInfo holding EnvelopedData. */
export function envelope(content: Uint8Array, recipients: EnvelopeRecipient | EnvelopeRecipient[]): Uint8Array {
  const list = (Array.isArray(recipients) ? recipients : [recipients]).map(resolve);
  if (list.length === 0) throw invalid("RECIPIENT_INVALID", "an envelope needs at least one recipient");
  const key = randomBytes(16);
  const iv = randomBytes(16);
  const infos = list.map((r) =>
    seq(int(r.version), r.rid, algorithm(OID.sm2Encrypt), octets(toSm2Cipher(encrypt(key, r.publicKey, { mode: "C1C3C2" })))),
  );
  const eci = seq(oid(OID.gmData), algorithm(OID.sm4Cbc, octets(iv)), implicitPrimitive(0, sm4CbcEncrypt(key, iv, content)));
  const versionAll = list.some((r) => r.version === 2) ? 2 : 0;
  return encodeDer(seq(oid(OID.gmEnvelopedData), explicit(0, seq(int(versionAll), setOf(...infos), eci))));
}

interface ParsedRecipientInfo {
  keyId?: Buffer;
  issuerAndSerial?: { issuer: Buffer; serial: Buffer };
  encryptedKey: Uint8Array;
}

function parseRecipientInfo(node: Asn1): ParsedRecipientInfo {
  const [, rid, algNode, keyNode] = readSeq(node, "RecipientInfo", 4);
  const alg = readAlgorithm(algNode, "key encryption algorithm").oid;
  if (alg !== OID.sm2Encrypt && alg !== OID.sm2) throw invalid("ENVELOPE_INVALID", `key encryption algorithm ${alg} is not SM2`, { algorithm: alg });
  const encryptedKey = readOctets(keyNode, "encrypted key");
  if (isContext(rid, 0)) return { keyId: Buffer.from(readImplicitOctets(rid, 0, "subjectKeyIdentifier")), encryptedKey };
  const [issuer, serial] = readSeq(rid, "issuerAndSerialNumber", 2);
  return { issuerAndSerial: { issuer: Buffer.from(encodeDer(issuer)), serial: Buffer.from(readIntBytes(serial, "serial number")) }, encryptedKey };
}

/**
 * Decrypts an EnvelopedData with the recipient's private key. The recipient's certificate
 * (optional) picks its entry directly when recipients are named by issuer and serial number.
 */
export function openEnvelope(der: Uint8Array, privateKey: Uint8Array, opts: { certificate?: Uint8Array | string } = {}): Uint8Array {
  const [typeNode, wrapped] = readSeq(decodeDer(der, "EnvelopedData"), "ContentInfo", 2);
  if (readOid(typeNode, "content type") !== OID.gmEnvelopedData) throw invalid("ENVELOPE_INVALID", "not a GM/T 0010 EnvelopedData");
  const [, infosNode, eciNode] = readSeq(readContext(wrapped, 0, "EnvelopedData")[0], "EnvelopedData", 3);
  const infos = readSet(infosNode, "recipientInfos").map(parseRecipientInfo);
  const myKeyId = Buffer.from(keyIdentifier(publicKeyFromPrivate(privateKey)));
  const cert = opts.certificate ? parseCertificate(opts.certificate) : undefined;
  const named = infos.filter(
    (i) =>
      (i.keyId && i.keyId.equals(myKeyId)) ||
      (cert && i.issuerAndSerial && i.issuerAndSerial.issuer.equals(Buffer.from(cert.issuerNameDer)) && i.issuerAndSerial.serial.equals(Buffer.from(cert.serialNumberBytes))),
  );
  // Entries addressed by a certificate we were not given are tried too: SM2 decryption
  // checks its C3 hash, so a wrong entry fails cleanly instead of yielding a wrong key.
  const candidates = named.length > 0 ? named : infos.filter((i) => i.issuerAndSerial);
  if (candidates.length === 0) throw invalid("ENVELOPE_NOT_FOR_KEY", "the envelope has no recipient entry for this key");
  let key: Uint8Array | undefined;
  for (const candidate of candidates) {
    try {
      key = decrypt(fromSm2Cipher(candidate.encryptedKey), privateKey, { mode: "C1C3C2" });
      break;
    } catch {
      // try the next entry
    }
  }
  if (!key) {
    throw invalid(named.length > 0 ? "ENVELOPE_DECRYPT_FAILED" : "ENVELOPE_NOT_FOR_KEY", named.length > 0
      ? "the content key does not decrypt with this private key (changed envelope)"
      : "no recipient entry of the envelope decrypts with this private key");
  }
  if (key.length !== 16) throw invalid("ENVELOPE_INVALID", `the content key is ${key.length} bytes, not 16`);
  const [ctNode, ceaNode, encNode] = readSeq(eciNode, "EncryptedContentInfo", 3);
  if (readOid(ctNode, "content type") !== OID.gmData) throw invalid("ENVELOPE_INVALID", "encrypted content is not GM/T 0010 data");
  const cea = readAlgorithm(ceaNode, "content encryption algorithm");
  if (cea.oid !== OID.sm4Cbc) throw invalid("ENVELOPE_INVALID", `content encryption ${cea.oid} is not SM4-CBC`, { algorithm: cea.oid });
  const iv = readOctets(cea.params, "SM4-CBC IV");
  try {
    return sm4CbcDecrypt(key, iv, readImplicitOctets(encNode, 0, "encrypted content"));
  } catch (err) {
    if (err instanceof ShuyuError) throw invalid("ENVELOPE_DECRYPT_FAILED", "the content does not decrypt (changed envelope)");
    throw err;
  }
}
