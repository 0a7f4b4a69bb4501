//go:build !windows

package main

// store_coexist_test.go: difyctl beside the official TypeScript client on one
// config dir: its files, its tokens.yml and its
// lock protocol. Black box: the built binary, the fake server.

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// noLockLeft fails when any *.lock file is in the config dir.
func noLockLeft(t *testing.T, e *cliEnv, after string) {
	t.Helper()
	locks, _ := filepath.Glob(filepath.Join(e.config, "*.lock"))
	if len(locks) > 0 {
		t.Errorf("after %s: lock file(s) left: %v", after, locks)
	}
}

// officialReads parses a file the way the official client needs it: the
// YAML must parse, and tokens.yml must be version 1 with a tokens map.
func officialReads(t *testing.T, path string) *yamlNode {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	root, err := parseYAML(b)
	if err != nil {
		t.Fatalf("%s no longer parses: %v\n%s", path, err, b)
	}
	if filepath.Base(path) == plaintextTokensName {
		if root.get("version").str() != "1" || root.get("tokens") == nil || root.get("tokens").Kind != yamlMap {
			t.Fatalf("%s is no longer a version 1 token file:\n%s", path, b)
		}
	} else if ts := root.get("token_storage").str(); ts != "keychain" && ts != "file" && root.get("token_storage") != nil {
		t.Fatalf("%s: token_storage %q, which the official client rejects", path, ts)
	}
	return root
}

// mintToken signs in to f from a scratch machine and returns the token
// the fake minted, as the official client would have stored it.
func mintToken(t *testing.T, f *fakeServer, email string) (tok, id string) {
	t.Helper()
	scratch := newCLIEnv(t)
	r, id := scratch.login(f, email, "N", nil)
	wantExit(t, r, 0)
	return f.tokenByID(id).Token, id
}

// officialFixture writes testdata/official as the official client would
// have written it for two fake servers, with their minted tokens in
// tokens.yml (file mode). The first host is http too (the fake serves
// http); like the official client, the fixture records only
// `scheme: http`, never insecure_tls: that scheme is consent,
// given at login.
func officialFixture(t *testing.T, e *cliEnv, f1, f2 *fakeServer, tok1, id1, tok2, id2 string) {
	t.Helper()
	hosts, err := os.ReadFile(filepath.Join("testdata", "official", "hosts.yml"))
	if err != nil {
		t.Fatal(err)
	}
	h := strings.NewReplacer(
		"current_host: cloud.dify.ai", "current_host: "+f1.host,
		"  cloud.dify.ai:\n", "  "+f1.host+":\n    scheme: http\n",
		"  127.0.0.1:5001:\n    scheme: http\n", "  "+f2.host+":\n    scheme: http\n",
		"token_id: tok-1\n", "token_id: "+id1+"\n",
		"token_id: tok-sso-1\n", "token_id: "+id2+"\n",
	).Replace(string(hosts))
	e.writeHosts(h)
	tokens := fmt.Sprintf("version: 1\ntokens:\n  %s:\n    tester@dify.ai: %s\n  %s:\n    sso@dify.ai: %s\n", f1.host, tok1, f2.host, tok2)
	if err := os.WriteFile(filepath.Join(e.config, plaintextTokensName), []byte(tokens), 0o600); err != nil {
		t.Fatal(err)
	}
}

