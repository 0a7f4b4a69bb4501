//go:build linux

package main

// store_trust_test.go: issue 11's findings about the files difyctl
// trusts (items 2, 3, 7, 8, 10), each reproduced black box: the built
// binary, the fake server, and for the OS store the fake secret-tool.

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// wantRefused runs a command that would send the token and checks it was
// refused with code before any request reached the fake.
func wantRefused(t *testing.T, e *cliEnv, f *fakeServer, code string, args ...string) result {
	t.Helper()
	before := f.state().Requests
	r := e.run(args...)
	wantExit(t, r, 1)
	if !strings.Contains(r.stderr, code+": ") || !strings.Contains(r.stderr, "hint: ") || r.stdout != "" {
		t.Errorf("%v: want %s with a hint:\n%s", args, code, r)
	}
	if after := f.state().Requests; after != before {
		t.Errorf("%v: %d request(s) reached the server", args, after-before)
	}
	return r
}

// Item 2: a config dir or a file in it that another user can change is
// refused before any token is read; local read-only commands only warn.
func TestHardeningConfigInsecureRefusesToken(t *testing.T) {
	f := startFake(t)
	e := newCLIEnv(t)
	r, _ := e.login(f, "tester@dify.ai", "Test Tester", nil)
	wantExit(t, r, 0)
	wantExit(t, e.run("auth", "devices", "list"), 0)

	os.Chmod(e.config, 0o777)
	r = wantRefused(t, e, f, "config_insecure", "auth", "devices", "list")
	if !strings.Contains(r.stderr, "hint: check its content, then run 'chmod 700 "+e.config+"'") {
		t.Errorf("hint:\n%s", r.stderr)
	}
	r = e.run("auth", "whoami")
	wantExit(t, r, 0)
	if !strings.Contains(r.stderr, "accessible by other users") {
		t.Errorf("whoami did not warn:\n%s", r)
	}
	os.Chmod(e.config, 0o700)

	for _, p := range []string{e.hostsPath(), filepath.Join(e.config, sealedFileName), filepath.Join(e.data, sealedKeyName)} {
		os.Chmod(p, 0o620)
		r = wantRefused(t, e, f, "config_insecure", "auth", "logout")
		if !strings.Contains(r.stderr, "hint: check its content, then run 'chmod 600 "+p+"'") {
			t.Errorf("hint for %s:\n%s", p, r.stderr)
		}
		os.Chmod(p, 0o600)
	}
	// tokens.yml of the official client counts too.
	tokens := filepath.Join(e.config, plaintextTokensName)
	os.WriteFile(tokens, []byte("version: 1\ntokens: {}\n"), 0o600)
	os.Chmod(tokens, 0o666)
	wantRefused(t, e, f, "config_insecure", "auth", "devices", "list")
	os.Chmod(tokens, 0o600)

	// Owned by another user (root can make one here).
	if os.Getuid() == 0 {
		os.Chown(e.hostsPath(), 12345, 12345)
		r = wantRefused(t, e, f, "config_insecure", "auth", "devices", "list")
		if !strings.Contains(r.stderr, "owned by another user (uid 12345)") || !strings.Contains(r.stderr, "chown root "+e.hostsPath()) {
			t.Errorf("owner:\n%s", r.stderr)
		}
		os.Chown(e.hostsPath(), 0, 0)
	}
	wantExit(t, e.run("auth", "logout"), 0)
}

// withFakeSecretTool gives the machine an OS store: the fake secret-tool
// on PATH, a bus address, and no forced storage. It returns the tool.
func withFakeSecretTool(t *testing.T, e *cliEnv) string {
	t.Helper()
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("testdata", "fake-secret-tool", "secret-tool"))
	if err != nil {
		t.Fatal(err)
	}
	tool := filepath.Join(dir, "secret-tool")
	if err := os.WriteFile(tool, src, 0o755); err != nil {
		t.Fatal(err)
	}
	delete(e.vars, "DIFY_TOKEN_STORAGE")
	e.vars["PATH"] = dir + string(os.PathListSeparator) + os.Getenv("PATH")
	e.vars["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=" + filepath.Join(dir, "no-such-bus")
	return tool
}

