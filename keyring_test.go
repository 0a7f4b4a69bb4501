package main

// keyring_test.go: the OS-independent parts of the OS stores: value
// encoding, Windows blob encoding, message scrubbing, and the macOS
// `security` command line, run on Linux against testdata/fakesecurity, a
// fake that splits and parses command lines as the real tool does.

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestKeyringValueEncoding(t *testing.T) {
	v, err := encodeKeyringValue(newToken("dfoa_a<b>&c"))
	if err != nil || string(v) != `"dfoa_a<b>&c"` {
		t.Fatalf("encode = %q, %v (want JSON.stringify's form)", v, err)
	}
	for _, bad := range []string{"", "dfoa_ space", "dfoa_\n", "dfoa_é", strings.Repeat("x", maxKeyringValue)} {
		if _, err := encodeKeyringValue(newToken(bad)); keyringKind(err) != keyringRejected {
			t.Errorf("encode %q: %v, want rejected", bad, err)
		}
	}
	for in, want := range map[string]string{
		`"dfoa_json"`:      "dfoa_json",
		"\"dfoa_json\"\n":  "dfoa_json",
		"dfoa_raw":         "dfoa_raw",
		"dfoa_raw\n":       "dfoa_raw",
		`"dfoa_\u0041"`:    "dfoa_A",
		`"unterminated`:    `"unterminated`,
		`{"not":"string"}`: `{"not":"string"}`,
	} {
		tok, err := decodeKeyringValue([]byte(in))
		if err != nil || tok.reveal() != want {
			t.Errorf("decode %q = %q, %v; want %q", in, tok.reveal(), err, want)
		}
	}
	for _, empty := range []string{"", "\n", `""`} {
		if _, err := decodeKeyringValue([]byte(empty)); !errors.Is(err, errKeyringNotFound) {
			t.Errorf("decode %q: %v, want not found", empty, err)
		}
	}
	if _, err := decodeKeyringValue([]byte{0xff, 0xfe}); err == nil {
		t.Error("invalid UTF-8 decoded")
	}
}

func TestKeyringNames(t *testing.T) {
	if got := keyringAccount("cloud.dify.ai", "tester@dify.ai"); got != "tokens.cloud.dify.ai.tester@dify.ai" {
		t.Errorf("account %q", got)
	}
	if got := keyringLabel("h", "e@x"); got != "difyctl: e@x on h" {
		t.Errorf("label %q", got)
	}
}

func TestToolMessageWithholdsSecrets(t *testing.T) {
	secret := []byte(`"` + testToken + `"`)
	for _, stderr := range []string{
		"error: " + testToken,
		"partial " + testToken[10:20] + " echo",
		string(secret),
	} {
		msg := toolMessage([]byte(stderr), secret)
		if strings.Contains(msg, testToken[10:18]) || !strings.Contains(msg, "withheld") {
			t.Errorf("message for %q = %q", stderr, msg)
		}
	}
	msg := toolMessage([]byte("\n  secret-tool: Cannot autolaunch D-Bus without X11 $DISPLAY\nmore\n"), secret)
	if msg != "secret-tool: Cannot autolaunch D-Bus without X11 $DISPLAY" {
		t.Errorf("message %q", msg)
	}
	if msg := toolMessage([]byte("someone else's dfoa_abcdefgh token\x1b[31m"), nil); strings.Contains(msg, "dfoa_abc") || strings.Contains(msg, "\x1b") {
		t.Errorf("message %q keeps a token-like word or an escape", msg)
	}
}

func TestKeyringTimeoutEnv(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"": defaultKeyringTimeout, "bogus": defaultKeyringTimeout, "-1s": defaultKeyringTimeout,
		"250ms": 250 * time.Millisecond, "1ns": 10 * time.Millisecond, "1h": 5 * time.Minute,
	} {
		if got := keyringTimeoutFrom(func(string) string { return in }); got != want {
			t.Errorf("%q: %v, want %v", in, got, want)
		}
	}
}

