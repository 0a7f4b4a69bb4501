// Command difyctl signs in to Dify hosts with the OAuth 2.0 device flow and
// keeps those sign-ins: metadata in hosts.yml, tokens in the OS credential
// store or a sealed file.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"
)

// version is the client version, sent in the User-Agent. Dify servers
// refuse difyctl/ versions below 0.2.0. Set with -ldflags "-X main.version=…".
var version = "0.2.0"

// app carries everything a command touches of the outside world, so the
// same command runs in-process in unit tests and as a binary.
type app struct {
	ctx context.Context
	// catchInterrupts, when set, replaces ctx with one that Ctrl-C,
	// SIGTERM and SIGHUP cancel. runCommand calls it for every command that waits on
	// the network, a helper process or a person; the quick local ones
	// skip it, because watching signals costs a Go process two threads.
	catchInterrupts func(context.Context) (context.Context, context.CancelFunc)
	stopInterrupts  context.CancelFunc
	stdin           io.Reader
	stdout          io.Writer
	stderr          io.Writer
	getenv          func(string) string
	now             func() time.Time

	stdinTTY, stdoutTTY, stderrTTY bool
	// term puts the terminal in raw mode for the pickers; nil when stdin
	// is not a terminal.
	term rawTerminal

	// jsonOut is set when the command was asked for JSON, so its errors
	// print as the JSON envelope.
	jsonOut bool

	// transportWarned holds the hosts already warned about as plain http
	// or unverified TLS in this command.
	transportWarned map[string]bool

	st     *store
	tokens *credentialChain
}

// rawTerminal switches the controlling terminal to raw mode and back, and
// tells its size (0, 0 when unknown).
type rawTerminal interface {
	makeRaw() (restore func(), err error)
	size() (width, height int)
}

type fdTerminal struct{ fd int }

func (t fdTerminal) makeRaw() (func(), error) {
	old, err := term.MakeRaw(t.fd)
	if err != nil {
		return nil, err
	}
	return func() { term.Restore(t.fd, old) }, nil
}

func (t fdTerminal) size() (int, int) {
	w, h, err := term.GetSize(t.fd)
	if err != nil {
		return 0, 0
	}
	return w, h
}

func main() {
	os.Exit(runMain())
}

// runMain wires the real process into an app and runs it.
func runMain() int {
	disableCoreDumps()
	// A closed pipe on stdout must end the command quietly with exit 0:
	// with SIGPIPE ignored, writes to it return EPIPE instead of killing
	// the process. Helpers we start inherit the ignored SIGPIPE; they
	// write only to pipes we read to the end.
	signal.Ignore(syscall.SIGPIPE)
	out := &pipeWriter{w: os.Stdout}
	a := &app{
		ctx: context.Background(),
		catchInterrupts: func(ctx context.Context) (context.Context, context.CancelFunc) {
			// SIGHUP too: a closed terminal must not kill difyctl the
			// default way while it holds hosts.yml.lock.
			return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
		},
		stdin:     os.Stdin,
		stdout:    out,
		stderr:    os.Stderr,
		getenv:    os.Getenv,
		now:       time.Now,
		stdinTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		stdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		stderrTTY: term.IsTerminal(int(os.Stderr.Fd())),
	}
	if a.stdinTTY {
		a.term = fdTerminal{int(os.Stdin.Fd())}
	}
	if a.stderrTTY {
		a.ctx = context.WithValue(a.ctx, toolWaitKey{}, a.warn)
	}
	code := a.run(os.Args[1:])
	if a.stopInterrupts != nil {
		a.stopInterrupts()
	}
	if out.broken {
		return 0
	}
	return code
}

// pipeWriter remembers that the reader of stdout went away and swallows
// later writes.
type pipeWriter struct {
	w      io.Writer
	broken bool
}

func (p *pipeWriter) Write(b []byte) (int, error) {
	if p.broken {
		return len(b), nil
	}
	n, err := p.w.Write(b)
	if err != nil && isBrokenPipe(err) {
		p.broken = true
		return len(b), nil
	}
	return n, err
}

// run dispatches argv and turns the result into an exit code, printing
// errors on stderr in the format the command was asked for.
func (a *app) run(args []string) int {
	err := a.dispatch(args)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if errors.Is(err, errInterrupted) || (a.ctx != nil && a.ctx.Err() != nil && !errors.As(err, new(*cliError))) {
		return 130
	}
	var pe *parseError
	if errors.As(err, &pe) {
		fmt.Fprintln(a.stderr, pe.msg)
		return 1
	}
	if a.jsonOut {
		writeJSONError(a.stderr, err)
	} else {
		writeHumanError(a.stderr, err, a.colors(a.stderrTTY))
	}
	return exitCodeFor(err)
}

