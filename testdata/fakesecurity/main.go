// Command fakesecurity stands in for macOS /usr/bin/security in the Linux
// tests of securityKeyring (keyring_test.go builds it). It reads command
// lines the way the real tool does, so a line difyctl writes means here
// what it would mean on a Mac.
//
// The grammar is modelled on Apple's open-source Security project,
// SecurityTool/macOS/security.c (readline, split_line, the command table)
// and BSD getopt(3):
//
//   - `-i` reads command lines of at most 4095 bytes; the rest of a longer
//     line is read as the next command line. A last line without a newline
//     is dropped (readline returns EOF).
//   - Words are split on ASCII space, \t, \v, \f and \r; bytes >= 0x80 are
//     ordinary. `'` or `"` is a quote only as the first byte of a word; the
//     quoted word runs to the next unescaped copy of the same quote, and
//     the closing quote ends the word (`'a'"b"` is two words). A backslash
//     keeps the next byte and drops itself everywhere: in bare words and in
//     both kinds of quotes. Nothing else is special. At most 32 words; the
//     fake drops the rest (an unterminated quote runs to the end of the
//     line; a trailing backslash is dropped).
//   - Commands are found by prefix, first match in table order; options
//     are parsed by BSD getopt, which stops at the first non-option.
//   - `-i` exits with the status of the last command line it ran (low 8
//     bits), printing `<command>: returned <n>` on stderr for a failure.
//     Keychain errors are OSStatus values: not found -25300 (exit 44),
//     duplicate -25299 (45), user interaction not allowed -25308 (36).
//   - `find-generic-password -w` prints a printable password raw and any
//     other as lowercase hex, then a newline.
//
// State lives in the directory named by FAKE_SECURITY_DIR (the tests add it
// to the otherwise minimal environment difyctl gives its helpers):
//
//	keychain    the items, one a line: hex service, account, label, password
//	calls.log   one line per process (`exec …`) and per command run (`cmd …`),
//	            each word as a Go quoted string
//	stdin.log   everything read on stdin; env.log the last call's environment
//
// Files there that change the behaviour:
//
//	locked      every keychain operation fails with -25308 (exit 36), as a
//	            locked login keychain does over SSH
//	exit        every call prints the file "stderr" (if any) and exits with
//	            this code, after reading stdin
//	echo-stdin  every call copies its stdin to stderr and exits 1
package main

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

const (
	maxLine  = 4096 // MAX_LINE_LEN: readline keeps at most maxLine-1 bytes
	maxWords = 32   // MAX_ARGS

	errSecItemNotFound           = -25300
	errSecDuplicateItem          = -25299
	errSecInteractionNotAllowed  = -25308
	showUsage                    = 2 // SHOW_USAGE_MESSAGE
	errSecNoSuchKeychain         = -25294
	errSecParamMessage           = "One or more parameters passed to a function were not valid."
	interactionNotAllowedMessage = "User interaction is not allowed."
)

func main() {
	dir := os.Getenv("FAKE_SECURITY_DIR")
	if dir == "" {
		fmt.Fprintln(os.Stderr, "fakesecurity: FAKE_SECURITY_DIR is not set")
		os.Exit(1)
	}
	s := &state{dir: dir, stdout: bufio.NewWriter(os.Stdout), stderr: bufio.NewWriter(os.Stderr)}
	code := s.main(os.Args[1:], os.Stdin)
	s.flush()
	os.Exit(code)
}

type item struct{ service, account, label, password string }

type state struct {
	dir            string
	items          []item
	dirty          bool
	log            bytes.Buffer
	stdout, stderr *bufio.Writer
	locked         bool
}

func (s *state) path(name string) string { return filepath.Join(s.dir, name) }

func (s *state) exists(name string) bool {
	_, err := os.Stat(s.path(name))
	return err == nil
}

func (s *state) appendFile(name string, b []byte) {
	f, err := os.OpenFile(s.path(name), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakesecurity:", err)
		os.Exit(1)
	}
	f.Write(b)
	f.Close()
}

func (s *state) logWords(kind string, words []string) {
	s.log.WriteString(kind)
	for _, w := range words {
		s.log.WriteByte(' ')
		s.log.WriteString(strconv.Quote(w))
	}
	s.log.WriteByte('\n')
}

