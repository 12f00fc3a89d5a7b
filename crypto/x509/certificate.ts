/**
 * Self-signed X.509 v3 certificates for SM2 keys (signature sm2sign-with-sm3, OID
 * 1.2.156.10197.1.501, signer ID "1234567812345678"), built and parsed with forge's ASN.1.
 * The domain's seal certificate is one of these.
 */
import { randomBytes } from "node:crypto";
import { invalid } from "../../policies/errors.js";
import {
  type Asn1, ASN1_TYPE, algorithm, bitString, decodeDer, encodeDer, explicit, int, isContext, octets, oid, printable,
  readAlgorithm, readBitString, readContext, readIntBytes, readOid, readSeq, readSet, readText, readTime, seq, setOf, time, utf8,
} from "../der.js";
import { publicKeyFromSpkiNode, spkiNode } from "../keys/spki.js";
import { fromPem, looksLikePem, toPem } from "../keys/pem.js";
import { OID } from "../oids.js";
import { publicKeyFromPrivate, SM2_DEFAULT_ID, sign, verify } from "../sm2/index.js";
import { sm3 } from "../sm3.js";
import forge from "node-forge";

/** A distinguished name as the fields shuyu uses. */
export interface DistinguishedName {
  commonName: string;
  organization?: string;
  organizationalUnit?: string;
  /** Two-letter ISO 3166 code, e.g. "CN". */
  country?: string;
}

export interface CertificateOptions {
  subject: DistinguishedName;
  privateKey: Uint8Array;
  publicKey: Uint8Array;
  /** Validity start; defaults to now. */
  notBefore?: Date;
  /** Validity length in days; defaults to 3 years (an agreement's longest term). */
  days?: number;
  /** Serial number; defaults to 16 random bytes. */
  serialNumber?: bigint;
}

export interface ParsedCertificate {
  der: Uint8Array;
  serialNumber: string; // lower-case hex of the INTEGER's content
  subject: DistinguishedName & { text: string };
  issuer: DistinguishedName & { text: string };
  notBefore: Date;
  notAfter: Date;
  publicKey: Uint8Array;
  signatureAlgorithm: string;
  tbs: Uint8Array;
  signature: Uint8Array;
  /** The DER of the issuer and subject Name nodes (for CMS issuerAndSerialNumber). */
  issuerNameDer: Uint8Array;
  serialNumberBytes: Uint8Array;
}

const ATTRS: [keyof DistinguishedName, string, string][] = [
  ["country", OID.country, "C"],
  ["organization", OID.organization, "O"],
  ["organizationalUnit", OID.organizationalUnit, "OU"],
  ["commonName", OID.commonName, "CN"],
];

function nameNode(dn: DistinguishedName): Asn1 {
  const rdns: Asn1[] = [];
  for (const [field, attrOid] of ATTRS) {
    const value = dn[field];
    if (value === undefined) continue;
    if (field === "country" && !/^[A-Z]{2}$/.test(value)) throw invalid("CERT_SUBJECT_INVALID", `country must be two capital letters; got '${value}'`);
    rdns.push(setOf(seq(oid(attrOid), field === "country" ? printable(value) : utf8(value))));
  }
  if (!dn.commonName) throw invalid("CERT_SUBJECT_INVALID", "the certificate subject needs a commonName");
  return seq(...rdns);
}

function readName(node: Asn1, what: string): DistinguishedName & { text: string } {
  const out: Record<string, string> = {};
  const parts: string[] = [];
  for (const rdn of readSeq(node, what)) {
    for (const atv of readSet(rdn, `${what} RDN`)) {
      const [typeNode, valueNode] = readSeq(atv, `${what} attribute`, 2);
      const type = readOid(typeNode, `${what} attribute type`);
      const value = readText(valueNode, `${what} attribute value`);
      const known = ATTRS.find((a) => a[1] === type);
      if (known) out[known[0]] = value;
      parts.push(`${known ? known[2] : type}=${value}`);
    }
  }
  return { ...(out as unknown as DistinguishedName), commonName: out.commonName ?? "", text: parts.join(", ") };
}

function extension(extOid: string, critical: boolean, value: Asn1): Asn1 {
  const items = [oid(extOid)];
  if (critical) items.push(forge.asn1.create(forge.asn1.Class.UNIVERSAL, ASN1_TYPE.BOOLEAN, false, "\xff"));
  items.push(octets(encodeDer(value)));
  return seq(...items);
}

/** keyUsage bits: digitalSignature(0), nonRepudiation(1), keyCertSign(5) — a seal that is its own root. */
function keyUsageNode(): Asn1 {
  const bits = 0b1100_0100;
  return forge.asn1.create(forge.asn1.Class.UNIVERSAL, ASN1_TYPE.BITSTRING, false, String.fromCharCode(2, bits));
}