// colors returns the colour switch for a stream.
func (a *app) colors(isTTY bool) colors {
	return colors{on: isTTY && a.getenv("NO_COLOR") == ""}
}

// warn prints one `! message` line on stderr, sanitized and redacted here
// as an error line is: messages are built with raw values (a server's
// error message, a helper's stderr), whoever supplied them.
func (a *app) warn(msg string) {
	fmt.Fprintf(a.stderr, "%s %s\n", a.colors(a.stderrTTY).yellow("!"), redactText(sanitize(msg)))
}

// store returns the config store, resolving the directory on first use.
func (a *app) store() (*store, error) {
	if a.st != nil {
		return a.st, nil
	}
	dir, err := configDir(a.getenv)
	if err != nil {
		return nil, err
	}
	data, _ := dataDir(a.getenv) // unresolved: the OS lock stays in dir
	a.st = &store{dir: dir, dataDir: data, home: a.getenv("HOME"), warn: a.warn, ctx: func() context.Context { return a.ctx }}
	return a.st, nil
}

// hosts returns the config store and hosts.yml as it is now.
func (a *app) hosts() (*store, *hostsFile, error) {
	st, err := a.store()
	if err != nil {
		return nil, nil, err
	}
	h, err := st.load()
	return st, h, err
}

// tokenStore returns the credential store, built on first use.
func (a *app) tokenStore() (*credentialChain, error) {
	if a.tokens == nil {
		ts, err := newTokenStore(a)
		if err != nil {
			return nil, err
		}
		a.tokens = ts
	}
	return a.tokens, nil
}

// command is one leaf of the command tree.
type command struct {
	path     string // "auth devices list"
	summary  string
	usage    string // after "difyctl "
	long     string
	examples []string
	exits    [][2]string
	aliases  map[string]string // flag alias → the flag it stands for: "output": "o"
	// setup registers the flags and returns the runner, which receives
	// the positional arguments.
	setup func(fs *flag.FlagSet) func(a *app, args []string) error
	// maxArgs is how many positional arguments the command takes.
	maxArgs int
	// quick commands only read local files and never wait, so Ctrl-C may
	// end them the default way (the shell still sees 130).
	quick bool
	// changesSignIns commands are refused while DIFY_TOKEN is set: the
	// stored sign-ins they change are not in use then.
	changesSignIns bool
}

// commands is the whole command tree, in help order.
var commands []*command

func init() {
	commands = []*command{
		loginCommand, logoutCommand, whoamiCommand, listCommand,
		tokenCommand, statusCommand,
		devicesListCommand, devicesRevokeCommand,
		useHostCommand, useAccountCommand, completionCommand, versionCommand,
	}
}

var groups = map[string]string{
	"auth":         "Sign in, sign out, and inspect your contexts",
	"auth devices": "List and revoke your server-side sessions",
	"use":          "Switch the active host or account",
}

func findCommand(path string) *command {
	for _, c := range commands {
		if c.path == path {
			return c
		}
	}
	return nil
}

// dispatch finds the command named by the leading words of args and runs it.
func (a *app) dispatch(args []string) error {
	if len(args) == 0 {
		a.printOverview()
		return nil
	}
	switch args[0] {
	case "-h", "--help", "help":
		if len(args) > 1 && args[0] == "help" {
			return a.helpTopic(args[1:])
		}
		a.printOverview()
		return nil
	case "--version", "-version":
		fmt.Fprintln(a.stdout, "difyctl "+version)
		return nil
	case completeCommandName:
		return a.complete(args[1:])
	}
	path := ""
	i := 0
	for ; i < len(args); i++ {
		next := strings.TrimSpace(path + " " + args[i])
		if c := findCommand(next); c != nil {
			return a.runCommand(c, args[i+1:])
		}
		if _, ok := groups[next]; !ok {
			break
		}
		path = next
	}
	if path != "" && (i == len(args) || isHelpFlag(args[i])) {
		a.printGroup(path)
		return nil
	}
	word := path
	if i < len(args) {
		word = strings.TrimSpace(path + " " + args[i])
	}
	return &parseError{msg: unknownCommandMessage(word)}
}

