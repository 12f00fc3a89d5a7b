import { cliLang, stateWord, words, type Lang } from "../i18n/index.js";

/**
 * A state or severity as the CLI's reader reads it, from the catalogue the console uses:
 * the Chinese word under a Chinese locale, else the machine value (which scripts match on).
 */
export function shownState(value: string, prefix: "st" | "sev" = "st", lang: Lang = cliLang()): string {
  return lang === "zh" ? stateWord(words("zh"), prefix, value) : value;
}

/** The same rows with their `state` column shown in the reader's language (for tables). */
export function withShownStates<T extends { state: string }>(rows: readonly T[], lang: Lang = cliLang()): T[] {
  return rows.map((r) => ({ ...r, state: shownState(r.state, "st", lang) }));
}
