export { stateWord, words, type Lang, type Word } from "./catalogue.js";
export { cliLang } from "./lang.js";
