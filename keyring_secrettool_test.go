//go:build !windows && !darwin

package main

// keyring_secrettool_test.go: the Secret Service store. The first half runs
// everywhere against testdata/fake-secret-tool (no bus, no secret-tool, a
// store that hangs, one that echoes the secret). The TestKeyringSecretService*
// tests run against a real Secret Service when DBUS_SESSION_BUS_ADDRESS is
// set and secret-tool is installed, and skip saying so otherwise; CI runs
// them under .ci/keyring-session.sh (a private bus and an unlocked
// gnome-keyring):
//
//	.ci/keyring-session.sh go test -run Keyring -v ./...

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakeSecretTool puts a copy of the fake secret-tool on the env's PATH, in
// a directory of its own where it keeps its state and logs.
func fakeSecretTool(t *testing.T, e *credEnv, modes ...string) string {
	t.Helper()
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("testdata", "fake-secret-tool", "secret-tool"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "secret-tool"), src, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, m := range modes {
		os.WriteFile(filepath.Join(dir, m), nil, 0o600)
	}
	e.env["PATH"] = dir + string(os.PathListSeparator) + os.Getenv("PATH")
	e.env["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=" + filepath.Join(dir, "no-such-bus")
	return dir
}

func TestKeyringFakeSecretToolCommands(t *testing.T) {
	e := newCredEnv(t)
	dir := fakeSecretTool(t, e)
	e.env["DIFY_TOKEN_STORAGE_EXTRA"] = "x"
	e.env["XDG_RUNTIME_DIR"] = "/run/user/test"
	ts, err := newTokenStore(e.a)
	if err != nil {
		t.Fatal(err)
	}
	storage, err := ts.saveIn(nil, hostsNow(t, ts), endpoint{Host: "cloud.dify.ai"}, "tester@dify.ai", newToken(testToken))
	if err != nil || storage != storageKeychain {
		t.Fatalf("save = %q, %v", storage, err)
	}
	if tok, _, err := ts.find(hostsNow(t, ts), &hostEntry{Host: "cloud.dify.ai"}, ctxEntry("tester@dify.ai", storageKeychain)); err != nil || tok.reveal() != testToken {
		t.Fatalf("find = %v, %v", tok, err)
	}
	if err := ts.forget(hostsNow(t, ts), "cloud.dify.ai", ctxEntry("tester@dify.ai", storageKeychain)); err != nil {
		t.Fatal(err)
	}
	attrs := "service\x1fdifyctl\x1fusername\x1ftokens.cloud.dify.ai.tester@dify.ai\x1f"
	want := "store\x1f--label=difyctl: tester@dify.ai on cloud.dify.ai\x1f" + attrs + "\n" +
		"lookup\x1f" + attrs + "\n" + // read-back
		"lookup\x1f" + attrs + "\n" + // find
		"clear\x1f" + attrs + "\n"
	if got := readLog(t, dir, "argv.log"); got != want {
		t.Errorf("secret-tool calls:\n%q\nwant\n%q", got, want)
	}
	if got := readLog(t, dir, "stdin.log"); got != `"`+testToken+`"` {
		t.Errorf("store read %q from stdin, want the exact JSON value without a newline", got)
	}
	env := readLog(t, dir, "env.log")
	for _, w := range []string{"DBUS_SESSION_BUS_ADDRESS=", "XDG_RUNTIME_DIR=/run/user/test", "HOME="} {
		if !strings.Contains(env, w) {
			t.Errorf("child env lacks %s:\n%s", w, env)
		}
	}
	if strings.Contains(env, "DIFY_") {
		t.Errorf("child env has DIFY_ variables:\n%s", env)
	}
}

func TestKeyringFallbackWithoutBus(t *testing.T) {
	e := newCredEnv(t)
	dir := fakeSecretTool(t, e)
	delete(e.env, "DBUS_SESSION_BUS_ADDRESS")
	ts, _ := newTokenStore(e.a)
	storage, err := ts.saveIn(nil, hostsNow(t, ts), endpoint{Host: "h"}, "e@x", newToken(testToken))
	if err != nil || storage != storageSealed {
		t.Fatalf("save = %q, %v", storage, err)
	}
	want := "! OS credential store unavailable (DBUS_SESSION_BUS_ADDRESS is not set); token sealed in " + filepath.Join(e.config, sealedFileName) + "\n"
	if e.stderr.String() != want {
		t.Errorf("stderr %q\nwant   %q", e.stderr, want)
	}
	if readLog(t, dir, "argv.log") != "" {
		t.Error("secret-tool ran without a bus")
	}
}

func TestKeyringFallbackWithoutSecretTool(t *testing.T) {
	e := newCredEnv(t)
	e.env["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=/nonexistent"
	ts, _ := newTokenStore(e.a)
	storage, err := ts.saveIn(nil, hostsNow(t, ts), endpoint{Host: "h"}, "e@x", newToken(testToken))
	if err != nil || storage != storageSealed {
		t.Fatalf("save = %q, %v", storage, err)
	}
	if !strings.Contains(e.stderr.String(), "(secret-tool is not installed); token sealed in ") {
		t.Errorf("stderr %q", e.stderr)
	}
}

// processGone reports whether pid has exited (a zombie waiting for a
// reaper counts as gone).
func processGone(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil {
		return true
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) {
		return stat[i+2] == 'Z'
	}
	return false
}

func readPid(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the fake did not record a pid: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

func TestKeyringHangingSecretToolIsKilled(t *testing.T) {
	e := newCredEnv(t)
	dir := fakeSecretTool(t, e, "hang")
	e.env[keyringTimeoutEnv] = "300ms"
	ts, _ := newTokenStore(e.a)
	start := time.Now()
	storage, err := ts.saveIn(nil, hostsNow(t, ts), endpoint{Host: "h"}, "e@x", newToken(testToken))
	elapsed := time.Since(start)
	if err != nil || storage != storageSealed {
		t.Fatalf("save = %q, %v", storage, err)
	}
	// 300 ms for the store call, plus at most the 1 s WaitDelay and slack.
	if elapsed > 3*time.Second {
		t.Errorf("save took %v with a 300ms deadline", elapsed)
	}
	if !strings.Contains(e.stderr.String(), "no answer within 300ms") || strings.Count(e.stderr.String(), "\n") != 1 {
		t.Errorf("stderr %q", e.stderr)
	}
	for _, f := range []string{"pid", "child-pid"} {
		pid := readPid(t, filepath.Join(dir, f))
		deadline := time.Now().Add(2 * time.Second)
		for !processGone(pid) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if !processGone(pid) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Errorf("%s %d still runs after the deadline", f, pid)
		}
	}
	// Forcing the OS store turns the same hang into keyring_unavailable.
	e.env[tokenStorageEnv] = "keychain"
	ts, _ = newTokenStore(e.a)
	_, err = ts.saveIn(nil, hostsNow(t, ts), endpoint{Host: "h"}, "e@x", newToken(testToken))
	wantCode(t, err, "keyring_unavailable")
}

func TestKeyringFailingStoreNeverLeaksToken(t *testing.T) {
	e := newCredEnv(t)
	dir := fakeSecretTool(t, e, "echo-stdin")
	ts, _ := newTokenStore(e.a)
	if _, err := ts.saveIn(nil, hostsNow(t, ts), endpoint{Host: "h"}, "e@x", newToken(testToken)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(readLog(t, dir, "stdin.log"), testToken) {
		t.Fatal("the fake did not see the token; the test proves nothing")
	}
	e.env[tokenStorageEnv] = "keychain"
	ts, _ = newTokenStore(e.a)
	_, err := ts.saveIn(nil, hostsNow(t, ts), endpoint{Host: "h"}, "e@x", newToken(testToken))
	ce := wantCode(t, err, "keyring_unavailable")
	if !strings.Contains(ce.Message, "Secret Service (secret-tool) store") {
		t.Errorf("message %q does not say which store and operation", ce.Message)
	}
	var out bytes.Buffer
	writeHumanError(&out, err, colors{})
	writeJSONError(&out, err)
	for _, s := range []string{e.stderr.String(), ce.Message, ce.Hint, err.Error(), out.String()} {
		for _, part := range []string{testToken, testToken[:10], testToken[10:20], testToken[20:]} {
			if strings.Contains(s, part) {
				t.Errorf("%q shows part of the token", s)
			}
		}
	}
}

func TestKeyringLockedCollectionIsNotNotFound(t *testing.T) {
	e := newCredEnv(t)
	dir := fakeSecretTool(t, e)
	os.WriteFile(filepath.Join(dir, "fail"), []byte("secret-tool: Cannot create an item in a locked collection\n"), 0o600)
	ts, _ := newTokenStore(e.a)
	// Reading a context recorded in the keychain: unavailable, not "signed out".
	_, _, err := ts.find(hostsNow(t, ts), &hostEntry{Host: "h"}, ctxEntry("e@x", storageKeychain))
	ce := wantCode(t, err, "keyring_unavailable")
	if !strings.Contains(ce.Message, "locked collection") || !strings.Contains(ce.Hint, "unlock") {
		t.Errorf("error %q hint %q", ce.Message, ce.Hint)
	}
	// Unknown storage: still reported, since the store answered with an error.
	_, _, err = ts.find(hostsNow(t, ts), &hostEntry{Host: "h"}, ctxEntry("e@x", ""))
	wantCode(t, err, "keyring_unavailable")
	// Logging in falls back and says why.
	if s, err := ts.saveIn(nil, hostsNow(t, ts), endpoint{Host: "h"}, "e@x", newToken(testToken)); err != nil || s != storageSealed {
		t.Fatalf("save = %q, %v", s, err)
	}
	if !strings.Contains(e.stderr.String(), "locked collection") {
		t.Errorf("stderr %q", e.stderr)
	}
	// Logout reports the store it could not clean.
	wantCode(t, ts.forget(hostsNow(t, ts), "h", ctxEntry("e@x", storageSealed)), "keyring_unavailable")
}

func TestKeyringTruncatingStoreFailsReadBack(t *testing.T) {
	e := newCredEnv(t)
	dir := fakeSecretTool(t, e, "truncate")
	ts, _ := newTokenStore(e.a)
	storage, err := ts.saveIn(nil, hostsNow(t, ts), endpoint{Host: "h"}, "e@x", newToken(testToken))
	if err != nil || storage != storageSealed {
		t.Fatalf("save = %q, %v; a value that does not read back must not count", storage, err)
	}
	if !strings.Contains(e.stderr.String(), "read back differs") {
		t.Errorf("stderr %q", e.stderr)
	}
	if !strings.Contains(readLog(t, dir, "argv.log"), "clear\x1f") {
		t.Error("the bad copy was not cleared")
	}
}

// items lists the items the fake secret-tool in dir holds.
func items(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "item.*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// A store that takes the item but cannot read it back (a locked
// collection, no answer in time) falls back to the sealed file, as it
// says, and keeps no copy of the token.
func TestKeyringFailedReadBackLeavesNoCopy(t *testing.T) {
	for _, mode := range []string{"fail-lookup", "hang-lookup"} {
		e := newCredEnv(t)
		dir := fakeSecretTool(t, e)
		os.WriteFile(filepath.Join(dir, mode), []byte("secret-tool: Cannot get secret: locked collection\n"), 0o600)
		e.env[keyringTimeoutEnv] = "300ms"
		ts, _ := newTokenStore(e.a)
		storage, err := ts.saveIn(nil, hostsNow(t, ts), endpoint{Host: "h"}, "e@x", newToken(testToken))
		if err != nil || storage != storageSealed {
			t.Fatalf("%s: save = %q, %v", mode, storage, err)
		}
		if !strings.Contains(e.stderr.String(), "OS credential store unavailable (") || !strings.Contains(e.stderr.String(), "token sealed in ") {
			t.Errorf("%s: stderr %q", mode, e.stderr)
		}
		if !strings.Contains(readLog(t, dir, "argv.log"), "store\x1f") {
			t.Fatalf("%s: nothing was written; the test proves nothing", mode)
		}
		if m := items(t, dir); len(m) != 0 {
			t.Errorf("%s: the OS store kept a copy: %v", mode, m)
		}
	}
}

// When the read-back fails and the item cannot be taken back out either,
// the fallback notice says the token may still be in the OS store, and
// how to remove it: it is.
func TestKeyringFailedReadBackAndRemovalSaysACopyMayStay(t *testing.T) {
	e := newCredEnv(t)
	dir := fakeSecretTool(t, e)
	os.WriteFile(filepath.Join(dir, "fail-lookup"), []byte("secret-tool: Cannot get secret: locked collection\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "fail-clear"), []byte("secret-tool: Cannot delete: locked collection\n"), 0o600)
	ts, _ := newTokenStore(e.a)
	storage, err := ts.saveIn(nil, hostsNow(t, ts), endpoint{Host: "h"}, "e@x", newToken(testToken))
	if err != nil || storage != storageSealed {
		t.Fatalf("save = %q, %v", storage, err)
	}
	if len(items(t, dir)) != 1 {
		t.Fatalf("the test expects the copy to stay: %v", items(t, dir))
	}
	want := "; the token written may still be in the OS credential store, entry tokens.h.e@x: remove it by hand with secret-tool clear service difyctl username tokens.h.e@x); token sealed in "
	if !strings.Contains(e.stderr.String(), want) {
		t.Errorf("stderr %q, want %q", e.stderr, want)
	}
}

// Ctrl-C while the read-back runs stops the sign-in and takes the item
// back out: nothing is left stored.
func TestKeyringCtrlCDuringReadBackLeavesNoCopy(t *testing.T) {
	e := newCredEnv(t)
	dir := fakeSecretTool(t, e, "hang-lookup")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.a.ctx = ctx
	go func() {
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if _, err := os.Stat(filepath.Join(dir, "pid")); err == nil {
				break
			}
		}
		cancel()
	}()
	ts, _ := newTokenStore(e.a)
	_, err := ts.saveIn(nil, hostsNow(t, ts), endpoint{Host: "h"}, "e@x", newToken(testToken))
	if !errors.Is(err, errInterrupted) {
		t.Fatalf("save: %v, want interrupted", err)
	}
	if m := items(t, dir); len(m) != 0 {
		t.Errorf("the OS store kept a copy: %v", m)
	}
	if _, err := os.Stat(filepath.Join(e.config, sealedFileName)); err == nil {
		t.Error("the token was sealed after Ctrl-C")
	}
}

// ---------------------------------------------------------------------------
// A real Secret Service

// realSecretService returns an env that reaches the session's Secret
// Service, or skips the test saying why.
func realSecretService(t *testing.T) *credEnv {
	t.Helper()
	bus := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	if bus == "" {
		t.Skip("no D-Bus session (DBUS_SESSION_BUS_ADDRESS unset): run under .ci/keyring-session.sh to test the real Secret Service")
	}
	if _, err := exec.LookPath("secret-tool"); err != nil {
		t.Skip("secret-tool is not installed (apt-get install libsecret-tools): cannot test the real Secret Service")
	}
	e := newCredEnv(t)
	for _, k := range []string{"PATH", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "DISPLAY", "WAYLAND_DISPLAY"} {
		if v := os.Getenv(k); v != "" {
			e.env[k] = v
		}
	}
	return e
}

// uniqueHost keeps test items apart from anything else in the keyring.
func uniqueHost(t *testing.T) string {
	var b [6]byte
	rand.Read(b[:])
	host := "difyctl-test-" + hex.EncodeToString(b[:]) + ".invalid"
	t.Cleanup(func() {
		for _, email := range []string{"a@x", "b@x", "raw@x"} {
			exec.Command("secret-tool", "clear", "service", "difyctl", "username", keyringAccount(host, email)).Run()
		}
	})
	return host
}

// secretToolLookup is what the official client (and a user) sees.
func secretToolLookup(t *testing.T, host, email string) (string, bool) {
	t.Helper()
	cmd := exec.Command("secret-tool", "lookup", "service", "difyctl", "username", keyringAccount(host, email))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 1 && stderr.Len() == 0 {
		return "", false
	}
	if err != nil {
		t.Fatalf("secret-tool lookup: %v: %s", err, stderr.Bytes())
	}
	return string(out), true
}

func TestKeyringSecretServiceRoundTrip(t *testing.T) {
	e := realSecretService(t)
	host := uniqueHost(t)
	ts, err := newTokenStore(e.a)
	if err != nil {
		t.Fatal(err)
	}
	storage, err := ts.saveIn(nil, hostsNow(t, ts), endpoint{Host: host}, "a@x", newToken(testToken))
	if err != nil || storage != storageKeychain {
		t.Fatalf("save = %q, %v (stderr %q)", storage, err, e.stderr)
	}
	if tok, _, err := ts.find(hostsNow(t, ts), &hostEntry{Host: host}, ctxEntry("a@x", storageKeychain)); err != nil || tok.reveal() != testToken {
		t.Fatalf("find = %v, %v", tok, err)
	}
	// Re-login replaces the value.
	if _, err := ts.saveIn(nil, hostsNow(t, ts), endpoint{Host: host}, "a@x", newToken(testToken+"2")); err != nil {
		t.Fatal(err)
	}
	if tok, _, _ := ts.find(hostsNow(t, ts), &hostEntry{Host: host}, ctxEntry("a@x", storageKeychain)); tok.reveal() != testToken+"2" {
		t.Fatal("re-save did not replace the token")
	}
	noTokenUnder(t, e.config, testToken)
	if _, err := os.Stat(filepath.Join(e.config, sealedFileName)); err == nil {
		t.Error("tokens.sealed written although the Secret Service works")
	}
}

func TestKeyringSecretServiceTwoContextsStayApart(t *testing.T) {
	e := realSecretService(t)
	host, other := uniqueHost(t), uniqueHost(t)
	ts, _ := newTokenStore(e.a)
	want := map[[2]string]string{{host, "a@x"}: "dfoa_first", {host, "b@x"}: "dfoa_second", {other, "a@x"}: "dfoa_third"}
	for k, v := range want {
		if s, err := ts.saveIn(nil, hostsNow(t, ts), endpoint{Host: k[0]}, k[1], newToken(v)); err != nil || s != storageKeychain {
			t.Fatalf("save %v = %q, %v", k, s, err)
		}
	}
	for k, v := range want {
		if tok, _, err := ts.find(hostsNow(t, ts), &hostEntry{Host: k[0]}, ctxEntry(k[1], storageKeychain)); err != nil || tok.reveal() != v {
			t.Errorf("find %v = %v, %v", k, tok, err)
		}
	}
	if err := ts.forget(hostsNow(t, ts), host, ctxEntry("a@x", storageKeychain)); err != nil {
		t.Fatal(err)
	}
	if tok, _, err := ts.find(hostsNow(t, ts), &hostEntry{Host: host}, ctxEntry("b@x", storageKeychain)); err != nil || tok.reveal() != "dfoa_second" {
		t.Errorf("the other account on the host: %v, %v", tok, err)
	}
	if tok, _, err := ts.find(hostsNow(t, ts), &hostEntry{Host: other}, ctxEntry("a@x", storageKeychain)); err != nil || tok.reveal() != "dfoa_third" {
		t.Errorf("the same email on another host: %v, %v", tok, err)
	}
}

func TestKeyringSecretServiceOfficialNames(t *testing.T) {
	e := realSecretService(t)
	host := uniqueHost(t)
	ts, _ := newTokenStore(e.a)
	if _, err := ts.saveIn(nil, hostsNow(t, ts), endpoint{Host: host}, "a@x", newToken(testToken)); err != nil {
		t.Fatal(err)
	}
	// What the official client reads: service difyctl, username
	// tokens.<host>.<email>, the token JSON-encoded.
	got, ok := secretToolLookup(t, host, "a@x")
	if !ok || got != `"`+testToken+`"` {
		t.Fatalf("secret-tool lookup = %q, %v", got, ok)
	}
	// What other tools may have written: a raw token.
	cmd := exec.Command("secret-tool", "store", "--label=raw", "service", "difyctl", "username", keyringAccount(host, "raw@x"))
	cmd.Stdin = strings.NewReader("dfoa_rawvalue")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("secret-tool store: %v %s", err, out)
	}
	if tok, _, err := ts.find(hostsNow(t, ts), &hostEntry{Host: host}, ctxEntry("raw@x", "")); err != nil || tok.reveal() != "dfoa_rawvalue" {
		t.Fatalf("find raw = %v, %v", tok, err)
	}
}

func TestKeyringSecretServiceDelete(t *testing.T) {
	e := realSecretService(t)
	host := uniqueHost(t)
	ts, _ := newTokenStore(e.a)
	if _, err := ts.saveIn(nil, hostsNow(t, ts), endpoint{Host: host}, "a@x", newToken(testToken)); err != nil {
		t.Fatal(err)
	}
	if err := ts.forget(hostsNow(t, ts), host, ctxEntry("a@x", storageKeychain)); err != nil {
		t.Fatal(err)
	}
	if v, ok := secretToolLookup(t, host, "a@x"); ok {
		t.Fatalf("still stored after forget: %d bytes", len(v))
	}
	if _, _, err := ts.find(hostsNow(t, ts), &hostEntry{Host: host}, ctxEntry("a@x", storageKeychain)); !errors.Is(err, errNoCredential) {
		t.Fatalf("find after forget: %v", err)
	}
	// Deleting what is not there is fine.
	if err := ts.forget(hostsNow(t, ts), host, ctxEntry("a@x", storageKeychain)); err != nil {
		t.Fatalf("second forget: %v", err)
	}
}

func TestKeyringSecretServiceTokenNeverInArgv(t *testing.T) {
	e := realSecretService(t)
	real, err := exec.LookPath("secret-tool")
	if err != nil {
		t.Fatal(err)
	}
	shim := t.TempDir()
	log := filepath.Join(shim, "argv.log")
	script := "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '" + log + "'\nexec '" + real + "' \"$@\"\n"
	if err := os.WriteFile(filepath.Join(shim, "secret-tool"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	e.env["PATH"] = shim + string(os.PathListSeparator) + e.env["PATH"]
	host := uniqueHost(t)
	ts, _ := newTokenStore(e.a)
	if s, err := ts.saveIn(nil, hostsNow(t, ts), endpoint{Host: host}, "a@x", newToken(testToken)); err != nil || s != storageKeychain {
		t.Fatalf("save = %q, %v", s, err)
	}
	if _, _, err := ts.find(hostsNow(t, ts), &hostEntry{Host: host}, ctxEntry("a@x", "")); err != nil {
		t.Fatal(err)
	}
	if err := ts.forget(hostsNow(t, ts), host, ctxEntry("a@x", storageKeychain)); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatalf("the shim never ran: %v", err)
	}
	calls := string(b)
	for _, w := range []string{"store --label=", "lookup service difyctl", "clear service difyctl"} {
		if !strings.Contains(calls, w) {
			t.Errorf("no %q call through the shim:\n%s", w, calls)
		}
	}
	if strings.Contains(calls, testToken) || strings.Contains(calls, testToken[5:15]) {
		t.Errorf("the token reached argv:\n%s", calls)
	}
	if strings.Contains(calls, "search") {
		t.Errorf("secret-tool search was used (it prints secrets):\n%s", calls)
	}
}

// The official client's tokens.yml is read in place: nothing is copied
// into the real Secret Service.
func TestKeyringSecretServiceLeavesOfficialPlaintext(t *testing.T) {
	e := realSecretService(t)
	hostA, hostB := uniqueHost(t), uniqueHost(t)
	t.Cleanup(func() {
		for key := range officialTokens(hostA, hostB) {
			exec.Command("secret-tool", "clear", "service", "difyctl", "username", keyringAccount(key[0], key[1])).Run()
		}
	})
	k := newOSKeyring(e.a.getenv, defaultKeyringTimeout)
	readInPlace(t, e, e.chain(t, k), hostA, hostB)
	if got, ok := secretToolLookup(t, hostA, "tester@dify.ai"); ok {
		t.Errorf("secret-tool lookup = %q: the official token was copied", got)
	}
}
