package main

// completion.go: `completion bash|zsh|fish` prints a shell script; the
// scripts call the hidden `difyctl __complete <words…>` (the shape cobra
// uses), so one Go function, complete, decides every candidate. It reads
// local files only — hosts.yml for hosts and accounts — never the network
// and never a token.

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
)

// completeCommandName is the hidden command the scripts call.
const completeCommandName = "__complete"

var completionCommand = &command{
	quick:   true,
	path:    "completion",
	summary: "Print a shell completion script (bash, zsh or fish)",
	usage:   "completion bash|zsh|fish",
	long: "Prints a script that makes Tab complete difyctl's commands, flags, -o/--output values,\n" +
		"and the hosts and accounts you are signed in to (from hosts.yml; never the network).\n" +
		"Load it from your shell's start-up file:\n" +
		"  bash:  echo 'source <(difyctl completion bash)' >> ~/.bashrc\n" +
		"  zsh:   echo 'source <(difyctl completion zsh)' >> ~/.zshrc   (after compinit)\n" +
		"  fish:  difyctl completion fish > ~/.config/fish/completions/difyctl.fish",
	examples: []string{
		"source <(difyctl completion bash)",
		"difyctl completion zsh > \"${fpath[1]}/_difyctl\"",
		"difyctl completion fish > ~/.config/fish/completions/difyctl.fish",
	},
	exits:   [][2]string{{"0", "The script was printed"}, {"2", "No shell, or one other than bash, zsh and fish"}},
	maxArgs: 1,
	setup: func(fs *flag.FlagSet) func(a *app, args []string) error {
		return func(a *app, args []string) error {
			if len(args) == 0 {
				return newError(codeUsageMissingArg, "name a shell: bash, zsh or fish", "run 'difyctl completion --help'")
			}
			script, ok := map[string]string{"bash": bashCompletion, "zsh": zshCompletion, "fish": fishCompletion}[args[0]]
			if !ok {
				return newError(codeUsageInvalidFlag, fmt.Sprintf("unsupported shell %s", quoted(args[0])), "supported shells: bash, zsh, fish")
			}
			return a.writeString(script)
		}
	},
}

// complete serves `difyctl __complete <words…>`: words are the arguments
// after the program name up to the cursor, the last one being the word
// under completion ("" for a new word). It prints one candidate per line,
// `candidate<TAB>description` where there is one, then `:4` (cobra's
// "no file completion" directive). It never fails: a problem means no
// candidates.
func (a *app) complete(words []string) error {
	var b strings.Builder
	for _, c := range a.completions(words) {
		b.WriteString(c + "\n")
	}
	b.WriteString(":4\n")
	io.WriteString(a.stdout, b.String())
	return nil
}

// completions decides what can follow words (see complete).
func (a *app) completions(words []string) []string {
	if len(words) == 0 {
		words = []string{""}
	}
	cur, before := words[len(words)-1], words[:len(words)-1]

	// Walk the command path through the words before the cursor.
	path := ""
	var cmd *command
	i := 0
	for ; i < len(before) && cmd == nil; i++ {
		next := strings.TrimSpace(path + " " + before[i])
		if c := findCommand(next); c != nil {
			cmd = c
		} else if _, ok := groups[next]; ok {
			path = next
		} else {
			return nil // an unknown word: nothing sensible follows
		}
	}
	if cmd == nil {
		if strings.HasPrefix(cur, "-") {
			if path == "" {
				return filterPrefix([]string{"--help\tShow help", "--version\tPrint the version"}, cur)
			}
			return filterPrefix([]string{"--help\tShow help"}, cur)
		}
		return filterPrefix(subcommands(path), cur)
	}
	args := before[i:]

	// The words before the cursor are parsed as the command parses them.
	fs := flag.NewFlagSet(cmd.path, flag.ContinueOnError)
	cmd.setup(fs)
	pos, want, _ := cmd.parseFlags(fs, args)
	// The value of a flag: "--domain <TAB>" or "--domain=<TAB>".
	if want != nil {
		return filterPrefix(a.flagValues(cmd, fs, want.Name), cur)
	}
	if strings.HasPrefix(cur, "-") && !slices.Contains(args, "--") {
		if name, val, ok := strings.Cut(cur, "="); ok {
			var out []string
			for _, v := range filterPrefix(a.flagValues(cmd, fs, strings.TrimLeft(name, "-")), val) {
				out = append(out, name+"="+v)
			}
			return out
		}
		return filterPrefix(flagNames(cmd, fs), cur)
	}
	if cmd == completionCommand && len(pos) == 0 {
		return filterPrefix([]string{"bash", "zsh", "fish"}, cur)
	}
	return nil
}

// subcommands lists the words that may follow a group path, with their
// summaries.
func subcommands(path string) []string {
	prefix := ""
	if path != "" {
		prefix = path + " "
	}
	seen := map[string]bool{}
	var out []string
	for _, c := range commands {
		word, _, _ := strings.Cut(strings.TrimPrefix(c.path, prefix), " ")
		if !strings.HasPrefix(c.path, prefix) || word == "" || seen[word] {
			continue
		}
		seen[word] = true
		summary := c.summary
		if g, ok := groups[prefix+word]; ok {
			summary = g
		}
		out = append(out, word+"\t"+summary)
	}
	sort.Strings(out)
	return out
}

