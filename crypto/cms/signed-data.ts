/**
 * GM/T 0010 SignedData (the PKCS#7 v1.5 shape with SM2/SM3 OIDs): one signer, SM3 digest,
 * authenticated attributes contentType + signingTime + messageDigest, the signer's
 * certificate included, content attached or detached. Verification needs nothing but the
 * DER (and the content when detached).
 */
import { invalid, ShuyuError } from "../../policies/errors.js";
import {
  type Asn1, ASN1_CLASS, ASN1_TYPE, algorithm, decodeDer, encodeDer, explicit, implicitConstructed, int, intFromBytes, isContext, octets, oid, readAlgorithm, readContext, readInt,
  readIntBytes, readOctets, readOid, readSeq, readSet, readTime, seq, setOf, time,
} from "../der.js";
import { OID } from "../oids.js";
import { publicKeyFromPrivate, SM2_DEFAULT_ID, sign, verify } from "../sm2/index.js";
import { sm3 } from "../sm3.js";
import { type ParsedCertificate, parseCertificate, verifyCertificate } from "../x509/certificate.js";

export interface SignOptions {
  /** The signer's 32-byte SM2 private key. */
  privateKey: Uint8Array;
  /** The signer's certificate (DER or PEM); its key must match `privateKey`. */
  certificate: Uint8Array | string;
  /** Leave the content out of the SignedData (the verifier supplies it). */
  detached?: boolean;
  /** Defaults to now. */
  signingTime?: Date;
  /** SM2 signer ID; defaults to "1234567812345678". */
  id?: string;
}

export interface VerifiedSignedData {
  signer: { subject: string; commonName: string; organization?: string; serialNumber: string; issuer: string; publicKey: Uint8Array };
  signingTime: Date;
  content: Uint8Array;
  certificate: ParsedCertificate;
}

export interface VerifyOptions {
  /** The content, required for detached signatures (and checked against an attached one). */
  content?: Uint8Array;
  /** When given, the signer certificate's public key must equal this key. */
  trustedPublicKey?: Uint8Array;
  id?: string;
}

const SIGNATURE_OIDS = new Set<string>([OID.sm2Sign, OID.sm2WithSm3, OID.sm2]);

function attribute(type: string, value: Asn1): Asn1 {
  return seq(oid(type), setOf(value));
}

/** Signs content; returns a DER ContentInfo holding GM/T 0010 SignedData. */
export function signData(content: Uint8Array, opts: SignOptions): Uint8Array {
  const cert = parseCertificate(opts.certificate);
  const id = opts.id ?? SM2_DEFAULT_ID;
  const signingTime = opts.signingTime ?? new Date();
  const attrs = setOf(
    attribute(OID.contentType, oid(OID.gmData)),
    attribute(OID.signingTime, time(signingTime)),
    attribute(OID.messageDigest, octets(sm3(content))),
  );
  if (!Buffer.from(publicKeyFromPrivate(opts.privateKey)).equals(Buffer.from(cert.publicKey))) {
    throw invalid("KEY_CERT_MISMATCH", `the private key does not belong to certificate '${cert.subject.text}'`);
  }
  // The signature covers the attributes encoded as a universal SET (RFC 5652 §5.4).
  const signature = sign(encodeDer(attrs), opts.privateKey, { id, publicKey: cert.publicKey });
  const signerInfo = seq(
    int(1),
    seq(decodeDer(cert.issuerNameDer, "issuer"), intFromBytes(cert.serialNumberBytes)),
    algorithm(OID.sm3),
    implicitConstructed(0, attrs.value as Asn1[]),
    algorithm(OID.sm2Sign),
    octets(signature),
  );
  const encap = opts.detached ? seq(oid(OID.gmData)) : seq(oid(OID.gmData), explicit(0, octets(content)));
  const signedData = seq(
    int(1),
    setOf(algorithm(OID.sm3)),
    encap,
    implicitConstructed(0, [decodeDer(cert.der, "certificate")]),
    setOf(signerInfo),
  );
  return encodeDer(seq(oid(OID.gmSignedData), explicit(0, signedData)));
}

function reject(what: string, message: string): never {
  throw invalid("SIGNATURE_INVALID", `signature rejected: ${message}`, { what });
}

/**
 * Verifies a SignedData: structure, message digest, SM2 signature over the attributes,
 * the signer certificate's self-signature and its validity at signing time.
 * Throws SIGNATURE_INVALID (details.what names the failed part).
 */
export function verifySignedData(der: Uint8Array, opts: VerifyOptions = {}): VerifiedSignedData {
  try {
    return verifyUnwrapped(der, opts);
  } catch (err) {
    if (err instanceof ShuyuError && err.code !== "SIGNATURE_INVALID" && err.code !== "CONTENT_REQUIRED") {
      throw invalid("SIGNATURE_INVALID", `signature rejected: ${err.message}`, { what: err.code, ...err.details });
    }
    throw err;
  }
}