func (s *state) flush() {
	s.stdout.Flush()
	s.stderr.Flush()
	s.appendFile("calls.log", s.log.Bytes())
	if s.dirty {
		var b strings.Builder
		for _, it := range s.items {
			fmt.Fprintf(&b, "%x %x %x %x\n", it.service, it.account, it.label, it.password)
		}
		if err := os.WriteFile(s.path("keychain"), []byte(b.String()), 0o600); err != nil {
			fmt.Fprintln(os.Stderr, "fakesecurity:", err)
			os.Exit(1)
		}
	}
}

func (s *state) main(args []string, stdin io.Reader) int {
	s.logWords("exec", args)
	env := strings.Join(os.Environ(), "\n") + "\n"
	os.WriteFile(s.path("env.log"), []byte(env), 0o600)

	if s.exists("echo-stdin") {
		in, _ := io.ReadAll(stdin)
		s.appendFile("stdin.log", in)
		s.stderr.Write(in)
		return 1
	}
	if s.exists("exit") {
		in, _ := io.ReadAll(stdin)
		s.appendFile("stdin.log", in)
		msg, _ := os.ReadFile(s.path("stderr"))
		s.stderr.Write(msg)
		code, err := strconv.Atoi(strings.TrimSpace(string(mustRead(s.path("exit")))))
		if err != nil {
			code = 1
		}
		return code
	}
	s.locked = s.exists("locked")
	if err := s.load(); err != nil {
		fmt.Fprintln(s.stderr, "fakesecurity:", err)
		return 1
	}

	// security [-hilqv] [-p prompt] [command] [command_options] [command_args]
	argv := append([]string{"security"}, args...)
	g := &getopt{errw: s.stderr, args: argv}
	interactive := false
	for {
		c, _ := g.next("hilp:qv")
		if c == -1 {
			break
		}
		switch c {
		case 'i':
			interactive = true
		case 'h', '?':
			fmt.Fprintln(s.stderr, "usage: security [-h] [-i] [-l] [-p prompt] [-q] [-v] [command] [opt ...]")
			return showUsage
		}
	}
	rest := argv[g.optind:]
	status := 0
	if len(rest) > 0 {
		status = s.execute(rest)
	}
	if interactive {
		status = s.interactive(stdin)
	}
	return status & 0xff
}

func mustRead(path string) []byte {
	b, _ := os.ReadFile(path)
	return b
}

// interactive is security's `-i` loop: read a line, split it, run it.
func (s *state) interactive(stdin io.Reader) int {
	in, _ := io.ReadAll(stdin)
	s.appendFile("stdin.log", in)
	status := 0
	for {
		line, rest, ok := readLine(in)
		if !ok {
			break
		}
		in = rest
		words := splitLine(line)
		if len(words) == 0 {
			continue
		}
		if words[0] == "quit" || words[0] == "exit" {
			break
		}
		status = s.execute(words)
		if status != 0 {
			fmt.Fprintf(s.stderr, "%s: returned %d\n", words[0], status)
		}
	}
	return status
}