// Every command of ours works on the official client's files, and leaves
// them as the official client reads them: its tokens stay in tokens.yml
// (until that session is logged out or revoked), its keys stay, and no
// lock file is left.
func TestCoexistOfficialFilesEveryCommand(t *testing.T) {
	f1, f2 := startFake(t), startFake(t)
	tok1, id1 := mintToken(t, f1, "tester@dify.ai")
	tok2, id2 := mintToken(t, f2, "sso@dify.ai")
	e := newCLIEnv(t)
	officialFixture(t, e, f1, f2, tok1, id1, tok2, id2)
	tokensPath := filepath.Join(e.config, plaintextTokensName)
	tokensBefore, _ := os.ReadFile(tokensPath)

	check := func(what string) *yamlNode {
		t.Helper()
		noLockLeft(t, e, what)
		officialReads(t, tokensPath)
		root := officialReads(t, e.hostsPath())
		for _, host := range root.get("hosts").Keys {
			for _, email := range root.get("hosts").get(host).get("accounts").Keys {
				if ts := root.get("hosts").get(host).get("accounts").get(email).get("token_storage"); ts != nil {
					t.Errorf("after %s: %s on %s records token_storage %q for a tokens.yml token", what, email, host, ts.str())
				}
			}
		}
		return root
	}

	for _, args := range [][]string{{"auth", "whoami"}, {"auth", "list"}, {"auth", "devices", "list"}} {
		r := e.run(args...)
		wantExit(t, r, 0)
		if args[1] == "devices" && strings.Count(r.stderr, "is stored in plain text in "+tokensPath) != 1 {
			t.Errorf("%v: want one plain-text notice:\n%s", args, r.stderr)
		}
		// The sign-in it suggests is the one that works for that http host.
		if args[1] == "devices" && !strings.Contains(r.stderr, "; 'difyctl auth login --host "+f1.url+" --insecure' would keep a new one") {
			t.Errorf("%v: the notice's sign-in is not the working command:\n%s", args, r.stderr)
		}
		check(strings.Join(args, " "))
	}
	if b, _ := os.ReadFile(tokensPath); string(b) != string(tokensBefore) {
		t.Fatalf("tokens.yml changed by reading it:\n%s", b)
	}

	wantExit(t, e.run("use", "host", "--domain", f2.host), 0)
	wantExit(t, e.run("use", "account", "--email", "sso@dify.ai"), 0)
	root := check("use")
	if root.get("hosts").get(f2.host).get("accounts").get("sso@dify.ai").get("external_subject").get("issuer").str() != "https://issuer.example" ||
		root.get("hosts").get(f1.host).get("accounts").get("tester@dify.ai").get("workspace").get("role").str() != "owner" {
		t.Errorf("a key of the official client was lost:\n%s", e.readHosts())
	}
	wantExit(t, e.run("auth", "devices", "list"), 0)

	// Logout of the official client's session: revoked, and removed from
	// tokens.yml with the rest of the file unchanged.
	r := e.run("auth", "logout")
	wantExit(t, r, 0)
	check("logout")
	tk := officialReads(t, tokensPath).get("tokens")
	if tk.get(f2.host) != nil || tk.get(f1.host).get("tester@dify.ai").str() != tok1 {
		t.Errorf("tokens.yml after logout:\n%s", readFile(t, tokensPath))
	}
	if f2.tokens()[0].Live {
		t.Error("the logged-out session is still live at the server")
	}

	// Revoking the current session of the other one removes it too.
	wantExit(t, e.run("use", "host", "--domain", f1.host), 0)
	r = e.run("auth", "devices", "revoke", id1, "-y")
	wantExit(t, r, 0)
	check("revoke")
	if tk := officialReads(t, tokensPath).get("tokens"); len(tk.Keys) != 0 {
		t.Errorf("tokens.yml after revoking the current session:\n%s", readFile(t, tokensPath))
	}
	if strings.Contains(e.readHosts(), "tester@dify.ai") {
		t.Errorf("the revoked context is still in hosts.yml:\n%s", e.readHosts())
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, _ := os.ReadFile(path)
	return string(b)
}

// A context the official client made, with our keys dropped (it strips
// token_storage, insecure_tls and path when it saves), still finds its
// token in the sealed file; the next write of ours records where.
func TestCoexistMissingKeysOfOursAreNormal(t *testing.T) {
	f := startFake(t)
	e := newCLIEnv(t)
	r, _ := e.login(f, "tester@dify.ai", "Test Tester", nil)
	wantExit(t, r, 0)
	stripped := strings.Replace(e.readHosts(), "        token_storage: sealed\n", "", 1)
	if stripped == e.readHosts() {
		t.Fatalf("no token_storage to strip:\n%s", e.readHosts())
	}
	e.writeHosts(stripped)
	wantExit(t, e.run("auth", "devices", "list"), 0)
	wantExit(t, e.run("use", "account", "--email", "tester@dify.ai"), 0)
	if !strings.Contains(e.readHosts(), "token_storage: sealed") {
		t.Errorf("the write after finding the token did not record where:\n%s", e.readHosts())
	}
	wantExit(t, e.run("auth", "logout"), 0)
}

// twoHosts is a hosts.yml with two contexts and no tokens: `use host`
// rewrites it without any store or server.
const twoHosts = `token_storage: file
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
  b.example:
    current_account: b@x.io
    accounts:
      b@x.io:
        account:
          id: '2'
          email: b@x.io
          name: B
`

// officialLock creates hosts.yml.lock the npm lockfile way: empty, O_EXCL.
func officialLock(t *testing.T, e *cliEnv) string {
	t.Helper()
	path := filepath.Join(e.config, lockFileName)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

// startWaiting starts `use host --domain b.example` and returns once
// difyctl says on stderr that it waits for the lock.
func startWaiting(t *testing.T, e *cliEnv) (*exec.Cmd, *strings.Builder) {
	t.Helper()
	cmd := exec.Command(difyctlBin, "use", "host", "--domain", "b.example")
	cmd.Env = e.environ()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var seen strings.Builder
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				cmd.Wait()
				t.Fatalf("difyctl ended without waiting for the lock:\n%s", seen.String())
			}
			seen.WriteString(l + "\n")
			if strings.Contains(l, "waiting for "+filepath.Join(e.config, lockFileName)) {
				go func() {
					for l := range lines {
						seen.WriteString(l + "\n")
					}
				}()
				return cmd, &seen
			}
		case <-timeout:
			cmd.Process.Kill()
			t.Fatalf("difyctl did not report waiting:\n%s", seen.String())
		}
	}
}

