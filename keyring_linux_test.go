//go:build linux

package main

// keyring_linux_test.go: a running D-Bus session (a unix socket that accepts
// a connection) with no secret-tool on PATH, the Debian/Ubuntu default
// (issue 22 item 2): a sign-in says what to install, and a context the
// official client keeps in the keyring gets not_logged_in with that hint;
// and a Secret Service that will not delete a token (after a revoke, or
// when a sign-in stopped by Ctrl-C takes its token back out).

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// liveBus listens on a unix socket, accepting and closing connections,
// and returns its D-Bus address.
func liveBus(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "bus")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "bus")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return "unix:path=" + sock
}

// noSecretTool gives the env a PATH without secret-tool and no forced
// storage.
func noSecretTool(t *testing.T, e *cliEnv, bus string) {
	t.Helper()
	delete(e.vars, "DIFY_TOKEN_STORAGE")
	e.vars["PATH"] = t.TempDir()
	e.vars["DBUS_SESSION_BUS_ADDRESS"] = bus
}

const installLine = "secret-tool is not installed, though a D-Bus session is running; install the libsecret-tools package (Debian/Ubuntu) to use the keyring"

func TestKeyringLiveBusWithoutSecretToolSignIn(t *testing.T) {
	f := fastFake(t)
	e := newCLIEnv(t)
	noSecretTool(t, e, liveBus(t))
	r, _ := e.login(f, "tester@dify.ai", "Test Tester", nil, "--no-browser")
	wantExit(t, r, 0)
	want := "! OS credential store unavailable (" + installLine + "); token sealed in " + filepath.Join(e.config, sealedFileName) + "\n"
	if !strings.Contains(r.stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
	}
	wantExit(t, e.run("auth", "devices", "list"), 0)

	// No live bus (nothing listens there): the plain reason, as before.
	e2 := newCLIEnv(t)
	noSecretTool(t, e2, "unix:path="+filepath.Join(t.TempDir(), "no-such-bus"))
	r, _ = e2.login(f, "tester@dify.ai", "Test Tester", nil, "--no-browser")
	wantExit(t, r, 0)
	if !strings.Contains(r.stderr, "(secret-tool is not installed); token sealed in ") || strings.Contains(r.stderr, "libsecret-tools") {
		t.Errorf("without a live bus:\n%s", r.stderr)
	}
}

// officialKeychainHosts is the official client's hosts.yml for a sign-in
// whose token it keeps in the keyring; perAccount adds our per-account
// token_storage line.
func officialKeychainHosts(perAccount string) string {
	s := `token_storage: keychain
current_host: a.example
hosts:
  a.example:
    current_account: a@x.io
    accounts:
      a@x.io:
        account:
          id: '1'
          email: a@x.io
          name: A
`
	if perAccount != "" {
		s += "        token_storage: " + perAccount + "\n"
	}
	return s
}

func TestKeyringLiveBusWithoutSecretToolOfficialContext(t *testing.T) {
	bus := liveBus(t)
	for _, per := range []string{"", "keychain"} {
		e := newCLIEnv(t)
		noSecretTool(t, e, bus)
		e.writeHosts(officialKeychainHosts(per))
		for _, args := range [][]string{{"auth", "token"}, {"use", "account", "--email", "a@x.io"}} {
			r := e.run(args...)
			wantExit(t, r, 4)
			if !strings.Contains(r.stderr, "not_logged_in: no credential stored for a@x.io on a.example") ||
				!strings.Contains(r.stderr, "hint: a D-Bus session is running, so the token may be in the keyring, which difyctl reads with secret-tool: install it (the libsecret-tools package on Debian/Ubuntu) and retry") ||
				r.stdout != "" {
				t.Errorf("token_storage %q, %v:\n%s", per, args, r)
			}
		}
	}
	// A context of ours sealed in the file is not the keyring's: no hint.
	e := newCLIEnv(t)
	noSecretTool(t, e, bus)
	e.writeHosts(officialKeychainHosts("sealed"))
	r := e.run("auth", "token")
	wantExit(t, r, 4)
	if strings.Contains(r.stderr, "libsecret-tools") {
		t.Errorf("hint for a sealed context:\n%s", r)
	}
	// No live bus: the bare not-found, as before.
	e = newCLIEnv(t)
	noSecretTool(t, e, "unix:path="+filepath.Join(t.TempDir(), "no-such-bus"))
	e.writeHosts(officialKeychainHosts(""))
	r = e.run("auth", "token")
	wantExit(t, r, 4)
	if strings.Contains(r.stderr, "libsecret-tools") {
		t.Errorf("hint without a live bus:\n%s", r)
	}
}