func TestChildEnvIsAllowList(t *testing.T) {
	env := map[string]string{"PATH": "/bin", "HOME": "/h", "DIFY_TOKEN_STORAGE": "x", "DIFY_CONFIG_DIR": "/c", "SECRET": "s"}
	got := childEnv(func(k string) string { return env[k] }, "PATH", "HOME", "LANG")
	if strings.Join(got, ",") != "PATH=/bin,HOME=/h" {
		t.Errorf("env %q", got)
	}
}

// ---------------------------------------------------------------------------
// macOS `security`, against a fake that parses like the real one

var (
	fakeSecurityOnce sync.Once
	fakeSecurityBin  string
	fakeSecurityErr  error
)

// buildFakeSecurity builds testdata/fakesecurity once per test binary.
func buildFakeSecurity(t *testing.T) string {
	t.Helper()
	fakeSecurityOnce.Do(func() {
		fakeSecurityBin = filepath.Join(binDir, "fakesecurity")
		if runtime.GOOS == "windows" {
			fakeSecurityBin += ".exe"
		}
		out, err := exec.Command("go", "build", "-o", fakeSecurityBin, "./testdata/fakesecurity").CombinedOutput()
		if err != nil {
			fakeSecurityErr = fmt.Errorf("building fakesecurity: %v\n%s", err, out)
		}
	})
	if fakeSecurityErr != nil {
		t.Fatal(fakeSecurityErr)
	}
	return fakeSecurityBin
}

// fakeSecurity returns a store driving the fake security, with its state
// (keychain, logs, failure switches) in a directory of its own. The child
// gets the store's usual minimal environment plus FAKE_SECURITY_DIR.
func fakeSecurity(t *testing.T) (*securityKeyring, string) {
	t.Helper()
	bin := buildFakeSecurity(t)
	dir := t.TempDir()
	getenv := func(k string) string {
		if k == "DIFY_CONFIG_DIR" {
			return "/should/not/leak"
		}
		return os.Getenv(k)
	}
	env := append(childEnv(getenv, securityEnvNames...), "FAKE_SECURITY_DIR="+dir)
	return &securityKeyring{path: bin, env: env, timeout: 10 * time.Second}, dir
}

// runFakeSecurity runs the fake directly on stdin, for the tests of the
// fake's own grammar.
func runFakeSecurity(t *testing.T, dir, stdin string, args ...string) (stdout, stderr string, exit int) {
	t.Helper()
	cmd := exec.Command(buildFakeSecurity(t), args...)
	cmd.Env = []string{"FAKE_SECURITY_DIR=" + dir}
	cmd.Stdin = strings.NewReader(stdin)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if cmd.ProcessState == nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), cmd.ProcessState.ExitCode()
}

func readLog(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}

// fakeCalls returns what the fake logged of one kind: "exec" for its own
// argv, "cmd" for every command it ran (from argv or a `-i` line), as
// the words it split them into.
func fakeCalls(t *testing.T, dir, kind string) [][]string {
	t.Helper()
	var calls [][]string
	for _, line := range strings.Split(readLog(t, dir, "calls.log"), "\n") {
		rest, ok := strings.CutPrefix(line, kind)
		if !ok || rest != "" && rest[0] != ' ' {
			continue
		}
		words := []string{}
		for rest != "" {
			rest = rest[1:] // the space
			q, err := strconv.QuotedPrefix(rest)
			if err != nil {
				t.Fatalf("calls.log line %q: %v", line, err)
			}
			w, _ := strconv.Unquote(q)
			words = append(words, w)
			rest = rest[len(q):]
		}
		calls = append(calls, words)
	}
	return calls
}

// fakeItem is one item of the fake keychain.
type fakeItem struct{ service, account, label, password string }

