/** A fenced shell block of a Markdown file: its info string, first line number and text. */
export interface ShellBlock {
  info: string;
  line: number;
  text: string;
}

/** The fenced blocks whose info string starts with `sh` (`sh skip` marks one the README test does not run). */
export function shellBlocks(markdown: string): ShellBlock[] {
  const out: ShellBlock[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(sh\b.*)$/.exec(lines[i]);
    if (!open) continue;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j].startsWith("```")) body.push(lines[j++]);
    out.push({ info: open[1].trim(), line: i + 1, text: body.join("\n") });
    i = j;
  }
  return out;
}

/** The blocks the README test runs, in order. */
export function runnableBlocks(markdown: string): ShellBlock[] {
  return shellBlocks(markdown).filter((b) => b.info === "sh");
}