func isHelpFlag(s string) bool { return s == "-h" || s == "--help" || s == "-help" }

// unknownCommandMessage names the bad command and suggests close ones.
func unknownCommandMessage(word string) string {
	msg := "unknown command: " + sanitize(word)
	var near []string
	for _, c := range commands {
		if closeEnough(word, c.path) {
			near = append(near, c.path)
		}
	}
	for g := range groups {
		if closeEnough(word, g) {
			near = append(near, g)
		}
	}
	sort.Strings(near)
	if len(near) > 0 {
		msg += "\nDid you mean:\n"
		for _, n := range near {
			msg += "  difyctl " + n + "\n"
		}
		msg = strings.TrimSuffix(msg, "\n")
	}
	return msg + "\nRun 'difyctl --help' for the list of commands."
}

// closeEnough says whether a mistyped name is near a real one: an edit
// distance of at most 2, or the real name starting with it.
func closeEnough(typed, real string) bool {
	if typed == "" {
		return false
	}
	if strings.HasPrefix(real, typed) || editDistance(typed, real) <= 2 {
		return true
	}
	// "auth whomai" vs "auth whoami": compare the last words too.
	tw, rw := strings.Fields(typed), strings.Fields(real)
	if len(tw) == len(rw) && len(tw) > 1 && strings.Join(tw[:len(tw)-1], " ") == strings.Join(rw[:len(rw)-1], " ") {
		return editDistance(tw[len(tw)-1], rw[len(rw)-1]) <= 2
	}
	return false
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// runCommand parses the command's flags (before or after positional
// arguments) and runs it.
func (a *app) runCommand(c *command, args []string) error {
	fs := flag.NewFlagSet(c.path, flag.ContinueOnError)
	runner := c.setup(fs)
	pos, want, err := c.parseFlags(fs, args)
	// Asked for JSON (--json, -o json), even the errors found while parsing
	// flags print as the JSON envelope.
	j, o := fs.Lookup("json"), fs.Lookup("o")
	a.jsonOut = j != nil && j.Value.String() == "true" || o != nil && o.Value.String() == "json"
	if err == nil && want != nil {
		err = newError(codeUsageMissingArg, fmt.Sprintf("flag %s expects a value", c.spell(want.Name, false)), usageHint(c.usage))
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			a.printHelp(c, fs)
		}
		return err
	}
	if len(pos) > c.maxArgs {
		return &parseError{msg: fmt.Sprintf("unexpected argument: %s\nRun 'difyctl %s --help' for usage.", sanitize(pos[c.maxArgs]), c.path)}
	}
	if c.changesSignIns && a.getenv("DIFY_TOKEN") != "" {
		return newError(codeUsageInvalidFlag, "'difyctl "+c.path+"' changes the stored sign-ins, which are not used while DIFY_TOKEN is set", envTokenHint)
	}
	if !c.quick {
		a.interruptible()
	}
	return runner(a, pos)
}

// parseFlags sets the flags of fs from args and returns the positional
// arguments. The flag package sets each value; this loop adds what it
// lacks: flags after positionals (`auth devices revoke "x" -y`), a
// one-letter flag with its value attached (`-ojson`), and errors that name
// the flag as help writes it. `--` ends flag parsing. want is a flag typed
// last without its value. After a problem it reads on, so a later --json
// still counts; the first problem is returned. Completion parses the words
// before the cursor with it too.
func (c *command) parseFlags(fs *flag.FlagSet, args []string) (pos []string, want *flag.Flag, err error) {
	fail := func(e error) {
		if err == nil {
			err = e
		}
	}
	for i := 0; i < len(args); i++ {
		s := args[i]
		if s == "--" {
			return append(pos, args[i+1:]...), nil, err
		}
		if len(s) < 2 || s[0] != '-' {
			pos = append(pos, s)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(s[1:], "-"), "=")
		f := fs.Lookup(name)
		if f == nil && !isHelpFlag(s) && s[1] != '-' && len(name) > 1 {
			if g := fs.Lookup(s[1:2]); g != nil && !isBoolFlag(g) {
				f, value, hasValue = g, s[2:], true // -ojson
			}
		}
		switch {
		case f == nil && isHelpFlag(s):
			fail(flag.ErrHelp)
		case f == nil:
			typed, _, _ := strings.Cut(s, "=")
			fail(c.unknownFlag(fs, typed))
		case !hasValue && isBoolFlag(f):
			fs.Set(f.Name, "true")
		case !hasValue && i+1 == len(args):
			return pos, f, err
		default:
			if !hasValue {
				i++
				value = args[i]
			}
			if e := fs.Set(f.Name, value); e != nil {
				reason := e.Error()
				if isBoolFlag(f) {
					reason = "want true or false"
				}
				fail(newError(codeUsageInvalidFlag, fmt.Sprintf("invalid value %s for %s: %s", quoted(truncate(value, 40)), c.spell(f.Name, false), reason), usageHint(c.usage)))
			}
		}
	}
	return pos, nil, err
}