func fakeKeychain(t *testing.T, dir string) []fakeItem {
	t.Helper()
	var items []fakeItem
	for _, line := range strings.Split(readLog(t, dir, "keychain"), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, " ")
		if len(f) != 4 {
			t.Fatalf("keychain line %q", line)
		}
		var d [4]string
		for i := range f {
			b, err := hex.DecodeString(f[i])
			if err != nil {
				t.Fatal(err)
			}
			d[i] = string(b)
		}
		items = append(items, fakeItem{d[0], d[1], d[2], d[3]})
	}
	return items
}

// The fake must follow the rules read from Apple's security.c, or the
// tests below prove nothing about a Mac.
func TestFakeSecurityGrammar(t *testing.T) {
	long := strings.Repeat("a", 4095-len("zz "))
	for _, tc := range []struct {
		name, stdin string
		want        [][]string
	}{
		{"quotes only at a word's start, closing quote ends the word",
			"zz 'a'\"b\" a'b a\"b 'c d'e\n", [][]string{{"zz", "a", "b", "a'b", `a"b`, "c d", "e"}}},
		{"backslash keeps the next byte everywhere, single quotes included",
			`zz 'it\'s' "q\"x" b\ c 'a\\b' "\y"` + "\n", [][]string{{"zz", "it's", `q"x`, "b c", `a\b`, "y"}}},
		{"whitespace is space, tab, VT, FF, CR",
			"zz\t\v\f\ra\r\n", [][]string{{"zz", "a"}}},
		{"nothing else is special; high bytes are ordinary",
			"zz #c $HOME `x` ; ü\x80\xff\xa0x\n", [][]string{{"zz", "#c", "$HOME", "`x`", ";", "ü\x80\xff\xa0x"}}},
		{"an unterminated quote runs to the end of the line",
			"zz 'open x\n", [][]string{{"zz", "open x"}}},
		{"at most 32 words",
			"zz" + strings.Repeat(" w", 40) + "\n", [][]string{append([]string{"zz"}, strings.Fields(strings.Repeat(" w", 31))...)}},
		{"4095 bytes a line, the rest is the next command",
			"zz " + long + "yy q\n", [][]string{{"zz", long}, {"yy", "q"}}},
		{"a last line without a newline is dropped",
			"zz one\n\n   \nzz two", [][]string{{"zz", "one"}}},
	} {
		dir := t.TempDir()
		_, _, exit := runFakeSecurity(t, dir, tc.stdin, "-i")
		got := fakeCalls(t, dir, "cmd")
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tc.want) || exit != 1 {
			t.Errorf("%s: split %q (exit %d), want %q (exit 1: unknown command)", tc.name, got, exit, tc.want)
		}
	}

	// Commands by prefix, BSD getopt, exit status of the last line, -w.
	dir := t.TempDir()
	run := func(stdin string, wantExit int, wantOut, wantErr string) {
		t.Helper()
		out, errOut, exit := runFakeSecurity(t, dir, stdin, "-i")
		if exit != wantExit || out != wantOut || !strings.Contains(errOut, wantErr) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want %d, %q, %q", stdin, exit, out, errOut, wantExit, wantOut, wantErr)
		}
	}
	run("find-g -s s -a a -w\n", 44, "", "find-g: returned -25300")
	run("add-g -s s -a a -w pw\nfind-generic -s s -a a -w\n", 0, "pw\n", "")
	run("add-generic-password -s s -a a -w pw\n", 45, "", "returned -25299")
	run("add-generic-password -U -s s -a a -w é\nfind-generic-password -a a -s s -w\n", 0, "c3a9\n", "")
	run("add-generic-password -U -s s -a -a -w -w\nfind-generic-password -s s -a -a -w\n", 0, "-w\n", "")
	run("add-generic-password -U -s s -a a extra -w x\n", 2, "", "usage: add-generic-password")
	run("find-generic-password -s s -a a -w\nzz\n", 1, "c3a9\n", "zz: returned 1")
	run("zz\nfind-generic-password -s s -a nope -w\n", 44, "", "returned -25300")
	run("delete-generic-password -s s -a a\ndelete-generic-password -s s -a a\n", 44, "", "returned -25300")
	if _, _, exit := runFakeSecurity(t, dir, "", "find-generic-password", "-s", "s", "-a", "-a", "-w"); exit != 0 {
		t.Errorf("find from argv: exit %d", exit)
	}
}

