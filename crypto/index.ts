// SM3 / HMAC-SM3 (GB/T 32905) and SM4 (GB/T 32907) via Node's OpenSSL.
export { createHmacSm3, createSm3, hmacSm3, sm3, sm3File, sm3Hex, sm3Stream, SM3_DIGEST_BYTES } from "./sm3.js";
export {
  createSm4Decryptor, createSm4Encryptor, sm4CbcDecrypt, sm4CbcEncrypt, sm4Ctr, sm4DecryptFile, sm4EcbBlocks, sm4EncryptFile, SM4_BLOCK_BYTES, SM4_KEY_BYTES,
  type Sm4Mode,
} from "./sm4.js";
// Package encryption: SM4-CTR + HMAC-SM3 encrypt-then-MAC.
export {
  AEAD_ALGORITHM, AEAD_KEY_BYTES, AEAD_OVERHEAD_BYTES, aeadOpen, aeadOpenFile, aeadSeal, aeadSealFile, generateAeadKey,
} from "./aead.js";
// Key files (PKCS#8, PBES2, SEC 1, SPKI) and PEM.
export { decodePkcs8, decodeSec1, encodePkcs8, privateKeyToPem, readPrivateKey, type Sm2PrivateKey } from "./keys/pkcs8.js";
export { decodeSpki, encodeSpki, publicKeyToPem, readPublicKey } from "./keys/spki.js";
export { decryptPkcs8, DEFAULT_PBKDF2_ITERATIONS, encryptPkcs8, type Pbes2Options, type Pbkdf2Prf } from "./keys/pbes2.js";
export { fromPem, pemBlocks, toPem } from "./keys/pem.js";
// X.509 seal certificates and GM/T 0010 messages.
export {
  certificateToPem, createSelfSignedCertificate, parseCertificate, verifyCertificate, type CertificateOptions, type DistinguishedName,
  type ParsedCertificate,
} from "./x509/certificate.js";
export { signData, verifySignedData, type SignOptions, type VerifiedSignedData, type VerifyOptions } from "./cms/signed-data.js";
export { envelope, openEnvelope, type EnvelopeRecipient } from "./cms/enveloped-data.js";
export { OID } from "./oids.js";
// SM2 (GB/T 32918) signatures and encryption, pure TypeScript (crypto/sm2/README.md).
export * as sm2 from "./sm2/index.js";
export {
  computeZ as sm2ComputeZ, decodeSignatureDer as decodeSm2SignatureDer, decrypt as sm2Decrypt, encodeSignatureDer as encodeSm2SignatureDer,
  encrypt as sm2Encrypt, generateKeyPair as generateSm2KeyPair, publicKeyFromPrivate as sm2PublicKeyFromPrivate, sign as sm2Sign,
  SM2_DEFAULT_ID, validatePublicKey as validateSm2PublicKey, verify as sm2Verify, type Sm2KeyPair,
} from "./sm2/index.js";