func usageHint(usage string) string { return "usage: difyctl " + usage }

// unknownFlag is a parser error (exit 1, as in the official client): the
// flag as typed, the defined flags it is close to, and the usage line.
func (c *command) unknownFlag(fs *flag.FlagSet, typed string) error {
	out := "unknown flag: " + sanitize(typed)
	bare := strings.TrimLeft(typed, "-")
	var near []string
	c.visitFlags(fs, func(f *flag.Flag) {
		for _, n := range []string{f.Name, c.partner(f.Name)} {
			if len(n) > 1 && editDistance(bare, n) <= 2 {
				near = append(near, c.spell(f.Name, false))
				break
			}
		}
	})
	if len(near) > 0 {
		out += "\nDid you mean " + strings.Join(near, " or ") + "?"
	}
	return &parseError{msg: out + "\nUsage: difyctl " + c.usage + "\nRun 'difyctl " + c.path + " --help' for usage."}
}

// partner is the other name of a flag that has a short and a long one;
// c.aliases maps the alias to the flag it stands for.
func (c *command) partner(name string) string {
	if main, ok := c.aliases[name]; ok {
		return main
	}
	for alias, main := range c.aliases {
		if main == name {
			return alias
		}
	}
	return ""
}

// visitFlags calls fn once per flag in name order, a short and long pair
// once, with the flag the alias stands for.
func (c *command) visitFlags(fs *flag.FlagSet, fn func(*flag.Flag)) {
	fs.VisitAll(func(f *flag.Flag) {
		if p := c.partner(f.Name); p != "" && p < f.Name {
			return // the pair was visited under its first name
		}
		if main, ok := c.aliases[f.Name]; ok {
			f = fs.Lookup(main)
		}
		fn(f)
	})
}

// spell is how a flag is written for people: in errors --long, or -x for
// a flag with only a one-letter name; in help (both) `-o, --output`.
func (c *command) spell(name string, both bool) string {
	short, long := name, c.partner(name)
	if len(short) > 1 {
		short, long = long, short
	}
	switch {
	case long == "":
		return "-" + short
	case short == "" || !both:
		return "--" + long
	}
	return "-" + short + ", --" + long
}

// placeholder is the flag's back-quoted word in its usage, or "value".
func placeholder(f *flag.Flag) string {
	name, _ := flag.UnquoteUsage(f)
	if strings.Contains(f.Usage, "`") && name != "" {
		return name
	}
	return "value"
}

// printOverview is what `difyctl` alone and `difyctl --help` print.
func (a *app) printOverview() {
	var b strings.Builder
	b.WriteString("difyctl signs in to Dify hosts with the OAuth device flow and keeps your sign-ins safe.\n\n")
	b.WriteString("USAGE\n  difyctl <command> [flags]\n\nCOMMANDS\n")
	writeCommandList(&b, "")
	b.WriteString("\nFLAGS\n  -h, --help     Show help for any command\n  --version      Print the version\n")
	b.WriteString("\nRun 'difyctl <command> --help' for a command's flags, examples and exit codes.\n")
	b.WriteString("\n" + exitCodeHelp)
	io.WriteString(a.stdout, b.String())
}

const exitCodeHelp = `EXIT CODES
  0    Success
  1    Generic failure: network, server, credential store, config file, unknown command or flag
  2    Usage error: bad flag value, missing flag outside a terminal, unknown host or account, declined prompt
  4    Authentication: not logged in, session expired or revoked, sign-in denied or expired
  6    Compatibility: the server lacks the device flow, or rejected this difyctl as too old
  7    Rate limited (HTTP 429)
  130  Interrupted (Ctrl-C)
`

func writeCommandList(b *strings.Builder, prefix string) {
	width := 0
	for _, c := range commands {
		if strings.HasPrefix(c.path, prefix) {
			width = max(width, len(c.path))
		}
	}
	for _, c := range commands {
		if strings.HasPrefix(c.path, prefix) {
			fmt.Fprintf(b, "  %-*s  %s\n", width, c.path, c.summary)
		}
	}
}