// A lock held the official way: our write waits, then completes once it
// is removed; nothing of ours is left.
func TestCoexistOfficialLockWaitsThenWrites(t *testing.T) {
	e := newCLIEnv(t)
	e.writeHosts(twoHosts)
	lock := officialLock(t, e)
	cmd, stderr := startWaiting(t, e)
	if !strings.Contains(e.readHosts(), "current_host: a.example") {
		t.Fatal("hosts.yml changed while the official lock was held")
	}
	os.Remove(lock)
	err := cmd.Wait()
	if err != nil {
		t.Fatalf("use host after the lock went: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(e.readHosts(), "current_host: b.example") {
		t.Errorf("hosts.yml not written:\n%s", e.readHosts())
	}
	noLockLeft(t, e, "use host")
}

// Held past the bound (about 10 s): config_locked, exit 1, naming the
// file and its holder; hosts.yml unchanged; the official lock is theirs
// and stays.
func TestCoexistOfficialLockHeldPastBound(t *testing.T) {
	e := newCLIEnv(t)
	e.writeHosts(twoHosts)
	lock := officialLock(t, e)
	r := e.run("use", "host", "--domain", "b.example")
	wantExit(t, r, 1)
	if !strings.Contains(r.stderr, "config_locked: "+lock+" is locked: held by another process for ") ||
		!strings.Contains(r.stderr, "hint: ") || r.stdout != "" {
		t.Errorf("error:\n%s", r)
	}
	if e.readHosts() != twoHosts {
		t.Errorf("hosts.yml changed:\n%s", e.readHosts())
	}
	if _, err := os.Stat(lock); err != nil {
		t.Errorf("the official client's lock was removed: %v", err)
	}
	os.Remove(lock)
}

// Ctrl-C while waiting for the lock ends the command at once: exit 130,
// nothing written (issue 11 item 5). So do SIGTERM and SIGHUP (the
// terminal closed): a signal that killed difyctl the default way while it
// held hosts.yml.lock would leave the lock, which the official client then
// takes as held for 30 s.
func TestCoexistCtrlCWhileWaitingForLock(t *testing.T) {
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP} {
		e := newCLIEnv(t)
		e.writeHosts(twoHosts)
		lock := officialLock(t, e)
		cmd, stderr := startWaiting(t, e)
		sent := time.Now()
		cmd.Process.Signal(sig)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(time.Second):
			cmd.Process.Kill()
			<-done
			t.Fatalf("%v: still waiting 1 s after the signal:\n%s", sig, stderr.String())
		}
		if code := cmd.ProcessState.ExitCode(); code != 130 {
			t.Errorf("%v: exit %d after %s, want 130:\n%s", sig, code, time.Since(sent), stderr.String())
		}
		if e.readHosts() != twoHosts {
			t.Errorf("%v: hosts.yml changed:\n%s", sig, e.readHosts())
		}
		os.Remove(lock)
		noLockLeft(t, e, sig.String())
	}
}