// intendedWriteArgv is the argv securityWriteLine means to send.
func intendedWriteArgv(account string, value []byte) []string {
	return []string{"add-generic-password", "-U", "-s", "difyctl", "-l", "difyctl", "-a", account, "-w", string(value)}
}

// Every (account, value) securityWriteLine accepts splits back, under the
// real tool's grammar, into exactly the argv intended; everything else is
// refused for a control byte or the line cap.
func TestSecurityQuotingProperty(t *testing.T) {
	const seed, n = 20261202, 3000
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 16))
	special := []byte("'\"\\ #$`;-@.:=%+,/_ü")
	controls := []byte("\x7f\t\v\f\r\n\x00\x01\x1b")
	field := func() string {
		size := rng.IntN(40)
		if rng.IntN(10) == 0 {
			size = rng.IntN(2100)
		}
		b := make([]byte, size)
		for i := range b {
			switch r := rng.IntN(100); {
			case r < 50:
				b[i] = special[rng.IntN(len(special))]
			case r < 55:
				b[i] = byte(0x80 + rng.IntN(0x80))
			default:
				b[i] = byte(' ' + rng.IntN(95))
			}
		}
		if size > 0 && rng.IntN(20) == 0 {
			b[rng.IntN(size)] = controls[rng.IntN(len(controls))]
		}
		return string(b)
	}
	hasControl := func(s string) bool {
		return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
	}
	var stdin strings.Builder
	var want [][]string
	final := map[string]string{}
	refused := map[string]int{}
	for range n {
		account := keyringAccount(field(), field())
		if rng.IntN(20) == 0 {
			account = field() // not even tokens.<…>: still exact
		}
		value := []byte(field())
		line, err := securityWriteLine(account, value)
		if err != nil {
			tooLong := strings.Contains(err.Error(), "4000-byte limit") && 2*(len(account)+len(value))+80 > maxSecurityLine
			if keyringKind(err) != keyringRejected || !hasControl(account+string(value)) && !tooLong {
				t.Fatalf("%q / %q refused: %v", account, value, err)
			}
			if tooLong {
				refused["long"]++
			} else {
				refused["control"]++
			}
			continue
		}
		if len(line) > maxSecurityLine || strings.Count(line, "\n") != 1 || !strings.HasSuffix(line, "\n") {
			t.Fatalf("line %q", line)
		}
		stdin.WriteString(line)
		want = append(want, intendedWriteArgv(account, value))
		final[account] = string(value)
	}
	if len(want) < n*3/4 || refused["long"] == 0 || refused["control"] == 0 {
		t.Fatalf("%d of %d cases accepted, refused %v: the generator tests too little", len(want), n, refused)
	}
	dir := t.TempDir()
	_, errOut, exit := runFakeSecurity(t, dir, stdin.String(), "-i")
	if exit != 0 {
		t.Errorf("security -i exit %d: %.300s", exit, errOut)
	}
	got := fakeCalls(t, dir, "cmd")
	if len(got) != len(want) {
		t.Fatalf("%d commands ran, want %d", len(got), len(want))
	}
	for i := range want {
		if fmt.Sprintf("%q", got[i]) != fmt.Sprintf("%q", want[i]) {
			t.Fatalf("line %d splits into %q, want %q", i, got[i], want[i])
		}
	}
	// And the tool's getopt saw -a and -w as meant: one item per account.
	items := fakeKeychain(t, dir)
	if len(items) != len(final) {
		t.Fatalf("%d items for %d accounts", len(items), len(final))
	}
	for _, it := range items {
		if v, ok := final[it.account]; !ok || v != it.password || it.service != "difyctl" || it.label != "difyctl" {
			t.Fatalf("item %q", it)
		}
	}
}

