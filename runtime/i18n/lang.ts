import type { Lang } from "./catalogue.js";

/**
 * The CLI reader's language: SHUYU_LANG (zh|en) first, then the POSIX locale variables in
 * their precedence order (LC_ALL, LC_MESSAGES, LANG); a Chinese locale gives Chinese.
 */
export function cliLang(env: NodeJS.ProcessEnv = process.env): Lang {
  const chosen = env.SHUYU_LANG?.toLowerCase();
  if (chosen === "zh" || chosen === "en") return chosen;
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || "";
  return /^zh([_.-]|$)/i.test(locale) ? "zh" : "en";
}