function verifyUnwrapped(der: Uint8Array, opts: VerifyOptions): VerifiedSignedData {
  const [typeNode, wrapped] = readSeq(decodeDer(der, "SignedData"), "ContentInfo", 2);
  if (readOid(typeNode, "content type") !== OID.gmSignedData) reject("content type", "not a GM/T 0010 SignedData");
  const items = readSeq(readContext(wrapped, 0, "SignedData")[0], "SignedData", 4);
  if (readInt(items[0], "SignedData version") !== 1n) reject("version", "SignedData version must be 1");
  const digestAlgs = readSet(items[1], "digestAlgorithms").map((n) => readAlgorithm(n, "digest algorithm").oid);
  if (!digestAlgs.every((a) => a === OID.sm3)) reject("digest algorithm", "only SM3 is accepted");
  const encap = readSeq(items[2], "contentInfo", 1);
  if (readOid(encap[0], "content type") !== OID.gmData) reject("content type", "encapsulated content is not GM/T 0010 data");
  const attached = encap[1] ? readOctets(readContext(encap[1], 0, "content")[0], "content") : undefined;
  let content: Uint8Array;
  if (attached && opts.content && !Buffer.from(attached).equals(Buffer.from(opts.content))) reject("content", "the supplied content differs from the attached content");
  if (attached) content = attached;
  else if (opts.content) content = opts.content;
  else throw invalid("CONTENT_REQUIRED", "the signature is detached: supply the signed content");

  let rest = items.slice(3);
  if (!isContext(rest[0], 0)) reject("certificate", "the signer certificate is not included");
  const certs = readContext(rest[0], 0, "certificates").map((n) => parseCertificate(encodeDer(n)));
  rest = rest.slice(1);
  if (isContext(rest[0], 1)) rest = rest.slice(1); // CRLs: ignored
  const signerInfos = readSet(rest[0], "signerInfos");
  if (rest.length !== 1 || signerInfos.length !== 1) reject("signer", "exactly one signer is expected");

  const si = readSeq(signerInfos[0], "SignerInfo", 6);
  if (readInt(si[0], "SignerInfo version") !== 1n) reject("signer", "SignerInfo version must be 1");
  const [issuerNode, serialNode] = readSeq(si[1], "issuerAndSerialNumber", 2);
  const issuerDer = Buffer.from(encodeDer(issuerNode));
  const serial = Buffer.from(readIntBytes(serialNode, "serial number"));
  const cert = certs.find((c) => issuerDer.equals(Buffer.from(c.issuerNameDer)) && serial.equals(Buffer.from(c.serialNumberBytes)));
  if (!cert) reject("certificate", "no included certificate matches the signer's issuer and serial number");
  if (readAlgorithm(si[2], "digest algorithm").oid !== OID.sm3) reject("digest algorithm", "the signer's digest algorithm is not SM3");
  const attrNodes = readContext(si[3], 0, "authenticated attributes");
  const sigAlg = readAlgorithm(si[4], "signature algorithm").oid;
  if (!SIGNATURE_OIDS.has(sigAlg)) reject("signature algorithm", `signature algorithm ${sigAlg} is not SM2`);
  const signature = readOctets(si[5], "signature");

  const attrs = new Map<string, Asn1>();
  for (const a of attrNodes) {
    const [t, values] = readSeq(a, "attribute", 2);
    const type = readOid(t, "attribute type");
    const vs = readSet(values, "attribute values");
    if (vs.length !== 1 || attrs.has(type)) reject("attributes", `attribute ${type} must occur once with one value`);
    attrs.set(type, vs[0]);
  }
  const ct = attrs.get(OID.contentType);
  if (!ct || readOid(ct, "contentType attribute") !== OID.gmData) reject("content type", "the contentType attribute is missing or not data");
  const md = attrs.get(OID.messageDigest);
  if (!md || !Buffer.from(readOctets(md, "messageDigest")).equals(Buffer.from(sm3(content)))) {
    reject("message digest", "the content's SM3 digest does not match the signed digest (content changed)");
  }
  const st = attrs.get(OID.signingTime);
  if (!st) reject("signing time", "the signingTime attribute is missing");
  const signingTime = readTime(st, "signingTime");

  const signedBytes = encodeDer({ ...si[3], tagClass: ASN1_CLASS.UNIVERSAL, type: ASN1_TYPE.SET });
  if (!verify(signedBytes, signature, cert.publicKey, { id: opts.id ?? SM2_DEFAULT_ID })) reject("signature", "the SM2 signature over the signed attributes does not verify");
  try {
    verifyCertificate(cert, { at: signingTime });
  } catch (err) {
    reject("certificate", (err as Error).message);
  }
  if (opts.trustedPublicKey && !Buffer.from(opts.trustedPublicKey).equals(Buffer.from(cert.publicKey))) {
    reject("signer", `the signer '${cert.subject.text}' is not the trusted key`);
  }
  return {
    signer: {
      subject: cert.subject.text,
      commonName: cert.subject.commonName,
      organization: cert.subject.organization,
      serialNumber: cert.serialNumber,
      issuer: cert.issuer.text,
      publicKey: cert.publicKey,
    },
    signingTime,
    content,
    certificate: cert,
  };
}
