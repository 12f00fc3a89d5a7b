[
  {
    "name": "shuyu crypto CLI > keygen writes a PKCS#8 key (mode 0600) and SPKI public key that `openssl pkey` reads",
    "file": "/work/wt/lifecycle/test/crypto/cli.test.ts"
  },
  {
    "name": "shuyu crypto CLI > keygen --passphrase-env writes an encrypted key that `openssl pkey -passin env:` opens",
    "file": "/work/wt/lifecycle/test/crypto/cli.test.ts"
  },
  {
    "name": "shuyu crypto CLI > keygen refuses to overwrite an existing key",
    "file": "/work/wt/lifecycle/test/crypto/cli.test.ts"
  },
  {
    "name": "shuyu crypto CLI > sign produces a DER signature that `openssl pkeyutl -verify -digest sm3 -pkeyopt distid` accepts",
    "file": "/work/wt/lifecycle/test/crypto/cli.test.ts"
  },
  {
    "name": "shuyu crypto CLI > verify accepts `openssl pkeyutl -sign` signatures and rejects changes with exit 3 SIGNATURE_INVALID",
    "file": "/work/wt/lifecycle/test/crypto/cli.test.ts"
  },
  {
    "name": "shuyu crypto CLI > sm3 streams a file and prints the same hex as `openssl dgst -sm3`",
    "file": "/work/wt/lifecycle/test/crypto/cli.test.ts"
  },
  {
    "name": "AEAD: SM4-CTR + HMAC-SM3 encrypt-then-MAC > is exactly SM4-CTR and HMAC-SM3 under HKDF-SM3-derived keys (checked with openssl and sm-crypto)",
    "file": "/work/wt/lifecycle/test/crypto/aead.test.ts"
  },
  {
    "name": "AEAD: SM4-CTR + HMAC-SM3 encrypt-then-MAC > round-trips, including empty plaintext, and uses a fresh IV each time",
    "file": "/work/wt/lifecycle/test/crypto/aead.test.ts"
  },
  {
    "name": "AEAD: SM4-CTR + HMAC-SM3 encrypt-then-MAC > attack: flipping any single byte (header, ciphertext, tag) is detected",
    "file": "/work/wt/lifecycle/test/crypto/aead.test.ts"
  },
  {
    "name": "AEAD: SM4-CTR + HMAC-SM3 encrypt-then-MAC > attack: wrong key, wrong associated data, truncation and appended bytes fail",
    "file": "/work/wt/lifecycle/test/crypto/aead.test.ts"
  },
  {
    "name": "AEAD files > seals and opens a multi-megabyte file; the file format equals the in-memory one",
    "file": "/work/wt/lifecycle/test/crypto/aead.test.ts"
  },
  {
    "name": "AEAD files > attack: a changed byte in a sealed file leaves no plaintext behind",
    "file": "/work/wt/lifecycle/test/crypto/aead.test.ts"
  },
  {
    "name": "GM/T 0010 SignedData (R6 electronic seal) > R6: attached signature verifies and names the signer (certificate subject, serial) and signing time",
    "file": "/work/wt/lifecycle/test/crypto/cms.test.ts"
  },
  {
    "name": "GM/T 0010 SignedData (R6 electronic seal) > uses the GM/T 0010 / GM/T 0006 OIDs, as `openssl asn1parse` shows",
    "file": "/work/wt/lifecycle/test/crypto/cms.test.ts"
  },
  {
    "name": "GM/T 0010 SignedData (R6 electronic seal) > the SignerInfo signature verifies with `openssl pkeyutl` (SM3, distid) over the attributes as a SET",
    "file": "/work/wt/lifecycle/test/crypto/cms.test.ts"
  },
  {
    "name": "GM/T 0010 SignedData (R6 electronic seal) > detached: needs the content, accepts the right content, rejects a changed one naming the digest",
    "file": "/work/wt/lifecycle/test/crypto/cms.test.ts"
  },
  {
    "name": "GM/T 0010 SignedData (R6 electronic seal) > attack: a changed byte anywhere in an attached SignedData fails with SIGNATURE_INVALID",
    "file": "/work/wt/lifecycle/test/crypto/cms.test.ts"
  },
  {
    "name": "GM/T 0010 SignedData (R6 electronic seal) > attack: a signature by another key over a copied certificate, and an untrusted signer, are refused",
    "file": "/work/wt/lifecycle/test/crypto/cms.test.ts"
  },
  {
    "name": "GM/T 0010 SignedData (R6 electronic seal) > attack: a signing time outside the certificate's validity is refused",
    "file": "/work/wt/lifecycle/test/crypto/cms.test.ts"
  },
  {
    "name": "R6 GM/T 0010 EnvelopedData > round-trips to a bare public key, a PEM public key and a certificate recipient",
    "file": "/work/wt/lifecycle/test/crypto/cms.test.ts"
  },
  {
    "name": "R6 GM/T 0010 EnvelopedData > is standard SM2 + SM4-CBC: sm-crypto recovers the key from SM2Cipher, `openssl enc -d -sm4-cbc` the content",
    "file": "/work/wt/lifecycle/test/crypto/cms.test.ts"
  },
  {
    "name": "R6 GM/T 0010 EnvelopedData > serves several recipients, each with their own key",
    "file": "/work/wt/lifecycle/test/crypto/cms.test.ts"
  },
  {
    "name": "R6 GM/T 0010 EnvelopedData > attack: another key cannot open it; a changed wrapped key is detected (SM2 C3)",
    "file": "/work/wt/lifecycle/test/crypto/cms.test.ts"
  },
  {
    "name": "PKCS#8 and SPKI interop with OpenSSL > reads `openssl genpkey -algorithm SM2` keys and re-encodes them byte for byte",
    "file": "/work/wt/lifecycle/test/crypto/keys.test.ts"
  },
  {
    "name": "PKCS#8 and SPKI interop with OpenSSL > writes PKCS#8 and SPKI that `openssl pkey` reads with the same scalar and point",
    "file": "/work/wt/lifecycle/test/crypto/keys.test.ts"
  },
  {
    "name": "PKCS#8 and SPKI interop with OpenSSL > reads OpenSSL's SEC 1 files ('SM2 PRIVATE KEY' from `openssl ec`, the same as 'EC PRIVATE KEY') and `ecparam -genkey` output",
    "file": "/work/wt/lifecycle/test/crypto/keys.test.ts"
  },
  {
    "name": "encrypted PKCS#8 (PBES2, SM4-CBC) > our PBKDF2-HMAC-SHA256 + SM4-CBC key opens with `openssl pkey -passin`",
    "file": "/work/wt/lifecycle/test/crypto/keys.test.ts"
  },
  {
    "name": "encrypted PKCS#8 (PBES2, SM4-CBC) > reads what `openssl pkcs8 -topk8 -v2 sm4-cbc -v2prf hmacWithSHA256` writes",
    "file": "/work/wt/lifecycle/test/crypto/keys.test.ts"
  },
  {
    "name": "encrypted PKCS#8 (PBES2, SM4-CBC) > reads PBKDF2-HMAC-SM3 (PRF OID 1.2.156.10197.1.401.2) built independently with sm-crypto and `openssl enc`",
    "file": "/work/wt/lifecycle/test/crypto/keys.test.ts"
  },
  {
    "name": "encrypted PKCS#8 (PBES2, SM4-CBC) > reads PBKDF2-HMAC-SM3 (PRF OID 1.2.156.10197.1.401.3.1) built independently with sm-crypto and `openssl enc`",
    "file": "/work/wt/lifecycle/test/crypto/keys.test.ts"
  },
  {
    "name": "encrypted PKCS#8 (PBES2, SM4-CBC) > writes the HMAC-SM3 variant under GM/T 0006's OID and reads it back",
    "file": "/work/wt/lifecycle/test/crypto/keys.test.ts"
  },
  {
    "name": "encrypted PKCS#8 (PBES2, SM4-CBC) > attack: wrong or missing passphrase, and a hostile iteration count, are refused with typed errors",
    "file": "/work/wt/lifecycle/test/crypto/keys.test.ts"
  },
  {
    "name": "key parsing attacks > refuses keys on other curves with KEY_NOT_SM2",
    "file": "/work/wt/lifecycle/test/crypto/keys.test.ts"
  },
  {
    "name": "key parsing attacks > refuses a public point off the curve",
    "file": "/work/wt/lifecycle/test/crypto/keys.test.ts"
  },
  {
    "name": "key parsing attacks > refuses a PKCS#8 whose embedded public key belongs to another key",
    "file": "/work/wt/lifecycle/test/crypto/keys.test.ts"
  },
  {
    "name": "key parsing attacks > refuses BER (non-minimal length) where DER is required",
    "file": "/work/wt/lifecycle/test/crypto/keys.test.ts"
  },
  {
    "name": "signature values out of range never verify > sanity: the untouched signature verifies (on both the cold and the cached-table path)",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "signature values out of range never verify > r = 0",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "signature values out of range never verify > s = 0",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "signature values out of range never verify > r = n",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "signature values out of range never verify > s = n",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "signature values out of range never verify > r = n + r",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "signature values out of range never verify > s = n + s",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "signature values out of range never verify > r + s = n",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "signature values out of range never verify > r = 2^256 − 1",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "signature values out of range never verify > a signature whose R is the point at infinity is rejected",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "signature values out of range never verify > (r, n − s) and swapped (s, r) do not verify",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "malformed DER is refused (MALFORMED_SIGNATURE) > empty",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "malformed DER is refused (MALFORMED_SIGNATURE) > truncated by one byte",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "malformed DER is refused (MALFORMED_SIGNATURE) > only the SEQUENCE header",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "malformed DER is refused (MALFORMED_SIGNATURE) > trailing garbage",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "malformed DER is refused (MALFORMED_SIGNATURE) > SEQUENCE length too long",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "malformed DER is refused (MALFORMED_SIGNATURE) > SEQUENCE length too short",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "malformed DER is refused (MALFORMED_SIGNATURE) > indefinite length",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "malformed DER is refused (MALFORMED_SIGNATURE) > long-form length for a short SEQUENCE",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "malformed DER is refused (MALFORMED_SIGNATURE) > wrong outer tag",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "malformed DER is refused (MALFORMED_SIGNATURE) > wrong INTEGER tag",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "malformed DER is refused (MALFORMED_SIGNATURE) > non-minimal integer (extra leading zero)",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "malformed DER is refused (MALFORMED_SIGNATURE) > non-minimal zero (00 00)",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "malformed DER is refused (MALFORMED_SIGNATURE) > negative r",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "malformed DER is refused (MALFORMED_SIGNATURE) > negative s (top bit set, no pad)",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "malformed DER is refused (MALFORMED_SIGNATURE) > empty INTEGER",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "malformed DER is refused (MALFORMED_SIGNATURE) > third INTEGER inside the SEQUENCE",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "malformed DER is refused (MALFORMED_SIGNATURE) > 34-byte INTEGER",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "malformed DER is refused (MALFORMED_SIGNATURE) > encodeSignatureDer refuses non-positive components",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "bad public keys are refused (INVALID_PUBLIC_KEY) > off-curve point (y bit flipped)",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "bad public keys are refused (INVALID_PUBLIC_KEY) > point at infinity, 1-byte encoding",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "bad public keys are refused (INVALID_PUBLIC_KEY) > point at infinity as 04‖0‖0",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "bad public keys are refused (INVALID_PUBLIC_KEY) > x = p",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "bad public keys are refused (INVALID_PUBLIC_KEY) > y = p",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "bad public keys are refused (INVALID_PUBLIC_KEY) > coordinates all ones",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "bad public keys are refused (INVALID_PUBLIC_KEY) > hybrid prefix 06",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "bad public keys are refused (INVALID_PUBLIC_KEY) > 64 bytes without prefix",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "bad public keys are refused (INVALID_PUBLIC_KEY) > compressed prefix with 65 bytes",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "bad public keys are refused (INVALID_PUBLIC_KEY) > compressed x = p",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "bad public keys are refused (INVALID_PUBLIC_KEY) > truncated",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "bad public keys are refused (INVALID_PUBLIC_KEY) > compressed x that is not on the curve",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "bad public keys are refused (INVALID_PUBLIC_KEY) > x-coordinate ≥ p with a y that would satisfy the equation mod p is refused",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "tampering never verifies > every single-bit flip of the message is rejected",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "tampering never verifies > every single-bit flip of the signature is rejected or refused",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "tampering never verifies > another key, another ID or an empty message do not verify",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "decryption of forged ciphertexts fails with DECRYPT_FAILED > C1 y flipped (off curve)",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "decryption of forged ciphertexts fails with DECRYPT_FAILED > C1 prefix changed",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "decryption of forged ciphertexts fails with DECRYPT_FAILED > C3 flipped",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "decryption of forged ciphertexts fails with DECRYPT_FAILED > C2 flipped",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "decryption of forged ciphertexts fails with DECRYPT_FAILED > last byte flipped",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "decryption of forged ciphertexts fails with DECRYPT_FAILED > truncated, extended, wrong key, wrong order",
    "file": "/work/wt/lifecycle/test/crypto/sm2-attacks.test.ts"
  },
  {
    "name": "field arithmetic modulo p on 16-bit limbs > mul, sqr, invert match BigInt on random and loose (signed, unreduced) inputs",
    "file": "/work/wt/lifecycle/test/crypto/sm2-curve.test.ts"
  },
  {
    "name": "field arithmetic modulo p on 16-bit limbs > limbs at the documented bound 2^21 do not lose precision",
    "file": "/work/wt/lifecycle/test/crypto/sm2-curve.test.ts"
  },
  {
    "name": "field arithmetic modulo p on 16-bit limbs > normalize and isZero on edge values",
    "file": "/work/wt/lifecycle/test/crypto/sm2-curve.test.ts"
  },
  {
    "name": "scalar multiplication > k·G (constant-time fixed base) matches the reference, including edge scalars",
    "file": "/work/wt/lifecycle/test/crypto/sm2-curve.test.ts"
  },
  {
    "name": "scalar multiplication > k·P (constant-time variable base) matches the reference",
    "file": "/work/wt/lifecycle/test/crypto/sm2-curve.test.ts"
  },
  {
    "name": "scalar multiplication > u·G + v·P (wNAF and per-key table paths) match the reference",
    "file": "/work/wt/lifecycle/test/crypto/sm2-curve.test.ts"
  },
  {
    "name": "verification's x-coordinate check > x(R) ≥ n (possible since n < p) is matched through the candidate r − e + n",
    "file": "/work/wt/lifecycle/test/crypto/sm2-curve.test.ts"
  },
  {
    "name": "sm-crypto > shuyu signs, sm-crypto verifies; sm-crypto signs, shuyu verifies (random keys and messages)",
    "file": "/work/wt/lifecycle/test/crypto/sm2-interop.test.ts"
  },
  {
    "name": "sm-crypto > a non-default user ID interoperates",
    "file": "/work/wt/lifecycle/test/crypto/sm2-interop.test.ts"
  },
  {
    "name": "sm-crypto > encryption both ways in both component orders (sm-crypto omits C1's 04 prefix)",
    "file": "/work/wt/lifecycle/test/crypto/sm2-interop.test.ts"
  },
  {
    "name": "OpenSSL command line > OpenSSL's public point equals shuyu's d·G",
    "file": "/work/wt/lifecycle/test/crypto/sm2-interop.test.ts"
  },
  {
    "name": "OpenSSL command line > openssl pkeyutl -sign (SM3, distid) → shuyu verify, and shuyu sign → openssl pkeyutl -verify",
    "file": "/work/wt/lifecycle/test/crypto/sm2-interop.test.ts"
  },
  {
    "name": "OpenSSL command line > openssl pkeyutl -encrypt → shuyu decrypt, and shuyu encrypt → openssl pkeyutl -decrypt",
    "file": "/work/wt/lifecycle/test/crypto/sm2-interop.test.ts"
  },
  {
    "name": "GB/T 32918.5 worked examples (recommended curve) > public key of the example private key",
    "file": "/work/wt/lifecycle/test/crypto/sm2.test.ts"
  },
  {
    "name": "GB/T 32918.5 worked examples (recommended curve) > Z_A with the default ID",
    "file": "/work/wt/lifecycle/test/crypto/sm2.test.ts"
  },
  {
    "name": "GB/T 32918.5 worked examples (recommended curve) > signature of 'message digest' with the example k",
    "file": "/work/wt/lifecycle/test/crypto/sm2.test.ts"
  },
  {
    "name": "GB/T 32918.5 worked examples (recommended curve) > encryption of 'encryption standard' with the example k, both component orders",
    "file": "/work/wt/lifecycle/test/crypto/sm2.test.ts"
  },
  {
    "name": "round trips and API behaviour > fresh keys sign and verify; compressed and uncompressed keys agree",
    "file": "/work/wt/lifecycle/test/crypto/sm2.test.ts"
  },
  {
    "name": "round trips and API behaviour > repeated verification with one key (per-key table path) accepts and rejects correctly",
    "file": "/work/wt/lifecycle/test/crypto/sm2.test.ts"
  },
  {
    "name": "round trips and API behaviour > signatures are randomized, each verifies",
    "file": "/work/wt/lifecycle/test/crypto/sm2.test.ts"
  },
  {
    "name": "round trips and API behaviour > encrypt/decrypt round trips for empty, short and multi-block plaintexts",
    "file": "/work/wt/lifecycle/test/crypto/sm2.test.ts"
  },
  {
    "name": "round trips and API behaviour > sign rejects a publicKey that does not belong to the private key",
    "file": "/work/wt/lifecycle/test/crypto/sm2.test.ts"
  },
  {
    "name": "round trips and API behaviour > private keys outside [1, n − 2] or of the wrong size are refused",
    "file": "/work/wt/lifecycle/test/crypto/sm2.test.ts"
  },
  {
    "name": "round trips and API behaviour > unknown cipher mode is a usage error",
    "file": "/work/wt/lifecycle/test/crypto/sm2.test.ts"
  },
  {
    "name": "R6 SM3 (GB/T 32905) > matches the standard's example 1: 'abc'",
    "file": "/work/wt/lifecycle/test/crypto/sm3.test.ts"
  },
  {
    "name": "R6 SM3 (GB/T 32905) > matches the standard's example 2: 'abcd' x 16 (512 bits)",
    "file": "/work/wt/lifecycle/test/crypto/sm3.test.ts"
  },
  {
    "name": "R6 SM3 (GB/T 32905) > agrees with sm-crypto on random inputs of many lengths",
    "file": "/work/wt/lifecycle/test/crypto/sm3.test.ts"
  },
  {
    "name": "R6 SM3 (GB/T 32905) > incremental updates equal the one-shot digest",
    "file": "/work/wt/lifecycle/test/crypto/sm3.test.ts"
  },
  {
    "name": "R6 SM3 (GB/T 32905) > streams a multi-megabyte file and agrees with `openssl dgst -sm3`",
    "file": "/work/wt/lifecycle/test/crypto/sm3.test.ts"
  },
  {
    "name": "R6 SM3 (GB/T 32905) > hashes a readable stream",
    "file": "/work/wt/lifecycle/test/crypto/sm3.test.ts"
  },
  {
    "name": "HMAC-SM3 > agrees with sm-crypto's HMAC on random keys and messages",
    "file": "/work/wt/lifecycle/test/crypto/sm3.test.ts"
  },
  {
    "name": "HMAC-SM3 > agrees with `openssl dgst -sm3 -mac HMAC`",
    "file": "/work/wt/lifecycle/test/crypto/sm3.test.ts"
  },
  {
    "name": "HMAC-SM3 > changes with any change of key or message",
    "file": "/work/wt/lifecycle/test/crypto/sm3.test.ts"
  },
  {
    "name": "R6 SM4 (GB/T 32907) standard vectors > example 1: one block encrypts to 681edf34d206965e86b3e94f536e4246 and decrypts back",
    "file": "/work/wt/lifecycle/test/crypto/sm4.test.ts"
  },
  {
    "name": "R6 SM4 (GB/T 32907) standard vectors > example 2: 1,000,000 iterations give 595298c7c6fd271f0402f804c33d3f66",
    "file": "/work/wt/lifecycle/test/crypto/sm4.test.ts"
  },
  {
    "name": "SM4 block function against sm-crypto > ECB over random keys and blocks agrees both ways",
    "file": "/work/wt/lifecycle/test/crypto/sm4.test.ts"
  },
  {
    "name": "SM4-CBC with PKCS#7 > agrees with sm-crypto on random keys, IVs and lengths, and decrypts sm-crypto's output",
    "file": "/work/wt/lifecycle/test/crypto/sm4.test.ts"
  },
  {
    "name": "SM4-CBC with PKCS#7 > agrees with `openssl enc -sm4-cbc`",
    "file": "/work/wt/lifecycle/test/crypto/sm4.test.ts"
  },
  {
    "name": "SM4-CBC with PKCS#7 > rejects a wrong key or corrupted padding with SM4_DECRYPT_FAILED",
    "file": "/work/wt/lifecycle/test/crypto/sm4.test.ts"
  },
  {
    "name": "SM4-CBC with PKCS#7 > refuses keys and IVs of the wrong length",
    "file": "/work/wt/lifecycle/test/crypto/sm4.test.ts"
  },
  {
    "name": "SM4-CTR > agrees with `openssl enc -sm4-ctr` and inverts itself",
    "file": "/work/wt/lifecycle/test/crypto/sm4.test.ts"
  },
  {
    "name": "SM4-CTR > carries the counter across the whole 128-bit block like OpenSSL",
    "file": "/work/wt/lifecycle/test/crypto/sm4.test.ts"
  },
  {
    "name": "SM4-CTR > streams in odd-sized pieces with the same result as one shot",
    "file": "/work/wt/lifecycle/test/crypto/sm4.test.ts"
  },
  {
    "name": "SM4 file streaming > encrypts a multi-megabyte file with cbc as openssl does and decrypts it back",
    "file": "/work/wt/lifecycle/test/crypto/sm4.test.ts"
  },
  {
    "name": "SM4 file streaming > encrypts a multi-megabyte file with ctr as openssl does and decrypts it back",
    "file": "/work/wt/lifecycle/test/crypto/sm4.test.ts"
  },
  {
    "name": "SM4 file streaming > reports a bad CBC file as SM4_DECRYPT_FAILED",
    "file": "/work/wt/lifecycle/test/crypto/sm4.test.ts"
  },
  {
    "name": "seal certificate (sm2sign-with-sm3) > parses back: subject, issuer, serial, validity, public key",
    "file": "/work/wt/lifecycle/test/crypto/x509.test.ts"
  },
  {
    "name": "seal certificate (sm2sign-with-sm3) > `openssl x509 -text` reads it: SM2-with-SM3, subject, dates, SM2 key",
    "file": "/work/wt/lifecycle/test/crypto/x509.test.ts"
  },
  {
    "name": "seal certificate (sm2sign-with-sm3) > OpenSSL verifies its signature: `openssl pkeyutl -verify -digest sm3 -pkeyopt distid:…` over the TBS",
    "file": "/work/wt/lifecycle/test/crypto/x509.test.ts"
  },
  {
    "name": "seal certificate (sm2sign-with-sm3) > `openssl verify` builds the chain; OpenSSL 3.0.19 cannot check SM2 self-signatures (-check_ss_sig fails on its own certificates too)",
    "file": "/work/wt/lifecycle/test/crypto/x509.test.ts"
  },
  {
    "name": "seal certificate (sm2sign-with-sm3) > parses and verifies a certificate made by `openssl req -x509` with an SM2 key",
    "file": "/work/wt/lifecycle/test/crypto/x509.test.ts"
  },
  {
    "name": "seal certificate (sm2sign-with-sm3) > attack: a changed byte anywhere in the certificate is refused",
    "file": "/work/wt/lifecycle/test/crypto/x509.test.ts"
  },
  {
    "name": "seal certificate (sm2sign-with-sm3) > attack: another key's signature, and dates outside the validity, are refused",
    "file": "/work/wt/lifecycle/test/crypto/x509.test.ts"
  },
  {
    "name": "seal certificate (sm2sign-with-sm3) > a private key written as PEM still signs certificates that verify",
    "file": "/work/wt/lifecycle/test/crypto/x509.test.ts"
  },
  {
    "name": "demo data generator > people are internally consistent: ID check digit, district, birth date and gender agree; cards pass Luhn",
    "file": "/work/wt/lifecycle/test/demo/demo.test.ts"
  },
  {
    "name": "demo data generator > Parquet output keeps identifiers as text (leading zeros, X check characters)",
    "file": "/work/wt/lifecycle/test/demo/demo.test.ts"
  },
  {
    "name": "demo data generator > refuses a bad row count with a usage-level message",
    "file": "/work/wt/lifecycle/test/demo/demo.test.ts"
  },
  {
    "name": "R1 R6 R7 the demo walks the main job end to end > prints one timed line per step, in order",
    "file": "/work/wt/lifecycle/test/demo/demo.test.ts"
  },
  {
    "name": "R1 R6 R7 the demo walks the main job end to end > R6 the aggregate is released and its package verifies as an outsider would; a changed byte does not",
    "file": "/work/wt/lifecycle/test/demo/demo.test.ts"
  },
  {
    "name": "R1 R6 R7 the demo walks the main job end to end > R1 the reversible extract is blocked by a hard rule, with the reason shown",
    "file": "/work/wt/lifecycle/test/demo/demo.test.ts"
  },
  {
    "name": "R1 R6 R7 the demo walks the main job end to end > R7 the audit chain verifies after the run",
    "file": "/work/wt/lifecycle/test/demo/demo.test.ts"
  },
  {
    "name": "npm run demo (the built entry point) > R1 R6 runs green from dist with a small --rows and removes its temporary domain",
    "file": "/work/wt/lifecycle/test/demo/demo.test.ts"
  },
  {
    "name": "masking (R6 desensitization of sensitive data) > keeps 3+4 of a mobile, 6+4 of a resident ID, 6+4 of a bank card, the surname of a name",
    "file": "/work/wt/lifecycle/test/desensitize/methods.test.ts"
  },
  {
    "name": "masking (R6 desensitization of sensitive data) > masks numbers stored as BIGINT and keeps NULL",
    "file": "/work/wt/lifecycle/test/desensitize/methods.test.ts"
  },
  {
    "name": "masking (R6 desensitization of sensitive data) > e-mail keeps the first character and the domain, hides the local part's length",
    "file": "/work/wt/lifecycle/test/desensitize/methods.test.ts"
  },
  {
    "name": "masking (R6 desensitization of sensitive data) > truncates from either end",
    "file": "/work/wt/lifecycle/test/desensitize/methods.test.ts"
  },
  {
    "name": "generalisation > ages to 5- and 10-year bands with a top code",
    "file": "/work/wt/lifecycle/test/desensitize/methods.test.ts"
  },
  {
    "name": "generalisation > dates to month, quarter, year",
    "file": "/work/wt/lifecycle/test/desensitize/methods.test.ts"
  },
  {
    "name": "generalisation > GB/T 2260 codes up to city and province; junk becomes NULL",
    "file": "/work/wt/lifecycle/test/desensitize/methods.test.ts"
  },
  {
    "name": "generalisation > address text keeps only the administrative names down to the level",
    "file": "/work/wt/lifecycle/test/desensitize/methods.test.ts"
  },
  {
    "name": "generalisation > IPv4 to /24 and /16; IPv6 and junk to NULL",
    "file": "/work/wt/lifecycle/test/desensitize/methods.test.ts"
  },
  {
    "name": "numbers and dates > rounds to a base, suppresses small counts, suppresses keeping the type",
    "file": "/work/wt/lifecycle/test/desensitize/methods.test.ts"
  },
  {
    "name": "numbers and dates > Laplace noise has mean 0 and mean |noise| = sensitivity/ε",
    "file": "/work/wt/lifecycle/test/desensitize/methods.test.ts"
  },
  {
    "name": "numbers and dates > date shift stays within ±maxDays and moves most dates",
    "file": "/work/wt/lifecycle/test/desensitize/methods.test.ts"
  },
  {
    "name": "applyPolicy > pseudonyms are HMAC-SM3 under the domain secret (checked against sm-crypto) and consistent across rows",
    "file": "/work/wt/lifecycle/test/desensitize/methods.test.ts"
  },
  {
    "name": "applyPolicy > refuses pseudonyms without a 32-byte secret",
    "file": "/work/wt/lifecycle/test/desensitize/methods.test.ts"
  },
  {
    "name": "applyPolicy > rejects unknown columns and malformed policies",
    "file": "/work/wt/lifecycle/test/desensitize/methods.test.ts"
  },
  {
    "name": "applyPolicy > survives hostile column names and hostile mask characters (no SQL injection)",
    "file": "/work/wt/lifecycle/test/desensitize/methods.test.ts"
  },
  {
    "name": "defaults per type and grade > gets stricter with the grade",
    "file": "/work/wt/lifecycle/test/desensitize/methods.test.ts"
  },
  {
    "name": "defaults per type and grade > builds a policy that applyPolicy accepts",
    "file": "/work/wt/lifecycle/test/desensitize/methods.test.ts"
  },
  {
    "name": "one-to-one signature > R1: blocks an order-preserving numeric code book of mobiles (a bijection no encoding list knows)",
    "file": "/work/wt/lifecycle/test/disclosure/block-rules.test.ts"
  },
  {
    "name": "one-to-one signature > does not block row numbers, and only reviews gate-made pseudonyms and floating-point columns",
    "file": "/work/wt/lifecycle/test/disclosure/block-rules.test.ts"
  },
  {
    "name": "one-to-one signature > is not fooled when the column is a verbatim copy of a raw non-identifier column",
    "file": "/work/wt/lifecycle/test/disclosure/block-rules.test.ts"
  },
  {
    "name": "k-anonymity and l-diversity thresholds > R1: k is configurable and a class of k-1 rows blocks",
    "file": "/work/wt/lifecycle/test/disclosure/block-rules.test.ts"
  },
  {
    "name": "k-anonymity and l-diversity thresholds > a class whose sensitive values were all suppressed is not an l-diversity failure",
    "file": "/work/wt/lifecycle/test/disclosure/block-rules.test.ts"
  },
  {
    "name": "k-anonymity and l-diversity thresholds > refuses thresholds that would switch a rule off",
    "file": "/work/wt/lifecycle/test/disclosure/block-rules.test.ts"
  },
  {
    "name": "aggregate vs record-level > a count column makes an aggregate only when the other columns are unique per row",
    "file": "/work/wt/lifecycle/test/disclosure/block-rules.test.ts"
  },
  {
    "name": "attacks on the gate itself > R1: hostile output column names neither break the checks nor run as SQL",
    "file": "/work/wt/lifecycle/test/disclosure/block-rules.test.ts"
  },
  {
    "name": "attacks on the gate itself > fails closed: a rule that cannot run blocks",
    "file": "/work/wt/lifecycle/test/disclosure/block-rules.test.ts"
  },
  {
    "name": "attacks on the gate itself > a clean output passes every rule and leaves no temp tables behind",
    "file": "/work/wt/lifecycle/test/disclosure/block-rules.test.ts"
  },
  {
    "name": "attacks on the gate itself > findings show identifier-looking cells masked",
    "file": "/work/wt/lifecycle/test/disclosure/block-rules.test.ts"
  },
  {
    "name": "declared tags > R1: an empty declared tag list does not hide a renamed quasi-identifier from k-anonymity",
    "file": "/work/wt/lifecycle/test/disclosure/block-rules.test.ts"
  },
  {
    "name": "raw-values coincidences > short raw values are not searched: a count equal to the last digits of an ID is not a leak",
    "file": "/work/wt/lifecycle/test/disclosure/block-rules.test.ts"
  },
  {
    "name": "raw-values coincidences > the length floor is a threshold: lowering it finds a shorter identifier",
    "file": "/work/wt/lifecycle/test/disclosure/block-rules.test.ts"
  },
  {
    "name": "egress corpora (R1, R6) > R1: every re-identifying or reversible output is blocked, by the rule meant to catch it",
    "file": "/work/wt/lifecycle/test/disclosure/corpora.test.ts"
  },
  {
    "name": "egress corpora (R1, R6) > R6: legitimate outputs get no block finding",
    "file": "/work/wt/lifecycle/test/disclosure/corpora.test.ts"
  },
  {
    "name": "model walk > collects string leaves, object keys, numbers and array lengths from JSON text or objects",
    "file": "/work/wt/lifecycle/test/disclosure/model-walk.test.ts"
  },
  {
    "name": "model walk > writes large integers without an exponent, so 13812345678 matches the raw mobile",
    "file": "/work/wt/lifecycle/test/disclosure/model-walk.test.ts"
  },
  {
    "name": "model walk > terminates on a live object with a cycle",
    "file": "/work/wt/lifecycle/test/disclosure/model-walk.test.ts"
  },
  {
    "name": "small-cells (ACRO threshold 10) — R6 > R6: reviews cells below 10 and not above; the threshold is configurable",
    "file": "/work/wt/lifecycle/test/disclosure/review-rules.test.ts"
  },
  {
    "name": "small-cells (ACRO threshold 10) — R6 > zero cells are reviewed separately",
    "file": "/work/wt/lifecycle/test/disclosure/review-rules.test.ts"
  },
  {
    "name": "dominance (n=2, k=85%) and p% (p=10%) — R6 > R6: recomputes contributions from raw rows and flags dominated cells",
    "file": "/work/wt/lifecycle/test/disclosure/review-rules.test.ts"
  },
  {
    "name": "dominance (n=2, k=85%) and p% (p=10%) — R6 > a sum column it cannot trace to raw data is reviewed as unverifiable",
    "file": "/work/wt/lifecycle/test/disclosure/review-rules.test.ts"
  },
  {
    "name": "differencing against earlier releases — R6 > R6: a re-release differing from an earlier one by a few people is reviewed",
    "file": "/work/wt/lifecycle/test/disclosure/review-rules.test.ts"
  },
  {
    "name": "differencing against earlier releases — R6 > releases far apart, or at a different grain with equal margins, are not flagged",
    "file": "/work/wt/lifecycle/test/disclosure/review-rules.test.ts"
  },
  {
    "name": "model capacity (DataSHIELD nfilter.glm 0.33) > reviews models with many parameters per training row",
    "file": "/work/wt/lifecycle/test/disclosure/review-rules.test.ts"
  },
  {
    "name": "PII patterns in report text and logs > finds checksum-valid IDs, mobiles and cards, and ignores look-alikes with bad checksums",
    "file": "/work/wt/lifecycle/test/disclosure/review-rules.test.ts"
  },
  {
    "name": "PII patterns in report text and logs > reviews report and log lines that carry PII-like strings (not in the vault)",
    "file": "/work/wt/lifecycle/test/disclosure/review-rules.test.ts"
  },
  {
    "name": "differencing within one release > two tables of the same release that differ by a few people are reviewed",
    "file": "/work/wt/lifecycle/test/disclosure/review-rules.test.ts"
  },
  {
    "name": "R3 real-name accounts, tokens and the policy engine > stores tokens only as salted SM3 digests",
    "file": "/work/wt/lifecycle/test/domain/accounts-authz.test.ts"
  },
  {
    "name": "R3 real-name accounts, tokens and the policy engine > rejects a forged token for a real account, a truncated one and none at all",
    "file": "/work/wt/lifecycle/test/domain/accounts-authz.test.ts"
  },
  {
    "name": "R3 real-name accounts, tokens and the policy engine > a revoked account's token stops working",
    "file": "/work/wt/lifecycle/test/domain/accounts-authz.test.ts"
  },
  {
    "name": "R3 real-name accounts, tokens and the policy engine > a developer cannot add organisations or accounts: exit 2 naming the permission",
    "file": "/work/wt/lifecycle/test/domain/accounts-authz.test.ts"
  },
  {
    "name": "R3 real-name accounts, tokens and the policy engine > refuses roles that do not fit the organisation kind, duplicates and unknown orgs",
    "file": "/work/wt/lifecycle/test/domain/accounts-authz.test.ts"
  },
  {
    "name": "R3 real-name accounts, tokens and the policy engine > object rules: developers of another org, providers of other data and same-org reviewers are refused",
    "file": "/work/wt/lifecycle/test/domain/accounts-authz.test.ts"
  },
  {
    "name": "R3 real-name accounts, tokens and the policy engine > init refuses a non-empty directory and prints the token once as JSON",
    "file": "/work/wt/lifecycle/test/domain/accounts-authz.test.ts"
  },
  {
    "name": "R7 audit chain: SM3-linked, tamper-evident > verifies an untouched chain and links every entry to the previous hash",
    "file": "/work/wt/lifecycle/test/domain/audit-chain.test.ts"
  },
  {
    "name": "R7 audit chain: SM3-linked, tamper-evident > detects an edited entry and names its seq",
    "file": "/work/wt/lifecycle/test/domain/audit-chain.test.ts"
  },
  {
    "name": "R7 audit chain: SM3-linked, tamper-evident > detects an edited entry even when its hash is recomputed (the next link breaks)",
    "file": "/work/wt/lifecycle/test/domain/audit-chain.test.ts"
  },
  {
    "name": "R7 audit chain: SM3-linked, tamper-evident > detects a deleted entry",
    "file": "/work/wt/lifecycle/test/domain/audit-chain.test.ts"
  },
  {
    "name": "R7 audit chain: SM3-linked, tamper-evident > detects an inserted entry",
    "file": "/work/wt/lifecycle/test/domain/audit-chain.test.ts"
  },
  {
    "name": "R7 audit chain: SM3-linked, tamper-evident > detects reordered entries",
    "file": "/work/wt/lifecycle/test/domain/audit-chain.test.ts"
  },
  {
    "name": "R7 audit chain: SM3-linked, tamper-evident > detects a cut-off tail against the head recorded in the control store",
    "file": "/work/wt/lifecycle/test/domain/audit-chain.test.ts"
  },
  {
    "name": "R7 audit chain: SM3-linked, tamper-evident > audit verify exits 3 and names the first bad seq from the CLI",
    "file": "/work/wt/lifecycle/test/domain/audit-chain.test.ts"
  },
  {
    "name": "R7 audit chain: SM3-linked, tamper-evident > warns when an entry is dated before the one it follows (a clock moved back)",
    "file": "/work/wt/lifecycle/test/domain/audit-chain.test.ts"
  },
  {
    "name": "R5 backup and restore > R5 a backup taken while a job runs is consistent and sealed, keys encrypted; restore rebuilds a domain whose audit chain verifies",
    "file": "/work/wt/lifecycle/test/domain/backup.test.ts"
  },
  {
    "name": "R5 backup and restore > R5 the CLI backs up and restores with --json; audit verify passes in the restored domain",
    "file": "/work/wt/lifecycle/test/domain/backup.test.ts"
  },
  {
    "name": "R7 one open domain serving concurrent requests (shuyu serve) > a read never sees another request's uncommitted change, and a rolled-back change never appears",
    "file": "/work/wt/lifecycle/test/domain/concurrent-reads.test.ts"
  },
  {
    "name": "R7 one open domain serving concurrent requests (shuyu serve) > a committed change is visible to the next read, and audit appends from outside are serialised",
    "file": "/work/wt/lifecycle/test/domain/concurrent-reads.test.ts"
  },
  {
    "name": "R2 ingest, catalog, grading and safe samples > bad input: grade 7, a ragged CSV, a 0-byte file, a missing path, an unknown provider — exit 3, nothing half-written",
    "file": "/work/wt/lifecycle/test/domain/datasets-catalog.test.ts"
  },
  {
    "name": "R2 ingest, catalog, grading and safe samples > records provider, grade, rows, types, SM3 and proposes PII tags",
    "file": "/work/wt/lifecycle/test/domain/datasets-catalog.test.ts"
  },
  {
    "name": "R2 ingest, catalog, grading and safe samples > re-ingest makes a new version; old versions stay until purged; the current one cannot be purged",
    "file": "/work/wt/lifecycle/test/domain/datasets-catalog.test.ts"
  },
  {
    "name": "R2 ingest, catalog, grading and safe samples > an admin confirms or edits tags; unknown columns and tags are refused; developers cannot tag",
    "file": "/work/wt/lifecycle/test/domain/datasets-catalog.test.ts"
  },
  {
    "name": "R2 ingest, catalog, grading and safe samples > the sample shows no raw identifier value and no raw row, and every sample view is audited",
    "file": "/work/wt/lifecycle/test/domain/datasets-catalog.test.ts"
  },
  {
    "name": "R2 ingest, catalog, grading and safe samples > GY 12: negative-listed data is hidden from developers and cannot be put in an agreement",
    "file": "/work/wt/lifecycle/test/domain/datasets-catalog.test.ts"
  },
  {
    "name": "R7 security incidents stop processing in their scope > R7 opening an incident cancels the running job (nothing staged), freezes egress and pauses API products; closing needs a rectification report and a deadline; the activity report lists it",
    "file": "/work/wt/lifecycle/test/domain/incidents.test.ts"
  },
  {
    "name": "R7 security incidents stop processing in their scope > R7 the CLI opens and closes incidents with --json and refuses bad input with a typed error",
    "file": "/work/wt/lifecycle/test/domain/incidents.test.ts"
  },
  {
    "name": "R1 ingest survives SIGKILL: the domain opens, the dataset is absent or complete, the chain verifies > killed after 300 ms",
    "file": "/work/wt/lifecycle/test/domain/ingest-crash.test.ts"
  },
  {
    "name": "R1 ingest survives SIGKILL: the domain opens, the dataset is absent or complete, the chain verifies > killed after 900 ms",
    "file": "/work/wt/lifecycle/test/domain/ingest-crash.test.ts"
  },
  {
    "name": "R1 ingest survives SIGKILL: the domain opens, the dataset is absent or complete, the chain verifies > killed after 1800 ms",
    "file": "/work/wt/lifecycle/test/domain/ingest-crash.test.ts"
  },
  {
    "name": "R3 one state check at every gate > R3 everything in force: each gate (job submit, egress request, review and release, product call, package delivery) allows exactly what may act now",
    "file": "/work/wt/lifecycle/test/domain/standing.test.ts"
  },
  {
    "name": "R3 one state check at every gate > R3 the submitting developer revoked: each gate (job submit, egress request, review and release, product call, package delivery) allows exactly what may act now",
    "file": "/work/wt/lifecycle/test/domain/standing.test.ts"
  },
  {
    "name": "R3 one state check at every gate > R3 agreement suspended: each gate (job submit, egress request, review and release, product call, package delivery) allows exactly what may act now",
    "file": "/work/wt/lifecycle/test/domain/standing.test.ts"
  },
  {
    "name": "R3 one state check at every gate > R3 agreement terminated: each gate (job submit, egress request, review and release, product call, package delivery) allows exactly what may act now",
    "file": "/work/wt/lifecycle/test/domain/standing.test.ts"
  },
  {
    "name": "R3 one state check at every gate > R3 agreement expired: each gate (job submit, egress request, review and release, product call, package delivery) allows exactly what may act now",
    "file": "/work/wt/lifecycle/test/domain/standing.test.ts"
  },
  {
    "name": "R3 one state check at every gate > R3 scenario suspended: each gate (job submit, egress request, review and release, product call, package delivery) allows exactly what may act now",
    "file": "/work/wt/lifecycle/test/domain/standing.test.ts"
  },
  {
    "name": "R3 one state check at every gate > R3 scenario revoked: each gate (job submit, egress request, review and release, product call, package delivery) allows exactly what may act now",
    "file": "/work/wt/lifecycle/test/domain/standing.test.ts"
  },
  {
    "name": "R3 one state check at every gate > R3 scenario expired: each gate (job submit, egress request, review and release, product call, package delivery) allows exactly what may act now",
    "file": "/work/wt/lifecycle/test/domain/standing.test.ts"
  },
  {
    "name": "R3 one state check at every gate > R3 an incident open on the org: each gate (job submit, egress request, review and release, product call, package delivery) allows exactly what may act now",
    "file": "/work/wt/lifecycle/test/domain/standing.test.ts"
  },
  {
    "name": "R3 one state check at every gate > R3 an incident open on the scenario: each gate (job submit, egress request, review and release, product call, package delivery) allows exactly what may act now",
    "file": "/work/wt/lifecycle/test/domain/standing.test.ts"
  },
  {
    "name": "R3 one state check at every gate > R3 an incident open on the dataset: each gate (job submit, egress request, review and release, product call, package delivery) allows exactly what may act now",
    "file": "/work/wt/lifecycle/test/domain/standing.test.ts"
  },
  {
    "name": "R3 one state check at every gate > R3 an incident open on the domain: each gate (job submit, egress request, review and release, product call, package delivery) allows exactly what may act now",
    "file": "/work/wt/lifecycle/test/domain/standing.test.ts"
  },
  {
    "name": "R3 one state check at every gate > R3 a job running when its developer is revoked stages nothing, and a colleague cannot request its egress",
    "file": "/work/wt/lifecycle/test/domain/standing.test.ts"
  },
  {
    "name": "R3 terms: start and end, three years with renewals, the operator's own authorization > R3 an agreement carries nothing before its start: no scenario, no job until the term begins",
    "file": "/work/wt/lifecycle/test/domain/terms.test.ts"
  },
  {
    "name": "R3 terms: start and end, three years with renewals, the operator's own authorization > R3 the authorized span per organisation and dataset is at most three years, renewals included; a renewal only within three months before expiry (ZJ 11)",
    "file": "/work/wt/lifecycle/test/domain/terms.test.ts"
  },
  {
    "name": "R3 terms: start and end, three years with renewals, the operator's own authorization > R3 the operator's own authorization bounds every agreement, and the domain stops processing when it lapses",
    "file": "/work/wt/lifecycle/test/domain/terms.test.ts"
  },
  {
    "name": "R3 terms: start and end, three years with renewals, the operator's own authorization > R3 init records the operator's authorization; the CLI shows it with --json and refuses a bad term (exit 3)",
    "file": "/work/wt/lifecycle/test/domain/terms.test.ts"
  },
  {
    "name": "R2 the dev-mode sample library keeps the raw column types > maps generalised dates back to a date at the start of the period",
    "file": "/work/wt/lifecycle/test/domain/sample-twin.test.ts"
  },
  {
    "name": "R2 the dev-mode sample library keeps the raw column types > maps numeric ranges to their lower bound and leaves text alone",
    "file": "/work/wt/lifecycle/test/domain/sample-twin.test.ts"
  },
  {
    "name": "R3 agreements and R4 one scenario, one review > R3: refuses an agreement longer than three years, reversed dates and malformed dates",
    "file": "/work/wt/lifecycle/test/domain/scenarios.test.ts"
  },
  {
    "name": "R3 agreements and R4 one scenario, one review > R4: a scenario needs an active agreement, known columns and the least data",
    "file": "/work/wt/lifecycle/test/domain/scenarios.test.ts"
  },
  {
    "name": "R3 agreements and R4 one scenario, one review > R4: approval needs the operator and every provider; then the library holds only granted columns with SM3 digests",
    "file": "/work/wt/lifecycle/test/domain/scenarios.test.ts"
  },
  {
    "name": "R3 agreements and R4 one scenario, one review > R4: a rejection states its reason; other orgs cannot see the scenario",
    "file": "/work/wt/lifecycle/test/domain/scenarios.test.ts"
  },
  {
    "name": "R3 agreements and R4 one scenario, one review > R4: suspend and resume; expiry moves the scenario and agreement to expired",
    "file": "/work/wt/lifecycle/test/domain/scenarios.test.ts"
  },
  {
    "name": "R3 agreements and R4 one scenario, one review > R3: termination revokes the organisation's accounts and scenarios and deletes its libraries; the chain still verifies",
    "file": "/work/wt/lifecycle/test/domain/scenarios.test.ts"
  },
  {
    "name": "R1 R4 R6 end to end through the CLI > dev mode runs on the sample and shows everything; no raw identifier appears",
    "file": "/work/wt/lifecycle/test/e2e/flow.test.ts"
  },
  {
    "name": "R1 R4 R6 end to end through the CLI > a raw run stages its output and shows only coarse figures",
    "file": "/work/wt/lifecycle/test/e2e/flow.test.ts"
  },
  {
    "name": "R1 R4 R6 end to end through the CLI > a failing model reports type, code and line, not its message",
    "file": "/work/wt/lifecycle/test/e2e/flow.test.ts"
  },
  {
    "name": "R1 R4 R6 end to end through the CLI > an aggregate passes the gate, is approved by another organisation's reviewer and verifies offline; a changed byte fails",
    "file": "/work/wt/lifecycle/test/e2e/flow.test.ts"
  },
  {
    "name": "R1 R4 R6 end to end through the CLI > R6 a package sealed to a recipient opens only with the recipient's key",
    "file": "/work/wt/lifecycle/test/e2e/flow.test.ts"
  },
  {
    "name": "R1 R4 R6 end to end through the CLI > a reversible extract is blocked and no one can approve it (exit 4)",
    "file": "/work/wt/lifecycle/test/e2e/flow.test.ts"
  },
  {
    "name": "R1 R4 R6 end to end through the CLI > R7 the auditor sees every step and the chain verifies",
    "file": "/work/wt/lifecycle/test/e2e/flow.test.ts"
  },
  {
    "name": "R6 human review with separation of duties > grade-4 data needs two different reviewers; the same reviewer cannot count twice",
    "file": "/work/wt/lifecycle/test/e2e/review-duties.test.ts"
  },
  {
    "name": "R6 human review with separation of duties > developers cannot review, a review needs a reason, and a rejection ends the request",
    "file": "/work/wt/lifecycle/test/e2e/review-duties.test.ts"
  },
  {
    "name": "R6 human review with separation of duties > the developer sees rules and severities but not the findings' details",
    "file": "/work/wt/lifecycle/test/e2e/review-duties.test.ts"
  },
  {
    "name": "R6 human review with separation of duties > a scenario's approved desensitization policy is applied to its outputs at the gate",
    "file": "/work/wt/lifecycle/test/e2e/review-duties.test.ts"
  },
  {
    "name": "R6 human review with separation of duties > an API product over grade-4 data is listed only after two different reviewers approve",
    "file": "/work/wt/lifecycle/test/e2e/review-duties.test.ts"
  },
  {
    "name": "R6 human review with separation of duties > R4 jobs run only for the scenario's own developers, under an approved scenario and an active agreement",
    "file": "/work/wt/lifecycle/test/e2e/review-duties.test.ts"
  },
  {
    "name": "R8 data-quality feedback > working days skip Saturdays and Sundays",
    "file": "/work/wt/lifecycle/test/feedback/feedback.test.ts"
  },
  {
    "name": "R8 data-quality feedback > R8 a developer's report is routed to the dataset's provider with a 3-working-day due date, and only the parties see it",
    "file": "/work/wt/lifecycle/test/feedback/feedback.test.ts"
  },
  {
    "name": "R8 data-quality feedback > R8 an unanswered report becomes overdue after its due date; the deadline is configurable up to 10 working days",
    "file": "/work/wt/lifecycle/test/feedback/feedback.test.ts"
  },
  {
    "name": "R8 data-quality feedback > R8 bad input is refused with a reason: unknown dataset, empty text",
    "file": "/work/wt/lifecycle/test/feedback/feedback.test.ts"
  },
  {
    "name": "R8 data-quality feedback > R8 through the CLI: submit shows the due date, list shows it to the provider, answer closes it",
    "file": "/work/wt/lifecycle/test/feedback/feedback.test.ts"
  },
  {
    "name": "SIGKILL mid-load leaves the vault openable and the table old-complete or absent",
    "file": "/work/wt/lifecycle/test/ingest/crash.test.ts"
  },
  {
    "name": "the same child ingest, not killed, commits every row (the kill test's load is real)",
    "file": "/work/wt/lifecycle/test/ingest/crash.test.ts"
  },
  {
    "name": "detectFormat > maps extensions case-insensitively",
    "file": "/work/wt/lifecycle/test/ingest/ingest.test.ts"
  },
  {
    "name": "detectFormat > rejects unknown extensions with UNSUPPORTED_FORMAT",
    "file": "/work/wt/lifecycle/test/ingest/ingest.test.ts"
  },
  {
    "name": "ingestFile loads typed tables > CSV: types, values, row count, SM3 of the source and progress",
    "file": "/work/wt/lifecycle/test/ingest/ingest.test.ts"
  },
  {
    "name": "ingestFile loads typed tables > identifier-like digit columns stay text (IDs, 19-digit cards, leading zeros, +86)",
    "file": "/work/wt/lifecycle/test/ingest/ingest.test.ts"
  },
  {
    "name": "ingestFile loads typed tables > a value that only appears late does not break type detection",
    "file": "/work/wt/lifecycle/test/ingest/ingest.test.ts"
  },
  {
    "name": "ingestFile loads typed tables > TSV, JSON array, NDJSON and Parquet",
    "file": "/work/wt/lifecycle/test/ingest/ingest.test.ts"
  },
  {
    "name": "ingestFile loads typed tables > header-only CSV gives an empty table with the header's columns",
    "file": "/work/wt/lifecycle/test/ingest/ingest.test.ts"
  },
  {
    "name": "ingestFile loads typed tables > re-ingesting replaces the table",
    "file": "/work/wt/lifecycle/test/ingest/ingest.test.ts"
  },
  {
    "name": "ingestFile resists SQL injection through names > file path with quotes, table name with quotes and SQL, hostile header names",
    "file": "/work/wt/lifecycle/test/ingest/ingest.test.ts"
  },
  {
    "name": "ingestFile rejects bad input (exit 3) with file, line and column > ragged row, counting lines inside quoted fields",
    "file": "/work/wt/lifecycle/test/ingest/ingest.test.ts"
  },
  {
    "name": "ingestFile rejects bad input (exit 3) with file, line and column > too many fields",
    "file": "/work/wt/lifecycle/test/ingest/ingest.test.ts"
  },
  {
    "name": "ingestFile rejects bad input (exit 3) with file, line and column > quote inside an unquoted field",
    "file": "/work/wt/lifecycle/test/ingest/ingest.test.ts"
  },
  {
    "name": "ingestFile rejects bad input (exit 3) with file, line and column > text after a closing quote",
    "file": "/work/wt/lifecycle/test/ingest/ingest.test.ts"
  },
  {
    "name": "ingestFile rejects bad input (exit 3) with file, line and column > unterminated quote",
    "file": "/work/wt/lifecycle/test/ingest/ingest.test.ts"
  },
  {
    "name": "ingestFile rejects bad input (exit 3) with file, line and column > invalid UTF-8 (GBK bytes) on a given line",
    "file": "/work/wt/lifecycle/test/ingest/ingest.test.ts"
  },
  {
    "name": "ingestFile rejects bad input (exit 3) with file, line and column > UTF-8 split across read chunks is fine; a bad byte after 1 MiB is found with its line",
    "file": "/work/wt/lifecycle/test/ingest/ingest.test.ts"
  },
  {
    "name": "ingestFile rejects bad input (exit 3) with file, line and column > invalid UTF-8 in NDJSON reports the line",
    "file": "/work/wt/lifecycle/test/ingest/ingest.test.ts"
  },
  {
    "name": "ingestFile rejects bad input (exit 3) with file, line and column > duplicate and empty column names",
    "file": "/work/wt/lifecycle/test/ingest/ingest.test.ts"
  },
  {
    "name": "ingestFile rejects bad input (exit 3) with file, line and column > JSON keys that differ only in case",
    "file": "/work/wt/lifecycle/test/ingest/ingest.test.ts"
  },
  {
    "name": "ingestFile rejects bad input (exit 3) with file, line and column > empty file, missing path, directory, unknown extension",
    "file": "/work/wt/lifecycle/test/ingest/ingest.test.ts"
  },
  {
    "name": "ingestFile rejects bad input (exit 3) with file, line and column > malformed NDJSON: parse error with line, and the previous table survives",
    "file": "/work/wt/lifecycle/test/ingest/ingest.test.ts"
  },
  {
    "name": "ingestFile rejects bad input (exit 3) with file, line and column > JSON without records: empty array, blank NDJSON, array of scalars",
    "file": "/work/wt/lifecycle/test/ingest/ingest.test.ts"
  },
  {
    "name": "ingestFile rejects bad input (exit 3) with file, line and column > corrupt Parquet is a parse error and leaves no table",
    "file": "/work/wt/lifecycle/test/ingest/ingest.test.ts"
  },
  {
    "name": "reference checksums against published examples > GB 11643: the standard's example 11010519491231002X",
    "file": "/work/wt/lifecycle/test/pii/checksums.test.ts"
  },
  {
    "name": "reference checksums against published examples > GB 11643: 15-digit legacy IDs need a real 19YYMMDD date",
    "file": "/work/wt/lifecycle/test/pii/checksums.test.ts"
  },
  {
    "name": "reference checksums against published examples > GB 32100: the standard's worked example 91350100M000100Y4? has check character 3",
    "file": "/work/wt/lifecycle/test/pii/checksums.test.ts"
  },
  {
    "name": "reference checksums against published examples > Luhn: the classic 79927398713 and test card 4111 1111 1111 1111",
    "file": "/work/wt/lifecycle/test/pii/checksums.test.ts"
  },
  {
    "name": "reference checksums against published examples > mobile: 1[3-9] and 11 digits, optional +86/86",
    "file": "/work/wt/lifecycle/test/pii/checksums.test.ts"
  },
  {
    "name": "SQL checksums agree with the reference on random inputs > resident ID: 3000 random candidates (dates valid and not, all check characters)",
    "file": "/work/wt/lifecycle/test/pii/checksums.test.ts"
  },
  {
    "name": "SQL checksums agree with the reference on random inputs > Luhn: 3000 random digit strings of length 12-19",
    "file": "/work/wt/lifecycle/test/pii/checksums.test.ts"
  },
  {
    "name": "SQL checksums agree with the reference on random inputs > USCC: 3000 random 18-character codes",
    "file": "/work/wt/lifecycle/test/pii/checksums.test.ts"
  },
  {
    "name": "SQL checksums agree with the reference on random inputs > mobile: 2000 random 10-14 character numbers",
    "file": "/work/wt/lifecycle/test/pii/checksums.test.ts"
  },
  {
    "name": "quasi hints match whole English words and Chinese substrings",
    "file": "/work/wt/lifecycle/test/pii/column-hints.test.ts"
  },
  {
    "name": "sensitive hints",
    "file": "/work/wt/lifecycle/test/pii/column-hints.test.ts"
  },
  {
    "name": "a person-name hint needs a name made only of person words",
    "file": "/work/wt/lifecycle/test/pii/column-hints.test.ts"
  },
  {
    "name": "value-level precision and recall on a labelled corpus with near misses > the corpus itself is labelled correctly (reference checksums)",
    "file": "/work/wt/lifecycle/test/pii/detect.test.ts"
  },
  {
    "name": "value-level precision and recall on a labelled corpus with near misses > every detector meets its precision and recall",
    "file": "/work/wt/lifecycle/test/pii/detect.test.ts"
  },
  {
    "name": "value-level precision and recall on a labelled corpus with near misses > near misses of checksum types are all rejected",
    "file": "/work/wt/lifecycle/test/pii/detect.test.ts"
  },
  {
    "name": "value-level precision and recall on a labelled corpus with near misses > recall on hand-written addresses and names (styles the generators do not produce)",
    "file": "/work/wt/lifecycle/test/pii/detect.test.ts"
  },
  {
    "name": "value-level precision and recall on a labelled corpus with near misses > embedded detection: finds every whole value too, and rejects the near misses",
    "file": "/work/wt/lifecycle/test/pii/detect.test.ts"
  },
  {
    "name": "value-level precision and recall on a labelled corpus with near misses > embedded detection inside free text",
    "file": "/work/wt/lifecycle/test/pii/detect.test.ts"
  },
  {
    "name": "value-level precision and recall on a labelled corpus with near misses > known limit, measured: short non-name words that start with a surname character",
    "file": "/work/wt/lifecycle/test/pii/detect.test.ts"
  },
  {
    "name": "detectPii proposes column tags > resident ID column: pii:resident_id only, share from non-null values",
    "file": "/work/wt/lifecycle/test/pii/detect.test.ts"
  },
  {
    "name": "detectPii proposes column tags > mobile stored as BIGINT, names, mixed contact column",
    "file": "/work/wt/lifecycle/test/pii/detect.test.ts"
  },
  {
    "name": "detectPii proposes column tags > quasi and sensitive by name and by content; no tag for plain columns",
    "file": "/work/wt/lifecycle/test/pii/detect.test.ts"
  },
  {
    "name": "detectPii proposes column tags > free text that mostly carries identifiers is tagged by its embedded share",
    "file": "/work/wt/lifecycle/test/pii/detect.test.ts"
  },
  {
    "name": "detectPii proposes column tags > a stricter minShare drops the partly broken ID column, and sampling keeps the share",
    "file": "/work/wt/lifecycle/test/pii/detect.test.ts"
  },
  {
    "name": "detectPii proposes column tags > hostile column and table names are quoted, not executed",
    "file": "/work/wt/lifecycle/test/pii/detect.test.ts"
  },
  {
    "name": "detectPii proposes column tags > separators in values: spaced cards, hyphenated phones, dotted plates",
    "file": "/work/wt/lifecycle/test/pii/detect.test.ts"
  },
  {
    "name": "detectPii proposes column tags > empty table and non-text columns: tags from names only",
    "file": "/work/wt/lifecycle/test/pii/detect.test.ts"
  },
  {
    "name": "detectPii proposes column tags > bad options are refused",
    "file": "/work/wt/lifecycle/test/pii/detect.test.ts"
  },
  {
    "name": "detectPii proposes column tags > unknown table is an invalid-input error",
    "file": "/work/wt/lifecycle/test/pii/detect.test.ts"
  },
  {
    "name": "createRng > is deterministic for a seed and differs across seeds",
    "file": "/work/wt/lifecycle/test/pii-fake/fake.test.ts"
  },
  {
    "name": "createRng > int() stays within its inclusive bounds and reaches both ends",
    "file": "/work/wt/lifecycle/test/pii-fake/fake.test.ts"
  },
  {
    "name": "fake generators produce format-valid values (R2) > resident IDs pass GB 11643 and use real GB/T 2260 districts",
    "file": "/work/wt/lifecycle/test/pii-fake/fake.test.ts"
  },
  {
    "name": "fake generators produce format-valid values (R2) > mobiles are 11 digits, 1[3-9], accepted by the validator",
    "file": "/work/wt/lifecycle/test/pii-fake/fake.test.ts"
  },
  {
    "name": "fake generators produce format-valid values (R2) > bank cards are UnionPay 16/19 digits with a valid Luhn digit",
    "file": "/work/wt/lifecycle/test/pii-fake/fake.test.ts"
  },
  {
    "name": "fake generators produce format-valid values (R2) > USCCs pass GB 32100 and embed a real district",
    "file": "/work/wt/lifecycle/test/pii-fake/fake.test.ts"
  },
  {
    "name": "fake generators produce format-valid values (R2) > names are a common surname plus one or two Han characters",
    "file": "/work/wt/lifecycle/test/pii-fake/fake.test.ts"
  },
  {
    "name": "fake generators produce format-valid values (R2) > e-mails, IPv4 and IPv6 addresses are syntactically valid",
    "file": "/work/wt/lifecycle/test/pii-fake/fake.test.ts"
  },
  {
    "name": "fake generators produce format-valid values (R2) > plates follow the ordinary and new-energy formats",
    "file": "/work/wt/lifecycle/test/pii-fake/fake.test.ts"
  },
  {
    "name": "fake generators produce format-valid values (R2) > addresses start with the province, city and county of one real district",
    "file": "/work/wt/lifecycle/test/pii-fake/fake.test.ts"
  },
  {
    "name": "fake generators produce format-valid values (R2) > fakeFor covers every PII type",
    "file": "/work/wt/lifecycle/test/pii-fake/fake.test.ts"
  },
  {
    "name": "fakeResidentId options are honoured > district, birth date and gender (17th digit odd = male) are consistent",
    "file": "/work/wt/lifecycle/test/pii-fake/fake.test.ts"
  },
  {
    "name": "fakeResidentId options are honoured > a city- or province-level code yields a county inside it",
    "file": "/work/wt/lifecycle/test/pii-fake/fake.test.ts"
  },
  {
    "name": "fakeResidentId options are honoured > rejects an unknown district code with a typed error",
    "file": "/work/wt/lifecycle/test/pii-fake/fake.test.ts"
  },
  {
    "name": "determinism > resident_id: same seed gives the same values, another seed other values",
    "file": "/work/wt/lifecycle/test/pii-fake/fake.test.ts"
  },
  {
    "name": "determinism > mobile: same seed gives the same values, another seed other values",
    "file": "/work/wt/lifecycle/test/pii-fake/fake.test.ts"
  },
  {
    "name": "determinism > bank_card: same seed gives the same values, another seed other values",
    "file": "/work/wt/lifecycle/test/pii-fake/fake.test.ts"
  },
  {
    "name": "determinism > uscc: same seed gives the same values, another seed other values",
    "file": "/work/wt/lifecycle/test/pii-fake/fake.test.ts"
  },
  {
    "name": "determinism > name: same seed gives the same values, another seed other values",
    "file": "/work/wt/lifecycle/test/pii-fake/fake.test.ts"
  },
  {
    "name": "determinism > email: same seed gives the same values, another seed other values",
    "file": "/work/wt/lifecycle/test/pii-fake/fake.test.ts"
  },
  {
    "name": "determinism > ipv4: same seed gives the same values, another seed other values",
    "file": "/work/wt/lifecycle/test/pii-fake/fake.test.ts"
  },
  {
    "name": "determinism > ipv6: same seed gives the same values, another seed other values",
    "file": "/work/wt/lifecycle/test/pii-fake/fake.test.ts"
  },
  {
    "name": "determinism > plate: same seed gives the same values, another seed other values",
    "file": "/work/wt/lifecycle/test/pii-fake/fake.test.ts"
  },
  {
    "name": "determinism > address: same seed gives the same values, another seed other values",
    "file": "/work/wt/lifecycle/test/pii-fake/fake.test.ts"
  },
  {
    "name": "determinism > never calls Math.random",
    "file": "/work/wt/lifecycle/test/pii-fake/fake.test.ts"
  },
  {
    "name": "determinism > allDistricts holds the GB/T 2260 county level",
    "file": "/work/wt/lifecycle/test/pii-fake/fake.test.ts"
  },
  {
    "name": "R9 capacity benchmark > R9 measures every domain figure on a scratch domain next to a same-run yardstick, with machine facts and a scaling curve",
    "file": "/work/wt/lifecycle/test/reports/bench.test.ts"
  },
  {
    "name": "R9 capacity benchmark > JSON keys carry their unit: seconds become milliseconds, rates end in _per_s, MB/s in _mb_s",
    "file": "/work/wt/lifecycle/test/reports/bench.test.ts"
  },
  {
    "name": "R7 activity report from a real domain > R7 lists authorizations (who, what, scope, term), the scenario review, jobs, egress decisions, products and overdue feedback",
    "file": "/work/wt/lifecycle/test/reports/reports.test.ts"
  },
  {
    "name": "R7 activity report from a real domain > R7 only the operator's admin and auditors may read it; the CLI prints Markdown and JSON",
    "file": "/work/wt/lifecycle/test/reports/reports.test.ts"
  },
  {
    "name": "R7 R9 compliance report > R7 covers R1-R9 article by article, each with a mechanism, and links this very test by its title",
    "file": "/work/wt/lifecycle/test/reports/reports.test.ts"
  },
  {
    "name": "R7 R9 compliance report > R7 the test index reads R ids from titles and describe blocks, and ignores titles without one",
    "file": "/work/wt/lifecycle/test/reports/reports.test.ts"
  },
  {
    "name": "R7 R9 compliance report > R7 the CLI prints the compliance report without a domain",
    "file": "/work/wt/lifecycle/test/reports/reports.test.ts"
  },
  {
    "name": "fakeColumns under adversarial raw data (R2) > escapes a raw name column that covers every common-looking name",
    "file": "/work/wt/lifecycle/test/sample/fake-column.test.ts"
  },
  {
    "name": "fakeColumns under adversarial raw data (R2) > fails loudly, not silently, when no fake can avoid the raw values",
    "file": "/work/wt/lifecycle/test/sample/fake-column.test.ts"
  },
  {
    "name": "fakeColumns under adversarial raw data (R2) > keeps NULL cells NULL and fills each column with its own type",
    "file": "/work/wt/lifecycle/test/sample/fake-column.test.ts"
  },
  {
    "name": "buildSample keeps raw identifiers and raw records out (R2) > holds over many random tables: shapes, tiny tables, duplicates, nulls",
    "file": "/work/wt/lifecycle/test/sample/sample.test.ts"
  },
  {
    "name": "buildSample keeps raw identifiers and raw records out (R2) > returns min(N, table rows) rows with valid fakes and names each method",
    "file": "/work/wt/lifecycle/test/sample/sample.test.ts"
  },
  {
    "name": "buildSample keeps raw identifiers and raw records out (R2) > breaks row linkage: columns are drawn independently, not row-aligned",
    "file": "/work/wt/lifecycle/test/sample/sample.test.ts"
  },
  {
    "name": "buildSample keeps raw identifiers and raw records out (R2) > attack: when every possible row is a raw row, nothing is shown",
    "file": "/work/wt/lifecycle/test/sample/sample.test.ts"
  },
  {
    "name": "buildSample keeps raw identifiers and raw records out (R2) > a one-row table with an identifier yields one fully fake row",
    "file": "/work/wt/lifecycle/test/sample/sample.test.ts"
  },
  {
    "name": "buildSample keeps raw identifiers and raw records out (R2) > attack: a fake that equals a raw identifier is regenerated",
    "file": "/work/wt/lifecycle/test/sample/sample.test.ts"
  },
  {
    "name": "buildSample rejects bad input with typed errors > unknown columns, tags, row counts and injected table names",
    "file": "/work/wt/lifecycle/test/sample/sample.test.ts"
  },
  {
    "name": "buildSample over DuckDB types > applies the rule of each type family",
    "file": "/work/wt/lifecycle/test/sample/sample-types.test.ts"
  },
  {
    "name": "buildSample over DuckDB types > is reproducible for a seed and varies with it",
    "file": "/work/wt/lifecycle/test/sample/sample-types.test.ts"
  },
  {
    "name": "buildSample over DuckDB types > works on a vault connection locked down as DESIGN §11 prescribes",
    "file": "/work/wt/lifecycle/test/sample/sample-types.test.ts"
  },
  {
    "name": "generalisation rules > bands: at least 10 wide for integers, power-of-ten widths",
    "file": "/work/wt/lifecycle/test/sample/sample-types.test.ts"
  },
  {
    "name": "generalisation rules > district detection needs real GB/T 2260 city prefixes",
    "file": "/work/wt/lifecycle/test/sample/sample-types.test.ts"
  },
  {
    "name": "isolate attacks (R1) > has at least 40 distinct attacks across the attack suites",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: Function constructor reached through ctx",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: Function constructor reached through ctx.query",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: Function constructor reached through ctx.log",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: Function constructor reached through a query result",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: prototype of a query result is the guest's own",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: host globals are absent",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: Error.prepareStackTrace frames expose nothing of the host",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: Symbol.toPrimitive as the SQL text",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: getter and toPrimitive inside query params",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: toJSON in params binds a value, not SQL",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: getters on ctx.params cannot exist (params arrive as JSON)",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: Proxy as the returned result",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: Proxy as a returned table",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: Proxy whose traps never end",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: prototype pollution inside the isolate stays there",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: __proto__ keys in returned tables and model",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: column named __proto__ in a query result",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: dynamic import()",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: static import",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: import() hidden behind eval",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: eval reaching for host references",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: sync infinite loop",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: infinite loop at module top level",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: async infinite loop",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: microtask flood",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: promise that never settles",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: memory bomb: arrays",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: memory bomb: strings",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: memory bomb: typed arrays",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: deep recursion",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: catastrophic regex",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: giant output",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: millions of log lines",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: one enormous log line",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: query flood",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: row flood",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: timer precision",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: forged stack to smuggle a number through the line field",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: forged error name to smuggle text through the type field",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: throwing a Proxy",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: throwing an object whose getter never returns",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: shrunk resizable ArrayBuffer in the result",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > fails safely: replacing ctx members",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "isolate attacks (R1) > keeps serving after all of the above",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-isolate.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: read_csv of /etc/passwd",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: read_csv_auto of /etc/passwd",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: FROM-first read_text",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: replacement scan of a path",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: read_parquet of another library",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: replacement scan of another library",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: parquet_metadata of another library",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: glob of /",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: view name from another library",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: COPY TO outside",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: EXPORT DATABASE",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: ATTACH a new file",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: INSTALL httpfs",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: LOAD httpfs",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: SET enable_external_access",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: RESET allowed_directories",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: SET lock_configuration off",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: PRAGMA threads",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: PRAGMA enable_profiling",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: profiling output to a file",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: CREATE TABLE",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: duckdb_tables()",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: duckdb_settings()",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: duckdb_views without parentheses",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: information_schema",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: pg_catalog",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: current_setting",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: getenv",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: query() table function",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: query_table()",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: two statements",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: second statement after a comment",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: statement inside a block comment then real",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: CTE shadowing a view",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: CTE named like a catalog view",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: CTE referenced before it is defined (file-like name)",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: earlier CTE reading a later plain-named CTE",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: CTE referenced out of scope",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: table function in scalar subquery",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: table function in UNION",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: table function in JOIN",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: table function inside a lambda",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: schema-qualified table function",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: DESCRIBE",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: SUMMARIZE a file",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: PIVOT",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: PREPARE",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: version()",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: CALL enable_logging",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > refuses: enable_logging as table function",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > names what it refused",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "SQL guard alone (R1) > lets ordinary analytics through",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "DuckDB lockdown alone, guard disabled (R1) > stops every attack that reaches beyond the job's grant",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "DuckDB lockdown alone, guard disabled (R1) > contains enable_logging to the job's own worker",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "DuckDB lockdown alone, guard disabled (R1) > detects a COPY into the job's own library (the lockdown allows it; the pool fails the job)",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "guard and lockdown together (R1) > fails a model job that probes the guard even when the model catches the refusal",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "guard and lockdown together (R1) > refuses a SQL job reading another scenario's view",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "guard and lockdown together (R1) > binds params, never splices them",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "guard and lockdown together (R1) > a string literal that looks like a statement stays a literal",
    "file": "/work/wt/lifecycle/test/sandbox/attacks-sql.test.ts"
  },
  {
    "name": "model jobs (R5) > delivers query results as typed columns and returns tables, model, report, index and logs",
    "file": "/work/wt/lifecycle/test/sandbox/pool.test.ts"
  },
  {
    "name": "model jobs (R5) > returns numeric typed-array columns through one result buffer, converted to Int32/Float64",
    "file": "/work/wt/lifecycle/test/sandbox/pool.test.ts"
  },
  {
    "name": "model jobs (R5) > runs TypeScript models transpiled on the host",
    "file": "/work/wt/lifecycle/test/sandbox/pool.test.ts"
  },
  {
    "name": "error channel (R1) > reports type, code, line and column in the model's own code",
    "file": "/work/wt/lifecycle/test/sandbox/pool.test.ts"
  },
  {
    "name": "error channel (R1) > maps TypeScript errors back to the original line",
    "file": "/work/wt/lifecycle/test/sandbox/pool.test.ts"
  },
  {
    "name": "error channel (R1) > reports syntax errors with their line",
    "file": "/work/wt/lifecycle/test/sandbox/pool.test.ts"
  },
  {
    "name": "error channel (R1) > a SQL error inside a model carries the SQL error code",
    "file": "/work/wt/lifecycle/test/sandbox/pool.test.ts"
  },
  {
    "name": "SQL jobs (R5) > returns one guarded SELECT as table `result` with exact types",
    "file": "/work/wt/lifecycle/test/sandbox/pool.test.ts"
  },
  {
    "name": "SQL jobs (R5) > a SQL job that returns too many rows is killed with LIMIT_ROWS",
    "file": "/work/wt/lifecycle/test/sandbox/pool.test.ts"
  },
  {
    "name": "SQL jobs (R5) > a SQL job that runs too long is killed with LIMIT_WALL",
    "file": "/work/wt/lifecycle/test/sandbox/pool.test.ts"
  },
  {
    "name": "process isolation (R1) > a worker that cannot boot fails queued jobs with WORKER_BOOT_FAILED instead of fork-looping",
    "file": "/work/wt/lifecycle/test/sandbox/pool.test.ts"
  },
  {
    "name": "process isolation (R1) > refuses to switch the SQL guard off unless the pool was built for tests",
    "file": "/work/wt/lifecycle/test/sandbox/pool.test.ts"
  },
  {
    "name": "process isolation (R1) > starts workers under the permission model without write, child-process or worker rights",
    "file": "/work/wt/lifecycle/test/sandbox/pool.test.ts"
  },
  {
    "name": "process isolation (R1) > a worker SIGKILLed mid-job fails that job with WORKER_CRASHED and the pool keeps serving",
    "file": "/work/wt/lifecycle/test/sandbox/pool.test.ts"
  },
  {
    "name": "process isolation (R1) > a worker growing past its resident-memory cap is killed with LIMIT_MEMORY",
    "file": "/work/wt/lifecycle/test/sandbox/pool.test.ts"
  },
  {
    "name": "process isolation (R1) > a V8 fatal out-of-memory in a worker ends that job as LIMIT_MEMORY and the pool goes on",
    "file": "/work/wt/lifecycle/test/sandbox/pool.test.ts"
  },
  {
    "name": "process isolation (R1) > four jobs at once on four libraries each see only their own data",
    "file": "/work/wt/lifecycle/test/sandbox/pool.test.ts"
  },
  {
    "name": "bad input: every malformed request is a clear 4xx with a stable code, and the server stays up > named cases: malformed JSON, oversized body, wrong content type, unknown route, revoked token",
    "file": "/work/wt/lifecycle/test/server/fuzz.test.ts"
  },
  {
    "name": "bad input: every malformed request is a clear 4xx with a stable code, and the server stays up > 3,000 generated bad requests: no 5xx, every error in the ShuyuError shape, nothing created",
    "file": "/work/wt/lifecycle/test/server/fuzz.test.ts"
  },
  {
    "name": "shuyu serve: the API over the services > 401 without or with a wrong token, 403 when the role lacks the permission, 200 otherwise",
    "file": "/work/wt/lifecycle/test/server/api.test.ts"
  },
  {
    "name": "shuyu serve: the API over the services > writes the same audit entries as the CLI path (actor and action of the service)",
    "file": "/work/wt/lifecycle/test/server/api.test.ts"
  },
  {
    "name": "shuyu serve: the API over the services > the OpenAPI document lists every registered route with the services' request schemas",
    "file": "/work/wt/lifecycle/test/server/api.test.ts"
  },
  {
    "name": "shuyu serve: the API over the services > R6: a 核验 data interface answers match/no_match, signed, verifiable with only the seal certificate; never the stored value",
    "file": "/work/wt/lifecycle/test/server/api.test.ts"
  },
  {
    "name": "shuyu serve: the API over the services > R6: the per-call gate suppresses small counts and enforces the caller's quota",
    "file": "/work/wt/lifecycle/test/server/api.test.ts"
  },
  {
    "name": "shuyu serve: the API over the services > per-account rate limit (429 RATE_LIMITED) and refusal of an address that keeps sending bad tokens",
    "file": "/work/wt/lifecycle/test/server/api.test.ts"
  },
  {
    "name": "shuyu serve: the API over the services > the console escapes what users typed (an organisation named like a script tag) and needs a login",
    "file": "/work/wt/lifecycle/test/server/api.test.ts"
  },
  {
    "name": "shuyu serve: the API over the services > structured logs carry method, path and status but no token, cookie, query value or body",
    "file": "/work/wt/lifecycle/test/server/api.test.ts"
  },
  {
    "name": "R3 R7 retention: a durable access log, sealed audit exports, nothing deleted inside the window > R3 the access log is in the domain, one file per day, with route, status and account but never a token, query or body value",
    "file": "/work/wt/lifecycle/test/server/retention.test.ts"
  },
  {
    "name": "R3 R7 retention: a durable access log, sealed audit exports, nothing deleted inside the window > R7 audit export writes a sealed archive of the chain and logs that verifies on its own; a changed byte fails",
    "file": "/work/wt/lifecycle/test/server/retention.test.ts"
  },
  {
    "name": "R3 R7 retention: a durable access log, sealed audit exports, nothing deleted inside the window > R3 nothing inside the five-year window can be deleted; older access logs can",
    "file": "/work/wt/lifecycle/test/server/retention.test.ts"
  },
  {
    "name": "R3 R7 retention: a durable access log, sealed audit exports, nothing deleted inside the window > R7 the CLI exports and anyone verifies the export (--json); a bad period is a typed error",
    "file": "/work/wt/lifecycle/test/server/retention.test.ts"
  },
  {
    "name": "R7 a supervisor's view: regulator auditors read everything and change nothing > R7 a regulator organisation holds auditors only",
    "file": "/work/wt/lifecycle/test/server/regulator.test.ts"
  },
  {
    "name": "R7 a supervisor's view: regulator auditors read everything and change nothing > R7 the auditor reads the audit chain, catalog without samples, authorizations, scenarios, egress decisions, products, incidents and reports over the API",
    "file": "/work/wt/lifecycle/test/server/regulator.test.ts"
  },
  {
    "name": "R7 a supervisor's view: regulator auditors read everything and change nothing > R7 every state-changing route refuses the auditor, and each refusal is in the audit chain",
    "file": "/work/wt/lifecycle/test/server/regulator.test.ts"
  },
  {
    "name": "R7 a supervisor's view: regulator auditors read everything and change nothing > R7 a developer's refused attempt is audited too (over the API)",
    "file": "/work/wt/lifecycle/test/server/regulator.test.ts"
  },
  {
    "name": "graceful shutdown > finishes a running job's bookkeeping before the domain closes, and refuses new requests meanwhile",
    "file": "/work/wt/lifecycle/test/server/shutdown.test.ts"
  },
  {
    "name": "SM3 Merkle batches for API-product responses > matches a by-hand tree of three leaves and proves every leaf",
    "file": "/work/wt/lifecycle/test/server/signing.test.ts"
  },
  {
    "name": "SM3 Merkle batches for API-product responses > rejects a moved leaf, a leaf proved with another's path, and a leaf posing as an inner node",
    "file": "/work/wt/lifecycle/test/server/signing.test.ts"
  },
  {
    "name": "batch form of a product's SQL > rewrites $n outside literals, identifiers and comments only",
    "file": "/work/wt/lifecycle/test/server/signing.test.ts"
  }
]