// Issue 22 item 1: the official client keeps its tokens in the keyring
// (global token_storage: keychain); a sign-in of ours that falls back to
// the sealed file must leave that key alone, or the official client looks
// for every one of its tokens in tokens.yml. Where the key is absent, a
// sealed sign-in leaves it absent.
func TestSealedSignInKeepsTheOfficialStorageKey(t *testing.T) {
	f := fastFake(t)
	bus := liveBus(t)
	e := newCLIEnv(t)
	noSecretTool(t, e, bus)
	e.writeHosts(officialKeychainHosts(""))
	r, _ := e.login(f, "tester@dify.ai", "Test Tester", nil, "--no-browser")
	wantExit(t, r, 0)
	hosts := e.readHosts()
	if !strings.HasPrefix(hosts, "token_storage: keychain\n") || strings.Contains(hosts, "token_storage: file") {
		t.Fatalf("the official client's token_storage changed:\n%s", hosts)
	}
	if !strings.Contains(hosts, "        token_storage: sealed\n") || !strings.Contains(hosts, "      a@x.io:\n") {
		t.Fatalf("want our context recorded sealed beside the official one:\n%s", hosts)
	}
	wantExit(t, e.run("auth", "devices", "list"), 0)

	for _, global := range []string{"file", ""} {
		e := newCLIEnv(t)
		noSecretTool(t, e, bus)
		if global != "" {
			e.writeHosts(strings.Replace(officialKeychainHosts(""), "token_storage: keychain", "token_storage: "+global, 1))
		}
		r, _ := e.login(f, "tester@dify.ai", "Test Tester", nil, "--no-browser")
		wantExit(t, r, 0)
		hosts := e.readHosts()
		if got := strings.HasPrefix(hosts, "token_storage: "+global+"\n"); got != (global != "") || strings.Contains(hosts, "token_storage: keychain") {
			t.Errorf("global token_storage %q before a sealed sign-in:\n%s", global, hosts)
		}
	}
}