func TestSecurityRoundTrip(t *testing.T) {
	k, dir := fakeSecurity(t)
	ctx := context.Background()
	if err := keyringPut(ctx, k, "cloud.dify.ai", "tester@dify.ai", newToken(testToken)); err != nil {
		t.Fatal(err)
	}
	tok, err := keyringGet(ctx, k, "cloud.dify.ai", "tester@dify.ai")
	if err != nil || tok.reveal() != testToken {
		t.Fatalf("get = %v, %v", tok, err)
	}
	items := fakeKeychain(t, dir)
	if len(items) != 1 || items[0] != (fakeItem{"difyctl", "tokens.cloud.dify.ai.tester@dify.ai", "difyctl", `"` + testToken + `"`}) {
		t.Errorf("keychain %q, want the official client's service, account, label and JSON value", items)
	}
	if err := keyringDelete(ctx, k, "cloud.dify.ai", "tester@dify.ai"); err != nil {
		t.Fatal(err)
	}
	if _, err := keyringGet(ctx, k, "cloud.dify.ai", "tester@dify.ai"); !errors.Is(err, errKeyringNotFound) {
		t.Fatalf("get after delete: %v, want not found (exit 44)", err)
	}
	if err := keyringDelete(ctx, k, "cloud.dify.ai", "tester@dify.ai"); !errors.Is(err, errKeyringNotFound) {
		t.Fatalf("second delete: %v, want not found (exit 44)", err)
	}
	argv := fmt.Sprintf("%q", fakeCalls(t, dir, "exec"))
	find := []string{"find-generic-password", "-s", "difyctl", "-a", "tokens.cloud.dify.ai.tester@dify.ai", "-w"}
	del := []string{"delete-generic-password", "-s", "difyctl", "-a", "tokens.cloud.dify.ai.tester@dify.ai"}
	if want := fmt.Sprintf("%q", [][]string{{"-i"}, find, find, del, find, del}); argv != want {
		t.Errorf("argv %s\nwant %s", argv, want)
	}
	if strings.Contains(argv, testToken[5:]) {
		t.Errorf("the token reached argv:\n%s", argv)
	}
	stdin := readLog(t, dir, "stdin.log")
	if stdin != `add-generic-password -U -s difyctl -l difyctl -a tokens.cloud.dify.ai.tester@dify.ai -w "\"`+testToken+`\""`+"\n" {
		t.Errorf("security -i got %q", stdin)
	}
	if env := readLog(t, dir, "env.log"); strings.Contains(env, "DIFY_") {
		t.Errorf("child env has DIFY_ variables:\n%s", env)
	}
}