func secretToolRun(t *testing.T, tool, stdin string, args ...string) (string, bool) {
	t.Helper()
	cmd := exec.Command(tool, args...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.Output()
	return string(out), err == nil
}

// Item 3: tokens.<host>.<email> can name two contexts. A sign-in whose
// entry name another context has goes to the sealed file, never touching
// that entry; a read for a context whose name clashes with another one
// that keeps its token in the OS store is refused, and nothing is sent.
func TestHardeningKeychainNameClash(t *testing.T) {
	f := startFake(t)
	e := newCLIEnv(t)
	tool := withFakeSecretTool(t, e)
	hostB := f.host + ".x"
	name := "tokens." + f.host + ".x.alice@example.com"
	if keyringAccount(f.host, "x.alice@example.com") != name || keyringAccount(hostB, "alice@example.com") != name {
		t.Fatal("the two contexts do not clash")
	}
	// The other context, signed in with the OS store (by the official
	// client, say): its token is in the entry.
	e.writeHosts("token_storage: keychain\nhosts:\n  " + hostB + ":\n    current_account: alice@example.com\n    accounts:\n      alice@example.com:\n" +
		"        account:\n          id: b\n          email: alice@example.com\n          name: B\n        token_storage: keychain\n")
	const otherToken = `"dfoa_theOtherContextsToken"`
	if _, ok := secretToolRun(t, tool, otherToken, "store", "--label=x", "service", "difyctl", "username", name); !ok {
		t.Fatal("could not seed the fake OS store")
	}

	r, _ := e.login(f, "x.alice@example.com", "Alice", nil)
	wantExit(t, r, 0)
	if !strings.Contains(r.stderr, "the OS credential store entry "+name+" is also the name of alice@example.com on "+hostB+"; token sealed in ") {
		t.Errorf("no notice why the token was sealed:\n%s", r.stderr)
	}
	if v, _ := secretToolRun(t, tool, "", "lookup", "service", "difyctl", "username", name); v != otherToken {
		t.Errorf("the other context's entry was changed: %q", v)
	}
	hosts := e.readHosts()
	if !strings.Contains(hosts, "x.alice@example.com:\n") || strings.Count(hosts, "token_storage: sealed") != 1 {
		t.Errorf("the sign-in is not recorded as sealed:\n%s", hosts)
	}
	wantExit(t, e.run("auth", "devices", "list"), 0)

	// The same clash where this context records the OS store too (signed
	// in before the other one was): refused, naming both, nothing sent.
	e.writeHosts(strings.Replace(e.readHosts(), "token_storage: sealed", "token_storage: keychain", 1))
	r = wantRefused(t, e, f, "credential_unreadable", "auth", "devices", "list")
	if !strings.Contains(r.stderr, "x.alice@example.com on "+f.host) || !strings.Contains(r.stderr, "alice@example.com on "+hostB) {
		t.Errorf("the error does not name both contexts:\n%s", r.stderr)
	}
	wantRefused(t, e, f, "credential_unreadable", "use", "account", "--email", "x.alice@example.com")

	// Logging out of the sealed one never deletes the other's entry.
	e.writeHosts(hosts)
	wantExit(t, e.run("auth", "logout"), 0)
	if v, _ := secretToolRun(t, tool, "", "lookup", "service", "difyctl", "username", name); v != otherToken {
		t.Errorf("logout deleted the other context's entry: %q", v)
	}
}

// The official client drops our token_storage keys whenever it saves
// hosts.yml. With two clashing contexts, one in the OS store and one
// sealed because of the clash, tokens.sealed still tells them apart: the
// sealed one reads its own token, the other's logout deletes its entry,
// and the sealed one never reads the other's token afterwards (which it
// would send to its own host). Both hosts reach the fake through a proxy.
func TestHardeningKeychainNameClashAfterOfficialSave(t *testing.T) {
	f := fastFake(t)
	e := newCLIEnv(t)
	tool := withFakeSecretTool(t, e)
	e.vars["HTTP_PROXY"] = f.url
	name := keyringAccount("a.b", "c.tester@dify.ai")
	if keyringAccount("a.b.c", "tester@dify.ai") != name {
		t.Fatal("the two contexts do not clash")
	}
	r, idA := loginAt(t, e, f, "c.tester@dify.ai", "--host", "http://a.b", "--insecure")
	wantExit(t, r, 0)
	r, idB := loginAt(t, e, f, "tester@dify.ai", "--host", "http://a.b.c", "--insecure")
	wantExit(t, r, 0)
	if !strings.Contains(r.stderr, "token sealed in ") {
		t.Fatalf("the clashing sign-in was not sealed:\n%s", r)
	}
	tokA, tokB := f.tokenByID(idA).Token, f.tokenByID(idB).Token
	hosts := regexp.MustCompile(`(?m)^ +token_storage: .*\n`).ReplaceAllString(e.readHosts(), "")
	e.writeHosts(hosts)

	r = e.authToken()
	wantExit(t, r, 0)
	if r.stdout != tokB+"\n" {
		t.Errorf("the sealed context's token, its record dropped: got %d bytes, the other's: %v", len(r.stdout), strings.Contains(r.stdout, tokA))
	}
	e.writeHosts(strings.Replace(hosts, "current_host: a.b.c\n", "current_host: a.b\n", 1))
	r = e.run("auth", "logout")
	wantExit(t, r, 0)
	if out, ok := secretToolRun(t, tool, "", "lookup", "service", "difyctl", "username", name); ok {
		t.Errorf("logout left the OS store entry (%d bytes):\n%s", len(out), r)
	}
	if f.tokenByID(idA).Live {
		t.Errorf("the logged-out session is still live:\n%s", r)
	}
	// No context is active after a logout: pick the sealed one.
	e.writeHosts("current_host: a.b.c\n" + e.readHosts())
	r = e.authToken()
	wantExit(t, r, 0)
	if r.stdout != tokB+"\n" {
		t.Errorf("after the other's logout: got %d bytes, the other's token: %v", len(r.stdout), strings.Contains(r.stdout, tokA))
	}
}

// Item 7: a data dir equal to or inside the config dir would put the key
// beside tokens.sealed: refused, with nothing created there.
func TestHardeningKeyInsideConfigDirRefused(t *testing.T) {
	f := startFake(t)
	for _, data := range []string{"", "keys"} {
		e := newCLIEnv(t)
		e.data = filepath.Join(e.config, data)
		r, _ := e.login(f, "tester@dify.ai", "Test Tester", nil)
		wantExit(t, r, 1)
		if !strings.Contains(r.stderr, "config_insecure: the sealed file's key would be kept in "+e.data+", inside the config directory "+e.config) ||
			!strings.Contains(r.stderr, "hint: set DIFY_DATA_DIR") {
			t.Errorf("DIFY_DATA_DIR=%s:\n%s", e.data, r)
		}
		if _, err := os.Stat(filepath.Join(e.data, sealedKeyName)); !os.IsNotExist(err) {
			t.Errorf("a key was written inside the config dir: %v", err)
		}
	}
	// Using one already there is refused too.
	e := newCLIEnv(t)
	r, _ := e.login(f, "tester@dify.ai", "Test Tester", nil)
	wantExit(t, r, 0)
	if err := os.Rename(filepath.Join(e.data, sealedKeyName), filepath.Join(e.config, sealedKeyName)); err != nil {
		t.Fatal(err)
	}
	e.data = e.config
	wantRefused(t, e, f, "config_insecure", "auth", "devices", "list")
}

// Item 8: a killed key write leaves .tokens.key.tmp-* with the raw key;
// the next write removes it.
func TestHardeningStaleKeyTempRemoved(t *testing.T) {
	f := startFake(t)
	e := newCLIEnv(t)
	os.MkdirAll(e.data, 0o700)
	stale := filepath.Join(e.data, tempPrefix(sealedKeyName)+"0123456789abcdef")
	if err := os.WriteFile(stale, []byte("difyctl-key 1 raw AAAA\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	os.Chtimes(stale, old, old)
	r, _ := e.login(f, "tester@dify.ai", "Test Tester", nil)
	wantExit(t, r, 0)
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the stale key temp file is still there: %v", err)
	}
	// Also when the key already exists: the next sealed write cleans.
	os.WriteFile(stale, []byte("difyctl-key 1 raw AAAA\n"), 0o600)
	os.Chtimes(stale, old, old)
	wantExit(t, e.run("auth", "logout"), 0)
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the stale key temp file survived a sealed write: %v", err)
	}
}

// Item 10: hosts.yml and tokens.yml over 16 MiB are refused before being
// read into memory.
func TestHardeningHugeConfigFilesRefused(t *testing.T) {
	huge := "# " + strings.Repeat("x", 1023) + "\n"
	big := strings.Repeat(huge, 16*1024+1) // just over 16 MiB of comments
	e := newCLIEnv(t)
	e.writeHosts(twoHosts + big)
	r := e.run("auth", "whoami")
	wantExit(t, r, 1)
	if !strings.Contains(r.stderr, "config_invalid: "+e.hostsPath()+" is larger than 16 MiB") {
		t.Errorf("whoami:\n%s", r)
	}
	e.writeHosts(twoHosts)
	os.WriteFile(filepath.Join(e.config, plaintextTokensName), []byte("version: 1\ntokens: {}\n"+big), 0o600)
	r = e.run("use", "account", "--email", "a@x.io")
	wantExit(t, r, 1)
	if !strings.Contains(r.stderr, "config_invalid: "+filepath.Join(e.config, plaintextTokensName)+" is larger than 16 MiB") {
		t.Errorf("use account:\n%s", r)
	}
}