// flagNames lists a command's flags as typed: --long, -x for one letter.
func flagNames(cmd *command, fs *flag.FlagSet) []string {
	var out []string
	fs.VisitAll(func(f *flag.Flag) {
		usage := f.Usage
		if long, ok := cmd.aliases[f.Name]; ok {
			usage = fs.Lookup(long).Usage
		}
		_, usage = flag.UnquoteUsage(&flag.Flag{Usage: usage})
		dash := "--"
		if len(f.Name) == 1 {
			dash = "-"
		}
		out = append(out, dash+f.Name+"\t"+usage)
	})
	out = append(out, "--help\tShow help")
	sort.Strings(out)
	return out
}

// flagValues are the candidates for a flag's value. Hosts and accounts
// come from hosts.yml alone; under DIFY_TOKEN nothing in the config dir is
// read, so there are none.
func (a *app) flagValues(cmd *command, fs *flag.FlagSet, name string) []string {
	switch {
	case name == "o" || name == "output":
		return []string{"json", "yaml", "name"}
	case name == "domain" || name == "host" && cmd == tokenCommand:
		return withoutTabs(hostNames(a.localHosts()))
	case name == "email" && (cmd == useAccountCommand || cmd == tokenCommand):
		h := a.localHosts()
		host := h.CurrentHost
		if cmd == tokenCommand {
			if v := fs.Lookup("host").Value.String(); v != "" {
				host = normalizeHostArg(v)
			}
		}
		if e := h.host(host); e != nil {
			return withoutTabs(e.emails())
		}
	}
	return nil
}

// withoutTabs drops the values from hosts.yml that hold a tab: the shell
// would take the part after it for a description.
func withoutTabs(vals []string) []string {
	return slices.DeleteFunc(vals, func(v string) bool { return strings.Contains(v, "\t") })
}

// localHosts reads hosts.yml for completion; empty when it cannot. Its
// warnings (a group-readable file…) are not shown: stderr is the terminal
// line being edited.
func (a *app) localHosts() *hostsFile {
	if a.getenv("DIFY_TOKEN") == "" {
		if dir, err := configDir(a.getenv); err == nil {
			st := &store{dir: dir, warn: func(string) {}}
			if h, err := st.load(); err == nil {
				return h
			}
		}
	}
	return &hostsFile{}
}

// filterPrefix keeps the candidates (the part before a tab) that start
// with prefix, one line each: control and invisible characters from
// hosts.yml (bidi controls would reorder the command line) must not reach
// the shell.
func filterPrefix(cands []string, prefix string) []string {
	var out []string
	for _, c := range cands {
		word, _, _ := strings.Cut(c, "\t")
		if word == "" || !strings.HasPrefix(word, prefix) || strings.ContainsFunc(c, func(r rune) bool { return r != '\t' && needsEscape(r) }) {
			continue
		}
		out = append(out, c)
	}
	return out
}

const bashCompletion = `# bash completion for difyctl                              -*- shell-script -*-
# Load it with: source <(difyctl completion bash)

_difyctl() {
    local i w glue=0
    local -a args=()
    # Put back together the words bash split at ':' and '=' (hosts with a
    # port, --flag=value).
    for (( i=1; i<=COMP_CWORD; i++ )); do
        w=${COMP_WORDS[i]}
        if (( ${#args[@]} > 0 )) && [[ $w == ":" || $w == "=" ]]; then
            args[${#args[@]}-1]+=$w
            glue=1
            continue
        fi
        if (( glue )); then
            args[${#args[@]}-1]+=$w
            glue=0
            continue
        fi
        args+=("$w")
    done
    local cur=${args[${#args[@]}-1]}
    local word=${COMP_WORDS[COMP_CWORD]}
    # Right after a ':' or '=' the piece bash replaces is empty.
    [[ $word == ":" || $word == "=" ]] && word=""
    # bash replaces only the last piece; drop what comes before it.
    local strip=${cur%"$word"}
    local out line q
    out=$(difyctl __complete "${args[@]}" 2>/dev/null) || return
    COMPREPLY=()
    while IFS= read -r line; do
        [[ -z $line || $line == :* ]] && continue
        line=${line%%$'\t'*}
        # Quoted for the shell: bash inserts a candidate as typed text, and
        # hosts and emails come from hosts.yml.
        printf -v q %q "${line#"$strip"}"
        COMPREPLY+=("$q")
    done <<< "$out"
}

complete -F _difyctl difyctl
`

const zshCompletion = `#compdef difyctl
# zsh completion for difyctl
# Load it with: source <(difyctl completion zsh)   (after compinit)

_difyctl() {
    local -a lines comps
    local line name desc
    lines=("${(@f)$(difyctl __complete "${(@)words[2,CURRENT]}" 2>/dev/null)}")
    for line in "${lines[@]}"; do
        [[ -z $line || $line == :* ]] && continue
        name=${line%%$'\t'*}
        name=${name//:/\\:}
        if [[ $line == *$'\t'* ]]; then
            desc=${line#*$'\t'}
            comps+=("$name:$desc")
        else
            comps+=("$name")
        fi
    done
    (( ${#comps} )) && _describe -t difyctl 'difyctl' comps
}

if [[ $zsh_eval_context[-1] == loadautoload ]]; then
    _difyctl "$@"
else
    compdef _difyctl difyctl
fi
`

const fishCompletion = `# fish completion for difyctl
# Install it with: difyctl completion fish > ~/.config/fish/completions/difyctl.fish

function __difyctl_complete
    set -l words (commandline -opc) (commandline -ct)
    set -e words[1]
    difyctl __complete $words 2>/dev/null | string match -v -r '^:'
end

complete -c difyctl -f -a '(__difyctl_complete)'
`