// Hostile emails and values, end to end through the fake: each lands in
// the keychain under exactly its own account and reads back.
func TestSecurityHostileNames(t *testing.T) {
	k, dir := fakeSecurity(t)
	ctx := context.Background()
	pwned := filepath.Join(dir, "pwned")
	emails := []string{
		"o'brien@x.io", `a\b@x`, `"quoted"@x`, "two words@x", "$(touch " + pwned + ")@x", "`touch " + pwned + "`@x",
		"a;touch " + pwned + "@x", `back\slash@x`, "'; delete-generic-password -a x; '@x", "ünï@x", "#hash@x",
		"$HOME@x", `q"@x`, `'@x`, `\`, `e\`, `\"`, "-w@x", "tab\\t@x", "\xff\x80@x",
	}
	tokens := []string{testToken, `dfoa_"q"\b\'s$x#y`, "-dfoa_dash", `\`, `"`, "-w", "dfoa_" + strings.Repeat(`\"'`, 300)}
	want := map[string]string{}
	for i, email := range emails {
		tok := newToken(tokens[i%len(tokens)])
		if err := keyringPut(ctx, k, "h", email, tok); err != nil {
			t.Errorf("%q: put: %v", email, err)
			continue
		}
		want[keyringAccount("h", email)] = tok.reveal()
		got, err := keyringGet(ctx, k, "h", email)
		if err != nil || got.reveal() != tok.reveal() {
			t.Errorf("%q: get = %q, %v", email, got.reveal(), err)
		}
	}
	// An email ending in \ followed by a token starting with -.
	if err := keyringPut(ctx, k, "h", `tail\`, newToken("-w")); err != nil {
		t.Errorf("tail\\ with -w: %v", err)
	}
	want[keyringAccount("h", `tail\`)] = "-w"
	// Fields that start with - or are 4 KiB long, below keyringPut's
	// token rules: the raw write/read pair.
	raw := map[string]string{
		"-U":                           "-w -l x",
		"-a":                           "-",
		"--":                           "--",
		"tokens.h.big@x":               strings.Repeat("a#$ü' -\\\"", 500)[:3200], // a ~3.9 KB line
		strings.Repeat(`\`, 1800):      strings.Repeat(`"`, 80),
		"tokens.raw." + `e\`:           "-s evil -a victim",
		strings.Repeat("ü", 600) + `\`: "-",
	}
	for account, value := range raw {
		if err := k.write(ctx, account, "", []byte(value)); err != nil {
			t.Errorf("write %.40q: %v", account, err)
			continue
		}
		want := value // security -w prints a value with non-ASCII bytes as hex
		if strings.ContainsFunc(value, func(r rune) bool { return r > 0x7e }) {
			want = hex.EncodeToString([]byte(value))
		}
		got, err := k.read(ctx, account)
		if err != nil || string(got) != want {
			t.Errorf("read %.40q = %.60q, %v; want %.60q", account, got, err, want)
		}
	}
	if _, err := os.Stat(pwned); err == nil {
		t.Fatal("a hostile email ran a command through security -i")
	}
	items := fakeKeychain(t, dir)
	for _, it := range items {
		v, ok := want[it.account]
		if !ok {
			if raw[it.account] == it.password {
				continue
			}
			t.Errorf("an item under an account nobody asked for: %q", it.account)
			continue
		}
		var s string
		if json.Unmarshal([]byte(it.password), &s) != nil || s != v || it.service != "difyctl" || it.label != "difyctl" {
			t.Errorf("item %q holds %q, want the JSON of %q", it.account, it.password, v)
		}
	}
	if len(items) != len(want)+len(raw) {
		t.Errorf("%d items, want %d", len(items), len(want)+len(raw))
	}
	// A 4 KiB value cannot fit a line: refused, never cut.
	calls := len(fakeCalls(t, dir, "exec"))
	if err := k.write(ctx, "tokens.h.big@x", "", bytes.Repeat([]byte("v"), 4096)); keyringKind(err) != keyringRejected {
		t.Errorf("4 KiB value: %v, want rejected", err)
	}
	if len(fakeCalls(t, dir, "exec")) != calls {
		t.Error("security ran for a 4 KiB value")
	}
	for _, email := range []string{"new\nline@x", "cr\r@x", "nul\x00@x", "tab\t@x", "esc\x1b@x", "del\x7f@x"} {
		err := keyringPut(ctx, k, "h", email, newToken("dfoa_x"))
		if keyringKind(err) != keyringRejected {
			t.Errorf("%q: %v, want rejected before running security", email, err)
		}
	}
}

// Contexts whose names differ only where a splitter would unescape or
// join words never share a keychain item: each keeps its own token.
func TestSecurityEscapingNeverMergesAccounts(t *testing.T) {
	k, dir := fakeSecurity(t)
	ctx := context.Background()
	groups := [][]string{
		{`a\b@x`, `ab@x`, `a\\b@x`},
		{`a"b@x`, `a\"b@x`, `ab@x"`},
		{`o'brien@x`, `o`, `'o'brien@x`},
		{`x y@x`, `x`, `"x y@x"`, `'x y@x'`},
		{`e\`, `e`, `e\\`, `e\ `},
	}
	n := 0
	for g, emails := range groups {
		for i, email := range emails {
			if err := keyringPut(ctx, k, "h", email, newToken(fmt.Sprintf("dfoa_g%di%d", g, i))); err != nil {
				t.Fatalf("%q: %v", email, err)
			}
			n++
		}
	}
	for g, emails := range groups {
		for i, email := range emails {
			got, err := keyringGet(ctx, k, "h", email)
			if want := fmt.Sprintf("dfoa_g%di%d", g, i); err != nil || got.reveal() != want {
				t.Errorf("%q reads %q, %v; want its own %q", email, got.reveal(), err, want)
			}
		}
	}
	if items := fakeKeychain(t, dir); len(items) != n {
		t.Errorf("%d contexts share %d keychain items", n, len(items))
	}
}

func TestSecurityLineLimit(t *testing.T) {
	const fixed = len("add-generic-password -U -s difyctl -l difyctl -a  -w ") + 1
	value := []byte(`"dfoa_x"`) // written as "\"dfoa_x\"": 4 more bytes
	account := strings.Repeat("a", maxSecurityLine-fixed-len(value)-4)
	if line, err := securityWriteLine(account, value); err != nil || len(line) != maxSecurityLine {
		t.Fatalf("a %d-byte line: %d, %v", maxSecurityLine, len(line), err)
	}
	if _, err := securityWriteLine(account+"a", value); keyringKind(err) != keyringRejected {
		t.Fatalf("a %d-byte line: %v, want rejected", maxSecurityLine+1, err)
	}
	// A line at the cap goes through whole.
	k, dir := fakeSecurity(t)
	ctx := context.Background()
	if err := k.write(ctx, account, "", value); err != nil {
		t.Fatal(err)
	}
	if got, err := k.read(ctx, account); err != nil || string(got) != string(value) {
		t.Fatalf("read back %q, %v", got, err)
	}
	// Through the store: refused before any process starts.
	k, dir = fakeSecurity(t)
	email := strings.Repeat("e", 3000) + "@x"
	err := keyringPut(ctx, k, "h", email, newToken("dfoa_"+strings.Repeat("t", 1500)))
	if keyringKind(err) != keyringRejected || !strings.Contains(err.Error(), "4000-byte limit") {
		t.Fatalf("put: %v", err)
	}
	if readLog(t, dir, "calls.log") != "" {
		t.Error("security ran for an over-long line")
	}
}

func TestSecurityLockedKeychain(t *testing.T) {
	check := func(what string, k *securityKeyring) {
		t.Helper()
		for name, err := range map[string]error{
			"put":    keyringPut(context.Background(), k, "h", "e@x", newToken(testToken)),
			"get":    func() error { _, err := keyringGet(context.Background(), k, "h", "e@x"); return err }(),
			"delete": keyringDelete(context.Background(), k, "h", "e@x"),
		} {
			if keyringKind(err) != keyringLocked {
				t.Errorf("%s: %s: %v, want locked", what, name, err)
				continue
			}
			ce := keyringUnavailable(err)
			if ce.Code != "keyring_unavailable" || ce.Hint != "run 'security unlock-keychain' and retry" || exitCodeFor(ce) != 1 {
				t.Errorf("%s: %s: %+v", what, name, ce)
			}
		}
	}
	// The fake's model of a locked login keychain (errSecInteractionNotAllowed).
	k, dir := fakeSecurity(t)
	os.WriteFile(filepath.Join(dir, "locked"), nil, 0o600)
	check("locked keychain", k)
	// Other codes and messages seen for a locked keychain.
	for _, tc := range []struct{ exit, stderr string }{
		{"51", "security: SecKeychainItemCreateFromContent (<default>): The user name or passphrase you entered is not correct.\n"},
		{"36", "security: SecKeychainItemCreateFromContent (<default>): User interaction is not allowed.\n"},
		{"1", "security: User interaction is not allowed.\n"},
		{"1", "security: SecKeychainSearchCopyNext: failed with -25308\n"},
		{"0", "security: User interaction is not allowed.\n"},
	} {
		k, dir := fakeSecurity(t)
		os.WriteFile(filepath.Join(dir, "exit"), []byte(tc.exit), 0o600)
		os.WriteFile(filepath.Join(dir, "stderr"), []byte(tc.stderr), 0o600)
		check(fmt.Sprintf("exit %s %q", tc.exit, tc.stderr), k)
	}
}

func TestSecurityFailureNeverShowsSecret(t *testing.T) {
	k, dir := fakeSecurity(t)
	os.WriteFile(filepath.Join(dir, "echo-stdin"), nil, 0o600)
	err := keyringPut(context.Background(), k, "h", "e@x", newToken(testToken))
	if err == nil {
		t.Fatal("put succeeded")
	}
	if !strings.Contains(readLog(t, dir, "stdin.log"), testToken) {
		t.Fatal("the fake did not see the token; the test proves nothing")
	}
	for _, s := range []string{err.Error(), keyringUnavailable(err).Message, keyringUnavailable(err).Hint} {
		if strings.Contains(s, testToken[:12]) || strings.Contains(s, testToken[12:]) {
			t.Errorf("error text holds the token: %q", s)
		}
	}
}

func TestSecurityPasswordOutput(t *testing.T) {
	for in, want := range map[string]string{
		"\"dfoa_x\"\n":            `"dfoa_x"`,
		"dfoa_raw\n":              "dfoa_raw",
		"2264666f615f78220a\n":    "2264666f615f78220a", // not a JSON string
		"2264666f615f7822\n":      `"dfoa_x"`,           // hex dump of a JSON string
		"deadbeef\n":              "deadbeef",
		"\"dfoa_x\"":              `"dfoa_x"`,
		"\"dfoa_x\"\n\n":          "\"dfoa_x\"\n",
		"dfoa_0123456789abcdef\n": "dfoa_0123456789abcdef",
	} {
		if got := string(securityPassword([]byte(in))); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
	}
}

func TestSecurityChainFallsBackWhenLocked(t *testing.T) {
	k, dir := fakeSecurity(t)
	os.WriteFile(filepath.Join(dir, "locked"), nil, 0o600)
	e := newCredEnv(t)
	c := e.chain(t, k)
	storage, err := c.saveIn(nil, hostsNow(t, c), endpoint{Host: "h"}, "e@x", newToken(testToken))
	if err != nil || storage != storageSealed {
		t.Fatalf("save = %q, %v", storage, err)
	}
	if !strings.Contains(e.stderr.String(), "keychain is locked") || strings.Contains(e.stderr.String(), testToken) {
		t.Errorf("stderr %q", e.stderr)
	}
}

// A helper that does not exist is an absent store, not a crash.
func TestRunToolMissingBinary(t *testing.T) {
	_, err := runTool(context.Background(), toolCall{store: "x", op: "y", path: filepath.Join(t.TempDir(), "nope"), timeout: time.Second})
	if keyringKind(err) != keyringAbsent {
		t.Fatalf("err %v", err)
	}
	if _, err := exec.LookPath("sh"); err != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := runTool(ctx, toolCall{path: "/bin/sh", args: []string{"-c", "sleep 5"}, timeout: time.Second}); !errors.Is(err, errInterrupted) {
		t.Fatalf("cancelled parent: %v, want errInterrupted", err)
	}
}