// A logout of a context the official client keeps in the keyring, where
// secret-tool is missing, does not claim the token is gone: it names the
// entry left, how to remove it, and that the session stays active. Its
// per-account token_storage, ours, may be absent or keychain. Once
// tokens.yml or tokens.sealed holds the token, the keyring is not
// reported: the token was found and removed.
func TestKeyringLiveBusWithoutSecretToolOfficialLogout(t *testing.T) {
	bus := liveBus(t)
	f := fastFake(t)
	entry := keyringAccount(f.host, "tester@dify.ai")
	for _, per := range []string{"", "keychain"} {
		e := newCLIEnv(t)
		noSecretTool(t, e, bus)
		_, id := mintToken(t, f, "tester@dify.ai")
		officialContext(e, f, "tester@dify.ai", id)
		hosts := strings.Replace(e.readHosts(), "token_storage: file\n", "token_storage: keychain\n", 1)
		if per != "" {
			hosts += "        token_storage: " + per + "\n"
		}
		e.writeHosts(hosts)
		r := e.run("auth", "logout")
		wantExit(t, r, 1)
		for _, want := range []string{
			"credential_unwritable: not fully logged out of " + f.host + ": the token of tester@dify.ai on " + f.host + " may still be in the OS credential store, entry " + entry + " (",
			"hint: install secret-tool (the libsecret-tools package on Debian/Ubuntu), then remove it by hand: secret-tool clear service difyctl username " + entry + "\n",
			"server revoke skipped: the session stays active, end it with 'difyctl auth devices revoke " + id + "'",
		} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("token_storage %q: want %q in:\n%s", per, want, r.stderr)
			}
		}
		if r.stdout != "" || strings.Contains(r.stderr, "cleared anyway") {
			t.Errorf("token_storage %q: logout claims it cleared everything:\n%s", per, r)
		}
		if !f.tokenByID(id).Live {
			t.Errorf("token_storage %q: the session was revoked without its token?", per)
		}
	}

	// A sealed context of ours whose per-account key the official client
	// dropped as it saved: tokens.sealed held the token, so nothing is
	// left in the keyring to report.
	e := newCLIEnv(t)
	noSecretTool(t, e, bus)
	r, id := e.login(f, "tester@dify.ai", "Test Tester", nil, "--no-browser")
	wantExit(t, r, 0)
	hosts := strings.Replace(e.readHosts(), "        token_storage: sealed\n", "", 1)
	if strings.Contains(hosts, "token_storage") {
		t.Fatalf("hosts.yml after a sealed sign-in:\n%s", hosts)
	}
	e.writeHosts("token_storage: keychain\n" + hosts)
	wantLoggedOutFully(t, e, f, id, entry, "sealed context without its key")

	e = newCLIEnv(t)
	noSecretTool(t, e, bus)
	tok, id := mintToken(t, f, "tester@dify.ai")
	officialContext(e, f, "tester@dify.ai", id)
	e.writeHosts(strings.Replace(e.readHosts(), "token_storage: file\n", "token_storage: keychain\n", 1))
	if err := os.WriteFile(filepath.Join(e.config, plaintextTokensName), []byte("version: 1\ntokens:\n  "+f.host+":\n    tester@dify.ai: "+tok+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	wantLoggedOutFully(t, e, f, id, entry, "token in tokens.yml")
}

// Revoking the current session clears it here. When the OS store will
// not delete its token (dead now, as its session ended), the context
// still goes, so the warning says how to remove the token by hand.
func TestDevicesRevokeCurrentSaysHowToRemoveATokenLeft(t *testing.T) {
	f := fastFake(t)
	e := newCLIEnv(t)
	tool := withFakeSecretTool(t, e)
	r, id := e.login(f, "tester@dify.ai", "Test Tester", nil, "--no-browser")
	wantExit(t, r, 0)
	os.WriteFile(filepath.Join(filepath.Dir(tool), "fail-clear"), []byte("secret-tool: Cannot delete an item in a locked collection\n"), 0o600)
	r = e.run("auth", "devices", "revoke", id, "-y")
	wantExit(t, r, 0)
	entry := keyringAccount(f.host, "tester@dify.ai")
	if !strings.Contains(r.stderr, "! could not delete the stored token (the token of tester@dify.ai on "+f.host+" may still be in the OS credential store, entry "+entry+" (") ||
		!strings.Contains(r.stderr, "); remove it by hand: secret-tool clear service difyctl username "+entry+"\n") {
		t.Errorf("no way to remove the token left:\n%s", r)
	}
	if f.tokenByID(id).Live {
		t.Error("the session was not revoked")
	}
}

// Ctrl-C while the new token is read back, with a store that then will
// not delete it: the sign-in does not claim that nothing is stored, but
// names the entry that may hold the token and how to remove it.
func TestLoginCtrlCSaysATokenItCouldNotTakeBackMayStay(t *testing.T) {
	f := fastFake(t)
	e := newCLIEnv(t)
	dir := filepath.Dir(withFakeSecretTool(t, e))
	os.WriteFile(filepath.Join(dir, "hang-lookup"), nil, 0o600)
	os.WriteFile(filepath.Join(dir, "fail-clear"), []byte("secret-tool: Cannot delete an item in a locked collection\n"), 0o600)
	seen := f.pendingCodes()
	cmd, out, errb := e.start("auth", "login", "--host", f.url, "--insecure", "--no-browser")
	id := f.approve(f.waitPending(seen), "tester@dify.ai", "Test Tester", nil)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(filepath.Join(dir, "pid")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the read-back never started")
		}
	}
	cmd.Process.Signal(syscall.SIGINT)
	r := waitResult(t, cmd, out, errb)
	wantExit(t, r, 130)
	entry := keyringAccount(f.host, "tester@dify.ai")
	want := "interrupted: the sign-in was not kept, but the token written may still be in the OS credential store, entry " + entry +
		": remove it by hand with secret-tool clear service difyctl username " + entry + "; its session of tester@dify.ai on " + f.host +
		" is still active; end it with 'difyctl auth devices revoke " + id + "'"
	if !strings.Contains(r.stderr, want) || strings.Contains(r.stderr, "no token of it is stored") {
		t.Errorf("want %q in:\n%s", want, r)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "item.*")); len(m) != 1 {
		t.Errorf("the test expects the token to stay in the store: %v", m)
	}
}

// wantLoggedOutFully runs auth logout and wants it whole: "Logged out",
// no word of the OS store entry, the session id revoked.
func wantLoggedOutFully(t *testing.T, e *cliEnv, f *fakeServer, id, entry, what string) {
	t.Helper()
	r := e.run("auth", "logout")
	wantExit(t, r, 0)
	if !strings.Contains(r.stdout, "Logged out of "+f.host) || strings.Contains(r.stderr, entry) {
		t.Errorf("%s:\n%s", what, r)
	}
	if f.tokenByID(id).Live {
		t.Errorf("%s: the session was not revoked", what)
	}
}
