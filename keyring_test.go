package main

// keyring_test.go: the OS-independent parts of the OS stores: value
// encoding, Windows blob encoding, message scrubbing, and the macOS
// `security` command line, run on Linux against testdata/fake-security.

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
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
	if got := credTarget(keyringAccount("127.0.0.1:5001", "a@b")); got != "tokens.127.0.0.1:5001.a@b.difyctl" {
		t.Errorf("target %q", got)
	}
	if got := keyringLabel("h", "e@x"); got != "difyctl: e@x on h" {
		t.Errorf("label %q", got)
	}
}

func TestCredBlob(t *testing.T) {
	b, err := encodeCredBlob([]byte(`"dfoa_x"`))
	if err != nil || !bytes.Equal(b, []byte("\"\x00d\x00f\x00o\x00a\x00_\x00x\x00\"\x00")) {
		t.Fatalf("blob %q, %v (want UTF-16LE, as keyring-rs writes)", b, err)
	}
	if got := decodeCredBlob(b); string(got) != `"dfoa_x"` {
		t.Errorf("decode UTF-16 = %q", got)
	}
	for _, raw := range []string{"dfoa_odd", "dfoa_even1", `"dfoa_utf8"`} {
		if got := decodeCredBlob([]byte(raw)); string(got) != raw {
			t.Errorf("decode raw %q = %q", raw, got)
		}
	}
	if _, err := encodeCredBlob(bytes.Repeat([]byte("a"), maxCredBlob/2)); err != nil {
		t.Errorf("1280 characters: %v", err)
	}
	if _, err := encodeCredBlob(bytes.Repeat([]byte("a"), maxCredBlob/2+1)); keyringKind(err) != keyringRejected {
		t.Errorf("1281 characters: %v, want rejected", err)
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
// macOS `security`, against a fake

// fakeSecurity copies the fake security script into its own directory and
// returns a store driving it.
func fakeSecurity(t *testing.T) (*securityKeyring, string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the fake security is a shell script")
	}
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("testdata", "fake-security", "security"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "security")
	if err := os.WriteFile(path, src, 0o755); err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string {
		if k == "DIFY_CONFIG_DIR" {
			return "/should/not/leak"
		}
		return os.Getenv(k)
	}
	return &securityKeyring{path: path, env: childEnv(getenv, securityEnvNames...), timeout: 10 * time.Second}, dir
}

func readLog(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
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
	if err := keyringDelete(ctx, k, "cloud.dify.ai", "tester@dify.ai"); err != nil {
		t.Fatal(err)
	}
	if _, err := keyringGet(ctx, k, "cloud.dify.ai", "tester@dify.ai"); !errors.Is(err, errKeyringNotFound) {
		t.Fatalf("get after delete: %v, want not found (exit 44)", err)
	}
	if err := keyringDelete(ctx, k, "cloud.dify.ai", "tester@dify.ai"); !errors.Is(err, errKeyringNotFound) {
		t.Fatalf("second delete: %v, want not found (exit 44)", err)
	}
	argv := readLog(t, dir, "argv.log")
	want := []string{
		"-i",
		"find-generic-password\x1f-s\x1fdifyctl\x1f-a\x1ftokens.cloud.dify.ai.tester@dify.ai\x1f-w",
		"delete-generic-password\x1f-s\x1fdifyctl\x1f-a\x1ftokens.cloud.dify.ai.tester@dify.ai",
	}
	for _, w := range want {
		if !strings.Contains(argv, w+"\x1f\n") {
			t.Errorf("argv.log lacks %q:\n%q", w, argv)
		}
	}
	if strings.Contains(argv, testToken[5:]) {
		t.Errorf("the token reached argv:\n%q", argv)
	}
	stdin := readLog(t, dir, "stdin.log")
	if stdin != "add-generic-password -U -s difyctl -a tokens.cloud.dify.ai.tester@dify.ai -w '\""+testToken+"\"'\n" {
		t.Errorf("security -i got %q", stdin)
	}
	if env := readLog(t, dir, "env.log"); strings.Contains(env, "DIFY_") {
		t.Errorf("child env has DIFY_ variables:\n%s", env)
	}
}

func TestSecurityHostileNames(t *testing.T) {
	k, dir := fakeSecurity(t)
	ctx := context.Background()
	pwned := filepath.Join(dir, "pwned")
	for _, email := range []string{
		"o'brien@x", `"quoted"@x`, "two words@x", "$(touch " + pwned + ")@x", "`touch " + pwned + "`@x",
		"a;touch " + pwned + "@x", `back\slash@x`, "'; delete-generic-password -a x; '@x", "ünï@x",
	} {
		tok := newToken("dfoa_" + strings.Repeat("z", len(email)%7+3))
		if err := keyringPut(ctx, k, "h", email, tok); err != nil {
			t.Errorf("%q: put: %v", email, err)
			continue
		}
		got, err := keyringGet(ctx, k, "h", email)
		if err != nil || got.reveal() != tok.reveal() {
			t.Errorf("%q: get = %v, %v", email, got, err)
		}
	}
	if _, err := os.Stat(pwned); err == nil {
		t.Fatal("a hostile email ran a command through security -i")
	}
	for _, email := range []string{"new\nline@x", "cr\r@x", "nul\x00@x", "tab\t@x", "esc\x1b@x"} {
		err := keyringPut(ctx, k, "h", email, newToken("dfoa_x"))
		if keyringKind(err) != keyringRejected {
			t.Errorf("%q: %v, want rejected before running security", email, err)
		}
	}
}

func TestSecurityLineLimit(t *testing.T) {
	const fixed = len("add-generic-password -U -s difyctl -a  -w ") + 1
	value := []byte(`"dfoa_x"`) // written single-quoted: 2 more bytes
	account := strings.Repeat("a", maxSecurityLine-fixed-len(value)-2)
	if line, err := securityWriteLine(account, value); err != nil || len(line) != maxSecurityLine {
		t.Fatalf("a %d-byte line: %d, %v", maxSecurityLine, len(line), err)
	}
	if _, err := securityWriteLine(account+"a", value); keyringKind(err) != keyringRejected {
		t.Fatalf("a %d-byte line: %v, want rejected", maxSecurityLine+1, err)
	}
	// Through the store: refused before any process starts.
	k, dir := fakeSecurity(t)
	email := strings.Repeat("e", 3000) + "@x"
	err := keyringPut(context.Background(), k, "h", email, newToken("dfoa_"+strings.Repeat("t", 1500)))
	if keyringKind(err) != keyringRejected || !strings.Contains(err.Error(), "4000-byte limit") {
		t.Fatalf("put: %v", err)
	}
	if readLog(t, dir, "argv.log") != "" {
		t.Error("security ran for an over-long line")
	}
}

func TestSecurityLockedKeychain(t *testing.T) {
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
		for name, err := range map[string]error{
			"put":    keyringPut(context.Background(), k, "h", "e@x", newToken(testToken)),
			"get":    func() error { _, err := keyringGet(context.Background(), k, "h", "e@x"); return err }(),
			"delete": keyringDelete(context.Background(), k, "h", "e@x"),
		} {
			if keyringKind(err) != keyringLocked {
				t.Errorf("exit %s %q: %s: %v, want locked", tc.exit, tc.stderr, name, err)
				continue
			}
			ce := keyringUnavailable(err)
			if ce.Code != "keyring_unavailable" || ce.Hint != "run 'security unlock-keychain' and retry" || exitCodeFor(ce) != 1 {
				t.Errorf("%s: %+v", name, ce)
			}
		}
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
	os.WriteFile(filepath.Join(dir, "exit"), []byte("51"), 0o600)
	e := newCredEnv(t)
	c := e.chain(t, k)
	storage, err := c.save("h", "e@x", newToken(testToken))
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