func (a *app) printGroup(path string) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\nUSAGE\n  difyctl %s <command> [flags]\n\nCOMMANDS\n", groups[path], path)
	writeCommandList(&b, path+" ")
	b.WriteString("\nFLAGS\n  -h, --help  Show help for the group, or for a command of it\n\nEXAMPLES\n")
	for _, c := range commands {
		if strings.HasPrefix(c.path, path+" ") && len(c.examples) > 0 {
			b.WriteString("  " + c.examples[0] + "\n")
		}
	}
	fmt.Fprintf(&b, "\nRun 'difyctl %s <command> --help' for its flags, examples and exit codes.\n\n%s", path, exitCodeHelp)
	io.WriteString(a.stdout, b.String())
}

// helpTopic serves `difyctl help <command…>`.
func (a *app) helpTopic(words []string) error {
	path := strings.Join(words, " ")
	if c := findCommand(path); c != nil {
		fs := flag.NewFlagSet(c.path, flag.ContinueOnError)
		c.setup(fs)
		a.printHelp(c, fs)
		return nil
	}
	if _, ok := groups[path]; ok {
		a.printGroup(path)
		return nil
	}
	return &parseError{msg: "unknown help topic: " + sanitize(path)}
}

// printHelp renders a command's usage, flags, examples and exit codes.
func (a *app) printHelp(c *command, fs *flag.FlagSet) {
	var b strings.Builder
	b.WriteString(c.summary + "\n")
	if c.long != "" {
		b.WriteString("\n" + c.long + "\n")
	}
	b.WriteString("\nUSAGE\n  difyctl " + c.usage + "\n")
	type row struct{ name, usage string }
	var rows []row
	width := 0
	c.visitFlags(fs, func(f *flag.Flag) {
		_, usage := flag.UnquoteUsage(f)
		label := c.spell(f.Name, true)
		if !isBoolFlag(f) {
			label += " <" + placeholder(f) + ">"
		}
		rows = append(rows, row{label, usage})
		width = max(width, len(label))
	})
	rows = append(rows, row{"-h, --help", "Show this help"})
	width = max(width, len("-h, --help"))
	b.WriteString("\nFLAGS\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "  %-*s  %s\n", width, r.name, r.usage)
	}
	if len(c.examples) > 0 {
		b.WriteString("\nEXAMPLES\n")
		for _, e := range c.examples {
			b.WriteString("  " + e + "\n")
		}
	}
	if len(c.exits) > 0 {
		b.WriteString("\nEXIT CODES\n")
		for _, e := range c.exits {
			fmt.Fprintf(&b, "  %-3s  %s\n", e[0], e[1])
		}
	}
	io.WriteString(a.stdout, b.String())
}

func isBoolFlag(f *flag.Flag) bool {
	bf, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && bf.IsBoolFlag()
}

var versionCommand = &command{
	quick:    true,
	path:     "version",
	summary:  "Print the difyctl version",
	usage:    "version",
	examples: []string{"difyctl version"},
	exits:    [][2]string{{"0", "Always"}},
	setup: func(fs *flag.FlagSet) func(a *app, args []string) error {
		return func(a *app, args []string) error {
			_, err := io.WriteString(a.stdout, versionReport())
			return err
		}
	},
}

// versionReport is what `difyctl version` prints: the version, the target and
// Go version, then each module compiled in, as the binary's build information
// records them (the same list `go version -m difyctl` prints), so an auditor
// can match a binary with the sources it claims.
func versionReport() string {
	var b strings.Builder
	fmt.Fprintf(&b, "difyctl %s (%s/%s, %s)\n", version, runtime.GOOS, runtime.GOARCH, runtime.Version())
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return b.String()
	}
	for _, m := range info.Deps {
		if m.Replace != nil {
			m = m.Replace
		}
		line := "  " + m.Path + " " + m.Version
		if m.Sum != "" {
			line += " " + m.Sum
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

// interruptible lets Ctrl-C cancel what the command waits on; runCommand
// calls it for all but the quick commands, whoami under DIFY_TOKEN itself.
func (a *app) interruptible() {
	if a.catchInterrupts != nil && a.stopInterrupts == nil {
		a.ctx, a.stopInterrupts = a.catchInterrupts(a.ctx)
	}
}
