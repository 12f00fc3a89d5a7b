import type { Command } from "commander";
import { action, usage } from "../run-command.js";

/** Every command path of the tree with its options' long names (root options apply everywhere). */
function paths(c: Command, prefix: string[] = []): { path: string[]; subs: string[]; options: string[] }[] {
  const here = { path: prefix, subs: c.commands.map((x) => x.name()), options: c.options.map((o) => o.long).filter((x): x is string => !!x) };
  return [here, ...c.commands.flatMap((sub) => paths(sub, [...prefix, sub.name()]))];
}

/** A bash completion script generated from the command tree, so it never lags behind the commands. */
export function bashCompletion(root: Command): string {
  const all = paths(root);
  const global = all[0].options.join(" ");
  const cases = all
    // The root's own options are the global ones, added to every reply below.
    .map((p, i) => `    "${p.path.join(" ")}") words="${[...p.subs, ...(i === 0 ? [] : p.options)].join(" ")}" ;;`)
    .join("\n");
  return `# shuyu bash completion: eval "$(shuyu completion bash)" (or save it under /etc/bash_completion.d/)
_shuyu() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" w words
  for w in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    case "$w" in -*) ;; *) [ -n "$path" ] && path="$path $w" || path="$w" ;; esac
  done
  while :; do
    case "$path" in
${cases}
      *) if [[ "$path" == *" "* ]]; then path="\${path% *}"; else path=""; fi; continue ;;
    esac
    break
  done
  COMPREPLY=( $(compgen -W "$words ${global}" -- "$cur") )
}
complete -o default -F _shuyu shuyu
`;
}

/** `completion bash`. */
export function registerCompletionCommands(program: Command): void {
  program
    .command("completion")
    .description("print a shell completion script generated from the commands")
    .argument("<shell>", "bash")
    .addHelpText("after", '\nExample:\n  eval "$(shuyu completion bash)"')
    .action(
      action(async (_cmd, shell: string) => {
        if (shell !== "bash") throw usage(`completion is generated for bash (got ${shell})`);
        let root: Command = _cmd;
        while (root.parent) root = root.parent;
        const script = bashCompletion(root);
        return { human: script, json: { shell, script } };
      }),
    );
}
