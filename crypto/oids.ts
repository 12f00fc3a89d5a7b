/**
 * Object identifiers used by the SM2/SM3/SM4 formats (GM/T 0006 registry, GM/T 0010
 * message syntax, RFC 5280/5652/8018 for the surrounding structures).
 */
export const OID = {
  // GM/T 0006
  sm2: "1.2.156.10197.1.301",
  sm2Sign: "1.2.156.10197.1.301.1",
  sm2Encrypt: "1.2.156.10197.1.301.3",
  sm3: "1.2.156.10197.1.401",
  /** HMAC-SM3 as GM/T 0006 and Chinese tools (GmSSL, gmsm) name it. */
  hmacSm3: "1.2.156.10197.1.401.2",
  /** HMAC-SM3 as OpenSSL's object table names it (read only). */
  hmacSm3OpenSsl: "1.2.156.10197.1.401.3.1",
  sm2WithSm3: "1.2.156.10197.1.501",
  sm4Ecb: "1.2.156.10197.1.104.1",
  sm4Cbc: "1.2.156.10197.1.104.2",
  // GM/T 0010
  gmData: "1.2.156.10197.6.1.4.2.1",
  gmSignedData: "1.2.156.10197.6.1.4.2.2",
  gmEnvelopedData: "1.2.156.10197.6.1.4.2.3",
  // SEC 1 / RFC 5480
  ecPublicKey: "1.2.840.10045.2.1",
  // PKCS#5 / RFC 8018
  pbes2: "1.2.840.113549.1.5.13",
  pbkdf2: "1.2.840.113549.1.5.12",
  hmacWithSha1: "1.2.840.113549.2.7",
  hmacWithSha256: "1.2.840.113549.2.9",
  // PKCS#9 attributes
  contentType: "1.2.840.113549.1.9.3",
  messageDigest: "1.2.840.113549.1.9.4",
  signingTime: "1.2.840.113549.1.9.5",
  // X.520 / RFC 5280
  commonName: "2.5.4.3",
  country: "2.5.4.6",
  organization: "2.5.4.10",
  organizationalUnit: "2.5.4.11",
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  basicConstraints: "2.5.29.19",
} as const;
