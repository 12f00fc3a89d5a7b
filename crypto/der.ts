/**
 * DER building and reading on top of node-forge's ASN.1 (which works on binary strings).
 * Decoding is strict: the input must be canonical DER, so a verifier re-encoding a
 * signed structure signs over exactly the bytes it received.
 */
import forge from "node-forge";
import { invalid } from "../policies/errors.js";

const { asn1 } = forge;
export type Asn1 = forge.asn1.Asn1;
const T = asn1.Type;
const C = asn1.Class;

/** Bytes to the binary (latin1) string forge works with. */
export function toBinary(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

/** forge's binary string back to bytes. */
export function fromBinary(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, "latin1"));
}

/** Encodes a node to DER bytes. */
export function encodeDer(node: Asn1): Uint8Array {
  return fromBinary(asn1.toDer(node).getBytes());
}

/** Parses canonical DER; anything else (BER, trailing bytes, garbage) is an invalid-input error naming `what`. */
export function decodeDer(bytes: Uint8Array, what: string): Asn1 {
  let node: Asn1;
  try {
    const fromDer = asn1.fromDer as unknown as (b: string, o: object) => Asn1;
    node = fromDer(toBinary(bytes), { strict: true, parseAllBytes: true, decodeBitStrings: false });
  } catch (err) {
    throw invalid("DER_INVALID", `${what} is not valid DER: ${(err as Error).message}`, { what });
  }
  if (Buffer.compare(Buffer.from(encodeDer(node)), Buffer.from(bytes)) !== 0) {
    throw invalid("DER_INVALID", `${what} is not canonical DER (BER or non-minimal encodings are refused)`, { what });
  }
  return node;
}

// ---- builders ----

/** SEQUENCE of the given nodes. */
export function seq(...items: Asn1[]): Asn1 {
  return asn1.create(C.UNIVERSAL, T.SEQUENCE, true, items);
}

/** SET OF, sorted by encoding as DER requires. */
export function setOf(...items: Asn1[]): Asn1 {
  const sorted = items
    .map((n) => ({ n, d: Buffer.from(encodeDer(n)) }))
    .sort((a, b) => Buffer.compare(a.d, b.d))
    .map((x) => x.n);
  return asn1.create(C.UNIVERSAL, T.SET, true, sorted);
}

/** OBJECT IDENTIFIER from dotted form. */
export function oid(dotted: string): Asn1 {
  return asn1.create(C.UNIVERSAL, T.OID, false, asn1.oidToDer(dotted).getBytes());
}

/** INTEGER from a non-negative bigint or number. */
export function int(value: bigint | number): Asn1 {
  let v = BigInt(value);
  if (v < 0n) throw new RangeError("negative INTEGER not supported");
  const bytes: number[] = [];
  do {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  } while (v > 0n);
  if (bytes[0] & 0x80) bytes.unshift(0);
  return asn1.create(C.UNIVERSAL, T.INTEGER, false, String.fromCharCode(...bytes));
}

/** INTEGER from its raw content bytes (serial numbers copied as they are). */
export function intFromBytes(content: Uint8Array): Asn1 {
  return asn1.create(C.UNIVERSAL, T.INTEGER, false, toBinary(content));
}

/** OCTET STRING. */
export function octets(bytes: Uint8Array): Asn1 {
  return asn1.create(C.UNIVERSAL, T.OCTETSTRING, false, toBinary(bytes));
}

/** BIT STRING with no unused bits. */
export function bitString(bytes: Uint8Array): Asn1 {
  return asn1.create(C.UNIVERSAL, T.BITSTRING, false, "\x00" + toBinary(bytes));
}

/** NULL. */
export function nullValue(): Asn1 {
  return asn1.create(C.UNIVERSAL, T.NULL, false, "");
}

/** UTF8String. */
export function utf8(text: string): Asn1 {
  return asn1.create(C.UNIVERSAL, T.UTF8, false, forge.util.encodeUtf8(text));
}

/** PrintableString (caller keeps to its character set). */
export function printable(text: string): Asn1 {
  return asn1.create(C.UNIVERSAL, T.PRINTABLESTRING, false, text);
}

/** X.509/CMS Time: UTCTime up to 2049, GeneralizedTime after (RFC 5280 §4.1.2.5). */
export function time(date: Date): Asn1 {
  const whole = new Date(Math.floor(date.getTime() / 1000) * 1000);
  if (whole.getUTCFullYear() < 2050) return asn1.create(C.UNIVERSAL, T.UTCTIME, false, asn1.dateToUtcTime(whole));
  return asn1.create(C.UNIVERSAL, T.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(whole));
}

/** Context-specific tag [n]: explicit wraps `items`, implicit retags a primitive value. */
export function explicit(n: number, ...items: Asn1[]): Asn1 {
  return asn1.create(C.CONTEXT_SPECIFIC, n, true, items);
}

/** [n] IMPLICIT primitive with raw content bytes. */
export function implicitPrimitive(n: number, content: Uint8Array): Asn1 {
  return asn1.create(C.CONTEXT_SPECIFIC, n, false, toBinary(content));
}

/** [n] IMPLICIT constructed (e.g. `[0] IMPLICIT SET OF`). */
export function implicitConstructed(n: number, items: Asn1[]): Asn1 {
  return asn1.create(C.CONTEXT_SPECIFIC, n, true, items);
}

