import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function packageJsonPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("cannot find shuyu's package.json");
    dir = up;
  }
  return join(dir, "package.json");
}

/** The line `shuyu --version` prints: shuyu, the Node.js it runs on and the isolated-vm it loads. */
export function versionLine(): string {
  const pkg = packageJsonPath();
  const own = JSON.parse(readFileSync(pkg, "utf8")) as { version: string };
  const ivm = JSON.parse(readFileSync(createRequire(pkg).resolve("isolated-vm/package.json"), "utf8")) as { version: string };
  return `shuyu ${own.version} (node ${process.versions.node}, isolated-vm ${ivm.version})`;
}