// readLine takes one command line off in: up to the newline (dropped) or
// maxLine-1 bytes, whichever comes first. Input that ends before a newline
// and before the limit is not a line (ok false).
func readLine(in []byte) (line, rest []byte, ok bool) {
	for i := 0; i < len(in); i++ {
		if in[i] == '\n' {
			return in[:i], in[i+1:], true
		}
		if i+1 == maxLine-1 {
			return in[:i+1], in[i+1:], true
		}
	}
	return nil, nil, false
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// splitLine is security's split_line (see the package comment).
func splitLine(line []byte) []string {
	var words []string
	i := 0
	for len(words) < maxWords {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i >= len(line) {
			break
		}
		var quote byte
		if line[i] == '\'' || line[i] == '"' {
			quote = line[i]
			i++
		}
		var w []byte
		for i < len(line) {
			c := line[i]
			if quote != 0 && c == quote {
				i++
				break
			}
			if quote == 0 && isSpace(c) {
				break
			}
			if c == '\\' {
				i++
				if i >= len(line) {
					break
				}
				c = line[i]
			}
			w = append(w, c)
			i++
		}
		words = append(words, string(w))
	}
	return words
}

// getopt is BSD getopt(3), stopping at the first non-option. optstring
// letters followed by ':' take an argument (the rest of the word, or the
// next word whatever it holds); a leading ':' reports a missing argument
// as ':' instead of '?'.
type getopt struct {
	errw   io.Writer
	args   []string
	optind int
	place  string
	optopt byte
}

func (g *getopt) next(optstring string) (int, string) {
	if g.optind == 0 {
		g.optind = 1
	}
	if g.place == "" {
		if g.optind >= len(g.args) || !strings.HasPrefix(g.args[g.optind], "-") {
			return -1, ""
		}
		g.place = g.args[g.optind][1:]
		if g.place == "" { // a lone "-" is an operand
			return -1, ""
		}
		if g.place == "-" { // "--" ends the options
			g.optind++
			g.place = ""
			return -1, ""
		}
	}
	g.optopt = g.place[0]
	g.place = g.place[1:]
	i := strings.IndexByte(optstring, g.optopt)
	if g.optopt == ':' || i < 0 {
		if g.place == "" {
			g.optind++
		}
		if !strings.HasPrefix(optstring, ":") {
			fmt.Fprintf(g.errw, "security: illegal option -- %c\n", g.optopt)
		}
		return '?', ""
	}
	if i+1 >= len(optstring) || optstring[i+1] != ':' {
		if g.place == "" {
			g.optind++
		}
		return int(g.optopt), ""
	}
	var arg string
	if g.place != "" {
		arg = g.place
	} else if g.optind+1 < len(g.args) {
		g.optind++
		arg = g.args[g.optind]
	} else {
		g.place = ""
		if strings.HasPrefix(optstring, ":") {
			return ':', ""
		}
		fmt.Fprintf(g.errw, "security: option requires an argument -- %c\n", g.optopt)
		return '?', ""
	}
	g.place = ""
	g.optind++
	return int(g.optopt), arg
}

// commands is the start of security's command table, in its order:
// lookup takes the first entry the typed name is a prefix of.
var commands = []string{
	"help", "list-keychains", "default-keychain", "login-keychain", "create-keychain",
	"delete-keychain", "lock-keychain", "unlock-keychain", "set-keychain-settings",
	"set-keychain-password", "show-keychain-info", "dump-keychain", "create-keypair",
	"add-generic-password", "add-internet-password", "add-certificates",
	"find-generic-password", "delete-generic-password", "set-generic-password-partition-list",
	"find-internet-password", "delete-internet-password", "find-certificate", "find-identity",
	"delete-certificate",
}

func (s *state) execute(words []string) int {
	s.logWords("cmd", words)
	name := ""
	for _, c := range commands {
		if strings.HasPrefix(c, words[0]) {
			name = c
			break
		}
	}
	switch name {
	case "":
		fmt.Fprintf(s.stderr, "security: unknown command \"%s\"\n", words[0])
		return 1
	case "add-generic-password":
		return s.usage(name, s.addGeneric(words), "[-a account] [-s service] [-w password] [options...] [-A|-T appPath] [keychain]")
	case "find-generic-password":
		return s.usage(name, s.findGeneric(words), "[-a account] [-s service] [options...] [-g] [keychain...]")
	case "delete-generic-password":
		return s.usage(name, s.deleteGeneric(words), "[-a account] [-s service] [options...] [keychain...]")
	}
	fmt.Fprintf(s.stderr, "fakesecurity: %s is not modelled\n", name)
	return 1
}

func (s *state) usage(name string, status int, synopsis string) int {
	if status == showUsage {
		fmt.Fprintf(s.stderr, "usage: %s %s\n", name, synopsis)
	}
	return status
}

func (s *state) fail(call string, status int) int {
	msg := map[int]string{
		errSecItemNotFound:          "The specified item could not be found in the keychain.",
		errSecDuplicateItem:         "The specified item already exists in the keychain.",
		errSecInteractionNotAllowed: interactionNotAllowedMessage,
		errSecNoSuchKeychain:        "The specified keychain could not be found.",
	}[status]
	if msg == "" {
		msg = errSecParamMessage
	}
	fmt.Fprintf(s.stderr, "security: %s: %s\n", call, msg)
	return status
}

// attrs are the item attributes a command's options select on.
type attrs struct {
	service, account, label *string
}

func (a attrs) match(it item) bool {
	return (a.service == nil || *a.service == it.service) &&
		(a.account == nil || *a.account == it.account) &&
		(a.label == nil || *a.label == it.label)
}

// set takes the value of an attribute option (-a, -s, -l), reporting
// whether c was one.
func (a *attrs) set(c int, arg string) bool {
	switch c {
	case 'a':
		a.account = &arg
	case 's':
		a.service = &arg
	case 'l':
		a.label = &arg
	default:
		return false
	}
	return true
}

func (s *state) find(a attrs) int {
	for i, it := range s.items {
		if a.match(it) {
			return i
		}
	}
	return -1
}

func (s *state) addGeneric(words []string) int {
	g := &getopt{errw: s.stderr, args: words}
	var a attrs
	var password *string
	update := false
	for {
		c, arg := g.next(":a:c:C:D:G:j:l:s:w:X:UAT:")
		if c == -1 {
			break
		}
		if a.set(c, arg) {
			continue
		}
		switch c {
		case 'w':
			password = &arg
		case 'X':
			b, err := hex.DecodeString(arg)
			if err != nil {
				return showUsage
			}
			p := string(b)
			password = &p
		case 'U':
			update = true
		case 'c', 'C', 'D', 'G', 'j', 'A', 'T':
		case ':':
			if g.optopt == 'w' {
				fmt.Fprintln(s.stderr, "security: cannot prompt for a password: no terminal in this fake")
				return 1
			}
			return showUsage
		default:
			return showUsage
		}
	}
	switch rest := words[g.optind:]; len(rest) {
	case 0:
	case 1:
		return s.fail("SecKeychainOpen("+rest[0]+")", errSecNoSuchKeychain)
	default:
		return showUsage
	}
	if s.locked {
		return s.fail("SecKeychainItemCreateFromContent (<default>)", errSecInteractionNotAllowed)
	}
	it := item{}
	if a.service != nil {
		it.service = *a.service
	}
	if a.account != nil {
		it.account = *a.account
	}
	it.label = it.service // the label defaults to the service name
	if a.label != nil {
		it.label = *a.label
	}
	if password != nil {
		it.password = *password
	}
	key := attrs{service: &it.service, account: &it.account}
	if i := s.find(key); i >= 0 {
		if !update {
			return s.fail("SecKeychainItemCreateFromContent (<default>)", errSecDuplicateItem)
		}
		s.items[i] = it
	} else {
		s.items = append(s.items, it)
	}
	s.dirty = true
	return 0
}

func (s *state) selectGeneric(words []string, optstring string, onlyPassword *bool) (int, int) {
	g := &getopt{errw: s.stderr, args: words}
	var a attrs
	for {
		c, arg := g.next(optstring)
		if c == -1 {
			break
		}
		if a.set(c, arg) {
			continue
		}
		switch c {
		case 'w':
			*onlyPassword = true
		case 'c', 'C', 'D', 'G', 'j', 'g':
		default:
			return -1, showUsage
		}
	}
	if rest := words[g.optind:]; len(rest) > 0 {
		return -1, s.fail("SecKeychainOpen("+rest[0]+")", errSecNoSuchKeychain)
	}
	if s.locked {
		return -1, s.fail("SecKeychainSearchCopyNext", errSecInteractionNotAllowed)
	}
	i := s.find(a)
	if i < 0 {
		return -1, s.fail("SecKeychainSearchCopyNext", errSecItemNotFound)
	}
	return i, 0
}

func (s *state) findGeneric(words []string) int {
	var onlyPassword bool
	i, status := s.selectGeneric(words, "a:c:C:D:G:j:l:s:gw", &onlyPassword)
	if status != 0 {
		return status
	}
	it := s.items[i]
	if !onlyPassword {
		fmt.Fprintf(s.stdout, "keychain: \"fake.keychain-db\"\nclass: \"genp\"\nattributes:\n")
		fmt.Fprintf(s.stdout, "    \"acct\"<blob>=%q\n    \"svce\"<blob>=%q\n    0x00000007 <blob>=%q\n", it.account, it.service, it.label)
		return 0
	}
	printable := true
	for i := 0; i < len(it.password); i++ {
		if c := it.password[i]; c < 0x20 || c > 0x7e {
			printable = false
		}
	}
	if printable {
		fmt.Fprintf(s.stdout, "%s\n", it.password)
	} else {
		fmt.Fprintf(s.stdout, "%x\n", it.password)
	}
	return 0
}

func (s *state) deleteGeneric(words []string) int {
	var unused bool
	i, status := s.selectGeneric(words, "a:c:C:D:G:j:l:s:", &unused)
	if status != 0 {
		return status
	}
	s.items = append(s.items[:i], s.items[i+1:]...)
	s.dirty = true
	return 0
}

func (s *state) load() error {
	b, err := os.ReadFile(s.path("keychain"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, " ")
		if len(f) != 4 {
			return fmt.Errorf("bad keychain line %q", line)
		}
		var d [4]string
		for i := range f {
			v, err := hex.DecodeString(f[i])
			if err != nil {
				return err
			}
			d[i] = string(v)
		}
		s.items = append(s.items, item{d[0], d[1], d[2], d[3]})
	}
	return nil
}