/** AlgorithmIdentifier with optional parameters. */
export function algorithm(dotted: string, params?: Asn1): Asn1 {
  return params ? seq(oid(dotted), params) : seq(oid(dotted));
}

// ---- readers (each throws an invalid-input error naming the structure) ----

function fail(what: string, expected: string): never {
  throw invalid("DER_STRUCTURE", `${what}: expected ${expected}`, { what, expected });
}

/** True when the node is the universal type given. */
export function isUniversal(node: Asn1 | undefined, type: number): boolean {
  return node !== undefined && node.tagClass === C.UNIVERSAL && node.type === type;
}

/** True when the node is the context-specific tag [n]. */
export function isContext(node: Asn1 | undefined, n: number): boolean {
  return node !== undefined && node.tagClass === C.CONTEXT_SPECIFIC && node.type === n;
}

/** Children of a SEQUENCE, with a minimum count. */
export function readSeq(node: Asn1 | undefined, what: string, min = 0): Asn1[] {
  if (!isUniversal(node, T.SEQUENCE) || !Array.isArray(node!.value)) fail(what, "SEQUENCE");
  const items = node!.value as Asn1[];
  if (items.length < min) fail(what, `SEQUENCE of at least ${min} elements`);
  return items;
}

/** Children of a SET. */
export function readSet(node: Asn1 | undefined, what: string): Asn1[] {
  if (!isUniversal(node, T.SET) || !Array.isArray(node!.value)) fail(what, "SET");
  return node!.value as Asn1[];
}

/** Children of a constructed context tag [n]. */
export function readContext(node: Asn1 | undefined, n: number, what: string): Asn1[] {
  if (!isContext(node, n) || !Array.isArray(node!.value)) fail(what, `[${n}] constructed`);
  return node!.value as Asn1[];
}

/** Dotted OID. */
export function readOid(node: Asn1 | undefined, what: string): string {
  if (!isUniversal(node, T.OID) || typeof node!.value !== "string") fail(what, "OBJECT IDENTIFIER");
  return asn1.derToOid(node!.value as string);
}

/** Non-negative INTEGER as bigint. */
export function readInt(node: Asn1 | undefined, what: string): bigint {
  if (!isUniversal(node, T.INTEGER) || typeof node!.value !== "string" || node!.value.length === 0) fail(what, "INTEGER");
  const raw = fromBinary(node!.value as string);
  if (raw[0] & 0x80) fail(what, "non-negative INTEGER");
  return BigInt("0x" + (Buffer.from(raw).toString("hex") || "0"));
}

/** Raw content bytes of an INTEGER (for serial numbers kept as they are). */
export function readIntBytes(node: Asn1 | undefined, what: string): Uint8Array {
  if (!isUniversal(node, T.INTEGER) || typeof node!.value !== "string") fail(what, "INTEGER");
  return fromBinary(node!.value as string);
}

/** OCTET STRING content. */
export function readOctets(node: Asn1 | undefined, what: string): Uint8Array {
  if (!isUniversal(node, T.OCTETSTRING) || typeof node!.value !== "string") fail(what, "OCTET STRING");
  return fromBinary(node!.value as string);
}

/** Content of a primitive [n] IMPLICIT OCTET STRING. */
export function readImplicitOctets(node: Asn1 | undefined, n: number, what: string): Uint8Array {
  if (!isContext(node, n) || typeof node!.value !== "string") fail(what, `[${n}] IMPLICIT OCTET STRING`);
  return fromBinary(node!.value as string);
}

/** BIT STRING content, which must have no unused bits. */
export function readBitString(node: Asn1 | undefined, what: string): Uint8Array {
  if (!isUniversal(node, T.BITSTRING) || typeof node!.value !== "string") fail(what, "BIT STRING");
  const raw = fromBinary(node!.value as string);
  if (raw.length < 1 || raw[0] !== 0) fail(what, "BIT STRING without unused bits");
  return raw.subarray(1);
}

/** UTCTime or GeneralizedTime as a Date. */
export function readTime(node: Asn1 | undefined, what: string): Date {
  if (isUniversal(node, T.UTCTIME)) return asn1.utcTimeToDate(node!.value as string);
  if (isUniversal(node, T.GENERALIZEDTIME)) return asn1.generalizedTimeToDate(node!.value as string);
  return fail(what, "UTCTime or GeneralizedTime");
}

/** Any directory-string-like value as text. */
export function readText(node: Asn1 | undefined, what: string): string {
  if (!node || node.tagClass !== C.UNIVERSAL || typeof node.value !== "string") fail(what, "string");
  return node.type === T.UTF8 ? forge.util.decodeUtf8(node.value as string) : (node.value as string);
}

/** AlgorithmIdentifier: its OID and optional parameters node. */
export function readAlgorithm(node: Asn1 | undefined, what: string): { oid: string; params?: Asn1 } {
  const items = readSeq(node, what, 1);
  if (items.length > 2) fail(what, "AlgorithmIdentifier");
  return { oid: readOid(items[0], `${what}.algorithm`), params: items[1] };
}

export const ASN1_TYPE = T;
export const ASN1_CLASS = C;