/** Builds and self-signs a certificate; returns its DER. */
export function createSelfSignedCertificate(opts: CertificateOptions): Uint8Array {
  if (!Buffer.from(publicKeyFromPrivate(opts.privateKey)).equals(Buffer.from(opts.publicKey))) {
    throw invalid("KEY_MISMATCH", "the certificate's public key does not belong to the signing private key");
  }
  const notBefore = opts.notBefore ?? new Date();
  const days = opts.days ?? 3 * 365;
  if (!(days > 0)) throw invalid("CERT_VALIDITY_INVALID", "certificate validity must be a positive number of days");
  const notAfter = new Date(notBefore.getTime() + days * 86_400_000);
  const serial = opts.serialNumber ?? BigInt("0x" + randomBytes(16).toString("hex")) | 1n;
  const name = nameNode(opts.subject);
  const keyId = sm3(opts.publicKey).subarray(0, 20);
  const basicConstraints = seq(forge.asn1.create(forge.asn1.Class.UNIVERSAL, ASN1_TYPE.BOOLEAN, false, "\xff"));
  const tbs = seq(
    explicit(0, int(2)),
    int(serial),
    algorithm(OID.sm2WithSm3),
    name,
    seq(time(notBefore), time(notAfter)),
    name,
    spkiNode(opts.publicKey),
    explicit(3, seq(
      extension(OID.basicConstraints, true, basicConstraints),
      extension(OID.keyUsage, true, keyUsageNode()),
      extension(OID.subjectKeyIdentifier, false, octets(keyId)),
    )),
  );
  const tbsDer = encodeDer(tbs);
  const signature = sign(tbsDer, opts.privateKey, { id: SM2_DEFAULT_ID, publicKey: opts.publicKey });
  return encodeDer(seq(tbs, algorithm(OID.sm2WithSm3), bitString(signature)));
}

/** PEM ("CERTIFICATE") for certificate DER. */
export function certificateToPem(der: Uint8Array): string {
  return toPem(der, "CERTIFICATE");
}

/** Parses a certificate from DER or PEM; only SM2 subject keys are accepted. */
export function parseCertificate(data: Uint8Array | string): ParsedCertificate {
  let der: Uint8Array;
  if (looksLikePem(data)) der = fromPem(typeof data === "string" ? data : Buffer.from(data).toString("latin1"), ["CERTIFICATE"], "certificate").der;
  else if (typeof data === "string") throw invalid("PEM_INVALID", "certificate text holds no PEM block");
  else der = data;
  const [tbsNode, sigAlgNode, sigNode] = readSeq(decodeDer(der, "certificate"), "Certificate", 3);
  const tbsItems = readSeq(tbsNode, "TBSCertificate", 6);
  let i = 0;
  if (isContext(tbsItems[0], 0)) {
    readContext(tbsItems[0], 0, "certificate version");
    i = 1;
  }
  const serialNumberBytes = readIntBytes(tbsItems[i], "serial number");
  const innerAlg = readAlgorithm(tbsItems[i + 1], "TBS signature algorithm").oid;
  const issuer = readName(tbsItems[i + 2], "issuer");
  const [nb, na] = readSeq(tbsItems[i + 3], "validity", 2);
  const subject = readName(tbsItems[i + 4], "subject");
  const publicKey = publicKeyFromSpkiNode(tbsItems[i + 5], "certificate public key");
  const signatureAlgorithm = readAlgorithm(sigAlgNode, "signature algorithm").oid;
  if (innerAlg !== signatureAlgorithm) throw invalid("CERT_INVALID", "the certificate's two signature algorithm fields differ");
  return {
    der,
    serialNumber: Buffer.from(serialNumberBytes).toString("hex"),
    serialNumberBytes,
    subject,
    issuer,
    notBefore: readTime(nb, "notBefore"),
    notAfter: readTime(na, "notAfter"),
    publicKey,
    signatureAlgorithm,
    tbs: encodeDer(tbsNode),
    signature: readBitString(sigNode, "certificate signature"),
    issuerNameDer: encodeDer(tbsItems[i + 2]),
  };
}

/**
 * Verifies a certificate's signature (self-signed unless an issuer key is given) and,
 * when `at` is given, that it is within its validity. Throws CERT_INVALID / CERT_EXPIRED.
 */
export function verifyCertificate(cert: ParsedCertificate, opts: { issuerPublicKey?: Uint8Array; at?: Date } = {}): void {
  if (cert.signatureAlgorithm !== OID.sm2WithSm3) {
    throw invalid("CERT_INVALID", `certificate signature algorithm ${cert.signatureAlgorithm} is not SM2-with-SM3`, { algorithm: cert.signatureAlgorithm });
  }
  const key = opts.issuerPublicKey ?? cert.publicKey;
  if (!verify(cert.tbs, cert.signature, key, { id: SM2_DEFAULT_ID })) {
    throw invalid("CERT_INVALID", `the signature on certificate '${cert.subject.text}' does not verify`, { serialNumber: cert.serialNumber });
  }
  if (opts.at && (opts.at < cert.notBefore || opts.at > cert.notAfter)) {
    throw invalid("CERT_EXPIRED", `certificate '${cert.subject.text}' is valid from ${cert.notBefore.toISOString()} to ${cert.notAfter.toISOString()}, not at ${opts.at.toISOString()}`, {
      serialNumber: cert.serialNumber,
    });
  }
}