// A lock left by a SIGKILLed difyctl (its marker, a PID that is gone) is
// broken at once by the next write: no wait, no notice.
func TestCoexistLockOfKilledDifyctlBrokenAtOnce(t *testing.T) {
	e := newCLIEnv(t)
	e.writeHosts(twoHosts)
	dead := exec.Command(difyctlBin, "version")
	if err := dead.Start(); err != nil {
		t.Fatal(err)
	}
	dead.Process.Signal(syscall.SIGKILL)
	dead.Wait()
	host, _ := os.Hostname()
	content := fmt.Sprintf("%s pid=%d host=%q\n", lockMarker, dead.Process.Pid, host)
	if err := os.WriteFile(filepath.Join(e.config, lockFileName), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	r := e.run("use", "host", "--domain", "b.example")
	wantExit(t, r, 0)
	if strings.Contains(r.stderr, "waiting for") {
		t.Errorf("waited for a dead difyctl's lock:\n%s", r)
	}
	if !strings.Contains(e.readHosts(), "current_host: b.example") {
		t.Errorf("hosts.yml not written:\n%s", e.readHosts())
	}
	noLockLeft(t, e, "use host")

	// A real one: a difyctl killed while it waits leaves no lock of its
	// own (it never had one), and one killed inside a write leaves at most
	// a complete lock that the next write breaks — store_crash_test.go kills
	// writers at random points and checks the next command works.
}

// After every kind of command — login, use, revoke, logout, failing ones
// — no *.lock is left in the config dir, so the official client is never
// locked out.
func TestCoexistNoLockLeftAfterAnyCommand(t *testing.T) {
	f := startFake(t)
	e := newCLIEnv(t)
	r, _ := e.login(f, "tester@dify.ai", "Test Tester", nil)
	wantExit(t, r, 0)
	noLockLeft(t, e, "login")
	r, _ = e.login(f, "other@dify.ai", "Other", nil)
	wantExit(t, r, 0)
	noLockLeft(t, e, "second login")
	for _, args := range [][]string{
		{"use", "account", "--email", "tester@dify.ai"},
		{"use", "host", "--domain", f.host},
		{"use", "host", "--domain", "nope.example"}, // fails: exit 2
		{"auth", "devices", "list"},
		{"auth", "devices", "revoke", "--all", "-y"},
	} {
		e.run(args...)
		noLockLeft(t, e, strings.Join(args, " "))
	}
	// Failing commands: no such device (after the network), an
	// unparseable hosts.yml (before any write).
	r = e.run("auth", "devices", "revoke", "no-such-device", "-y")
	if r.code == 0 {
		t.Fatalf("revoke of no such device: %s", r)
	}
	noLockLeft(t, e, "a failed revoke")
	good := e.readHosts()
	e.writeHosts(good + "  bad: [\n")
	if r := e.run("use", "host", "--domain", f.host); r.code != 1 {
		t.Fatalf("use host on a broken hosts.yml: %s", r)
	}
	noLockLeft(t, e, "a failed use host")
	e.writeHosts(good)
	wantExit(t, e.run("auth", "logout"), 0)
	noLockLeft(t, e, "logout")
	// hosts.yml.lock could be created by the official client right now.
	officialLock(t, e)
}

// The official client's js-yaml writes a name that holds a line break as
// a literal block scalar. Such a hosts.yml is read (not refused as
// config_invalid), and a sign-in that rewrites it keeps those names.
func TestCoexistOfficialMultilineNames(t *testing.T) {
	f := fastFake(t)
	e := newCLIEnv(t)
	e.writeHosts("current_host: h.example\nhosts:\n  h.example:\n    current_account: a@x.io\n    accounts:\n      a@x.io:\n" +
		"        account:\n          id: a1\n          email: a@x.io\n          name: |-\n            Team A\n            Production\n" +
		"        workspace:\n          id: ws\n          name: |+\n            ends\n\n          role: owner\n")
	r := e.run("auth", "list", "-o", "json")
	wantExit(t, r, 0)
	if !strings.Contains(r.stdout, `"name": "Team A\nProduction"`) {
		t.Fatalf("list:\n%s", r)
	}
	r, _ = e.login(f, "tester@dify.ai", "Tester", nil, "--no-browser")
	wantExit(t, r, 0)
	a := officialReads(t, e.hostsPath()).get("hosts").get("h.example").get("accounts").get("a@x.io")
	if a.get("account").get("name").str() != "Team A\nProduction" || a.get("workspace").get("name").str() != "ends\n\n" ||
		a.get("workspace").get("role").str() != "owner" {
		t.Errorf("the rewrite changed the official client's names:\n%s", e.readHosts())
	}
}

// The official client reads an account without an id (the field is
// optional in its schema) and writes it back without one: a rewrite by
// difyctl keeps every context it did not change byte for byte, and adds
// no id to them.
func TestCoexistAccountWithoutIDKeptAsIs(t *testing.T) {
	e := newCLIEnv(t)
	noID := strings.ReplaceAll(twoHosts, "          id: '2'\n", "")
	if noID == twoHosts {
		t.Fatal("the fixture has no id to remove")
	}
	e.writeHosts(noID)
	wantExit(t, e.run("use", "host", "--domain", "b.example"), 0)
	want := strings.Replace(noID, "current_host: a.example", "current_host: b.example", 1)
	if got := e.readHosts(); got != want {
		t.Errorf("use host rewrote more than current_host:\n got:\n%s\nwant:\n%s", got, want)
	}
}
