import { readFile, writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { invalid } from "../../../policies/errors.js";
import { privateKeyToPem, readPrivateKey } from "../../../crypto/keys/pkcs8.js";
import { publicKeyToPem, readPublicKey } from "../../../crypto/keys/spki.js";
import { generateKeyPair, SM2_DEFAULT_ID, sign, verify } from "../../../crypto/sm2/index.js";
import { sm3, sm3File } from "../../../crypto/sm3.js";
import { action, usage } from "../run-command.js";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

/** Reads a file, turning "no such file" into an invalid-input error that names it. */
async function readInput(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "EISDIR" || code === "EACCES") {
      throw invalid("FILE_UNREADABLE", `cannot read the ${what} '${path}' (${code})`, { file: path, what });
    }
    throw err;
  }
}

/** Writes a new file, refusing to replace an existing one (keys are never overwritten silently). */
async function writeNew(path: string, data: string | Uint8Array, mode: number): Promise<void> {
  try {
    await writeFile(path, data, { flag: "wx", mode });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") {
      throw invalid("FILE_EXISTS", `'${path}' already exists; choose another path or remove it first`, { file: path });
    }
    throw err;
  }
}

/** The passphrase named by --passphrase-env, if any. */
function passphraseFrom(envVar: string | undefined): string | undefined {
  if (envVar === undefined) return undefined;
  const value = process.env[envVar];
  if (!value) throw usage(`environment variable ${envVar} (from --passphrase-env) is unset or empty`);
  return value;
}

/** `crypto keygen|sign|verify|sm3` (DESIGN §6, §10). */
export function registerCryptoCommands(program: Command): void {
  const crypto = program.command("crypto").description("SM2 keys and signatures, SM3 digests (GM/T national algorithms)");

  crypto
    .command("keygen")
    .description("generate an SM2 key pair as PKCS#8 / SPKI PEM that OpenSSL 3 reads")
    .requiredOption("--out <file>", "private key PEM (created with mode 0600)")
    .requiredOption("--pub <file>", "public key PEM")
    .option("--passphrase-env <var>", "encrypt the private key (PBES2: PBKDF2-HMAC-SHA256 + SM4-CBC) with the passphrase in this variable")
    .action(
      action(async (cmd) => {
        const o = cmd.opts<{ out: string; pub: string; passphraseEnv?: string }>();
        if (o.out === o.pub) throw usage("--out and --pub must be different files");
        const passphrase = passphraseFrom(o.passphraseEnv);
        const { privateKey, publicKey } = generateKeyPair();
        await writeNew(o.out, privateKeyToPem(privateKey, { passphrase }), 0o600);
        await writeNew(o.pub, publicKeyToPem(publicKey), 0o644);
        const id = hex(sm3(publicKey)).slice(0, 16);
        return {
          human: `SM2 key ${id}: private key ${o.out}${passphrase ? " (encrypted)" : ""}, public key ${o.pub}`,
          json: { id, privateKeyFile: o.out, publicKeyFile: o.pub, encrypted: passphrase !== undefined, publicKey: hex(publicKey) },
        };
      }),
    );

  crypto
    .command("sign")
    .description("sign FILE with SM2 (SM3 digest with the signer ID); writes a DER signature")
    .argument("<file>")
    .requiredOption("--key <file>", "private key PEM (PKCS#8, encrypted PKCS#8 or SEC 1)")
    .requiredOption("--out <file>", "signature output (DER)")
    .option("--id <uid>", "SM2 signer ID", SM2_DEFAULT_ID)
    .option("--passphrase-env <var>", "variable holding the private key's passphrase")
    .action(
      action(async (cmd, file: string) => {
        const o = cmd.opts<{ key: string; out: string; id: string; passphraseEnv?: string }>();
        const key = readPrivateKey(await readInput(o.key, "private key"), { passphrase: passphraseFrom(o.passphraseEnv) });
        const signature = sign(await readInput(file, "file to sign"), key.privateKey, { id: o.id, publicKey: key.publicKey });
        await writeFile(o.out, signature);
        return { human: `signed ${file} -> ${o.out}`, json: { file, signature: o.out, id: o.id } };
      }),
    );

  crypto
    .command("verify")
    .description("verify an SM2 signature on FILE (exit 0 valid, 3 SIGNATURE_INVALID)")
    .argument("<file>")
    .requiredOption("--pub <file>", "public key PEM")
    .requiredOption("--sig <file>", "signature (DER)")
    .option("--id <uid>", "SM2 signer ID", SM2_DEFAULT_ID)
    .action(
      action(async (cmd, file: string) => {
        const o = cmd.opts<{ pub: string; sig: string; id: string }>();
        const publicKey = readPublicKey(await readInput(o.pub, "public key"));
        const signature = await readInput(o.sig, "signature");
        const message = await readInput(file, "signed file");
        let ok: boolean;
        try {
          ok = verify(message, signature, publicKey, { id: o.id });
        } catch {
          ok = false; // a malformed signature file is just an invalid signature
        }
        if (!ok) {
          throw invalid("SIGNATURE_INVALID", `the signature ${o.sig} does not match ${file} under ${o.pub} (file changed, wrong key or wrong --id)`, {
            file,
            signature: o.sig,
            publicKey: o.pub,
          });
        }
        return { human: `OK: ${file} signature valid`, json: { file, valid: true, id: o.id } };
      }),
    );

  crypto
    .command("sm3")
    .description("SM3 digest of FILE (streamed, any size), as hex")
    .argument("<file>")
    .action(
      action(async (_cmd, file: string) => {
        let digest: Uint8Array;
        try {
          digest = await sm3File(file);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === "ENOENT" || code === "EISDIR" || code === "EACCES") throw invalid("FILE_UNREADABLE", `cannot read '${file}' (${code})`, { file });
          throw err;
        }
        return { human: hex(digest), json: { file, sm3: hex(digest) } };
      }),
    );
}
