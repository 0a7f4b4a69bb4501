package main

// login_test.go: auth login and auth logout, black box, against the fake
// Dify server.

import (
	"crypto/tls"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

func insecureTLS() *tls.Config { return &tls.Config{InsecureSkipVerify: true} }

// fastFake is a fake whose device codes ask for a short poll interval, so
// a login takes a fraction of a second.
func fastFake(t *testing.T, args ...string) *fakeServer {
	return startFake(t, append([]string{"-interval", "0.2"}, args...)...)
}

// filesUnder returns every file's content under dir, for before/after
// comparisons.
func filesUnder(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			b, _ := os.ReadFile(p)
			out[p] = string(b)
		}
		return nil
	})
	return out
}

func sameFiles(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestLoginApproved(t *testing.T) {
	f := fastFake(t)
	e := newCLIEnv(t)
	r, id := e.login(f, "tester@dify.ai", "Test Tester", nil)
	wantExit(t, r, 0)
	want := "✓ Logged in to " + f.host + " as tester@dify.ai (Test Tester)\n  Workspace: Default\n"
	if r.stdout != want {
		t.Fatalf("stdout %q, want %q", r.stdout, want)
	}
	for _, line := range []string{"! Copy this one-time code: ", "  Open: " + f.url + "/device\n", "open the URL above manually"} {
		if !strings.Contains(r.stderr, line) {
			t.Errorf("stderr lacks %q:\n%s", line, r.stderr)
		}
	}
	if s := f.state(); s.SlowDown != 0 {
		t.Fatalf("the fake answered slow_down %d times", s.SlowDown)
	}
	hosts := e.readHosts()
	for _, frag := range []string{
		"current_host: " + f.host + "\n", "scheme: http\n", "insecure_tls: true\n",
		"current_account: tester@dify.ai\n", "token_id: " + id + "\n", "token_expires_at: ",
		"token_storage: sealed\n", "name: Default\n",
	} {
		if !strings.Contains(hosts, frag) {
			t.Errorf("hosts.yml lacks %q:\n%s", frag, hosts)
		}
	}
	// The official client's global key is written only for an OS-store
	// token (issue 22 item 1).
	if strings.HasPrefix(hosts, "token_storage:") {
		t.Errorf("a sealed sign-in wrote the global token_storage:\n%s", hosts)
	}
	tok := f.tokenByID(id)
	for path, content := range filesUnder(t, e.config) {
		if strings.Contains(content, tok.Token) {
			t.Errorf("the token is in plaintext in %s", path)
		}
	}
	if strings.Contains(r.stdout+r.stderr, tok.Token) {
		t.Error("the token reached the output")
	}
	if r := e.run("auth", "whoami"); r.stdout != "tester@dify.ai (Test Tester)\n" {
		t.Fatalf("whoami after login: %s", r)
	}
	// The stored token works: devices list authenticates with it.
	r = e.run("auth", "devices", "list")
	wantExit(t, r, 0)
	if !strings.Contains(r.stdout, "*") {
		t.Fatalf("the new session is not marked current:\n%s", r)
	}
}

func TestLoginTwoAccountsTwoHosts(t *testing.T) {
	f1, f2 := fastFake(t), fastFake(t)
	e := newCLIEnv(t)
	for _, l := range []struct {
		f     *fakeServer
		email string
	}{{f1, "a@one.io"}, {f1, "b@one.io"}, {f2, "c@two.io"}} {
		r, _ := e.login(l.f, l.email, "Name "+l.email[:1], nil)
		wantExit(t, r, 0)
	}
	r := e.run("auth", "list", "-o", "name")
	if r.stdout != "a@one.io\nb@one.io\nc@two.io\n" {
		t.Fatalf("contexts after three logins: %q", r.stdout)
	}
	r = e.run("auth", "list")
	if !strings.Contains(r.stdout, f2.host+"  c@two.io (Name c)  *") {
		t.Fatalf("the last login should be active:\n%s", r.stdout)
	}
	// Switching back to the first host lands on its last account.
	wantExit(t, e.run("use", "host", "--domain", f1.host), 0)
	if r := e.run("auth", "whoami"); r.stdout != "b@one.io (Name b)\n" {
		t.Fatalf("whoami on host one: %s", r)
	}
	wantExit(t, e.run("use", "account", "--email", "a@one.io"), 0)
	if r := e.run("auth", "whoami"); r.stdout != "a@one.io (Name a)\n" {
		t.Fatalf("whoami after use account: %s", r)
	}
	if s1, s2 := f1.state(), f2.state(); s1.SlowDown+s2.SlowDown != 0 {
		t.Fatalf("slow_down answers: %d", s1.SlowDown+s2.SlowDown)
	}
}

func TestReloginRotatesToken(t *testing.T) {
	f := fastFake(t)
	e := newCLIEnv(t)
	r, first := e.login(f, "tester@dify.ai", "Test Tester", nil)
	wantExit(t, r, 0)
	r, second := e.login(f, "tester@dify.ai", "Test Tester", nil)
	wantExit(t, r, 0)
	if first == second {
		t.Fatal("the second login reused the session id")
	}
	if f.tokenByID(first).Live {
		t.Fatal("the replaced token is still live at the server")
	}
	if !f.tokenByID(second).Live {
		t.Fatal("the new token is not live")
	}
	hosts := e.readHosts()
	if strings.Contains(hosts, first) || !strings.Contains(hosts, "token_id: "+second) {
		t.Fatalf("hosts.yml keeps the old session:\n%s", hosts)
	}
	if r := e.run("auth", "list", "-o", "name"); r.stdout != "tester@dify.ai\n" {
		t.Fatalf("re-login added a context: %q", r.stdout)
	}
	wantExit(t, e.run("auth", "devices", "list"), 0)
}

func TestLoginSSO(t *testing.T) {
	f := fastFake(t)
	e := newCLIEnv(t)
	r, _ := e.login(f, "sso@dify.ai", "", map[string]any{"sso": true, "issuer": "https://issuer.example"})
	wantExit(t, r, 0)
	if want := "✓ Logged in to " + f.host + " as sso@dify.ai (external SSO, issuer: https://issuer.example)\n"; r.stdout != want {
		t.Fatalf("stdout %q, want %q", r.stdout, want)
	}
	hosts := e.readHosts()
	if !strings.Contains(hosts, "external_subject:\n          email: sso@dify.ai\n          issuer: https://issuer.example\n") {
		t.Fatalf("external_subject not recorded:\n%s", hosts)
	}
	if r := e.run("auth", "whoami", "--json"); r.stdout != `{"subject_type":"external_sso","email":"sso@dify.ai","issuer":"https://issuer.example"}`+"\n" {
		t.Fatalf("whoami --json: %s", r)
	}
}

func TestLoginDenied(t *testing.T) {
	f := fastFake(t)
	e := newCLIEnv(t)
	cmd, out, errb := e.start("auth", "login", "--host", f.url, "--insecure")
	code := f.waitPending(nil)
	f.ctl("POST", "deny", map[string]any{"user_code": code}, nil)
	r := waitResult(t, cmd, out, errb)
	wantExit(t, r, 4)
	if !strings.Contains(r.stderr, "access_denied: authorization denied") || r.stdout != "" {
		t.Fatalf("deny:\n%s", r)
	}
	if files := filesUnder(t, e.config); len(files) != 0 {
		t.Fatalf("a denied login wrote files: %v", files)
	}
}

func TestLoginExpires(t *testing.T) {
	f := startFake(t, "-interval", "0.5", "-ttl", "1.5")
	e := newCLIEnv(t)
	start := time.Now()
	r := e.run("auth", "login", "--host", f.url, "--insecure")
	elapsed := time.Since(start)
	wantExit(t, r, 4)
	if !strings.Contains(r.stderr, "expired_token: ") {
		t.Fatalf("expiry:\n%s", r)
	}
	// Expiry is bounded by the code's lifetime plus one interval (with
	// room for process start-up on a loaded machine).
	if elapsed > 1500*time.Millisecond+500*time.Millisecond+1500*time.Millisecond {
		t.Fatalf("expiry took %v", elapsed)
	}
	if len(filesUnder(t, e.config)) != 0 {
		t.Fatal("an expired login wrote files")
	}
}

func TestLoginServerOutcomes(t *testing.T) {
	cases := []struct {
		name     string
		scenario map[string]any
		exit     int
		stderr   []string
	}{
		{"disabled", map[string]any{"name": "disabled"}, 6, []string{"unsupported_endpoint: this Dify host does not implement the OAuth device flow"}},
		{"rate limited", map[string]any{"name": "rate_limited", "retry_after": 7}, 7, []string{"rate_limited: ", "hint: retry after 7 seconds", "http_status: 429"}},
		{"too old", map[string]any{"name": "upgrade_required"}, 6, []string{"version_skew: ", "http_status: 426"}},
		{"html 502", map[string]any{"name": "html_502"}, 1, []string{"server_5xx: the server answered with an HTML page: 502 Bad Gateway\n"}},
		{"javascript uri", map[string]any{"name": "verification_uri", "verification_uri": "javascript:alert(1)"}, 1, []string{`unsupported scheme "javascript"`}},
		{"file uri", map[string]any{"name": "verification_uri", "verification_uri": "file:///etc/passwd"}, 1, []string{`unsupported scheme "file"`}},
		{"huge body", map[string]any{"name": "huge_body"}, 1, []string{"larger than 1 MiB"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := fastFake(t)
			f.scenario(c.scenario)
			e := newCLIEnv(t)
			r := e.run("auth", "login", "--host", f.url, "--insecure")
			wantExit(t, r, c.exit)
			for _, s := range c.stderr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, r)
				}
			}
			if r.stdout != "" || strings.Contains(r.stderr, "<") {
				t.Errorf("stdout must be empty and no markup may reach stderr:\n%s", r)
			}
			if strings.Contains(r.stderr, "Copy this one-time code") {
				t.Errorf("a code was shown although the flow cannot go on:\n%s", r)
			}
			if len(filesUnder(t, e.config)) != 0 {
				t.Error("a failed login wrote files")
			}
		})
	}
}

func TestLoginRetries5xxThenSucceeds(t *testing.T) {
	f := fastFake(t)
	f.scenario(map[string]any{"name": "server_5xx", "count": 2, "path": "/openapi/v1/oauth/device/token"})
	e := newCLIEnv(t)
	r, _ := e.login(f, "tester@dify.ai", "Test Tester", nil)
	wantExit(t, r, 0)
	if f.state().SlowDown != 0 {
		t.Fatal("retries provoked slow_down")
	}
}

func TestLoginInterruptWritesNothing(t *testing.T) {
	f := startFake(t) // the real 5 s interval: the CLI is mid-wait when interrupted
	e := newCLIEnv(t)
	e.writeHosts(fixture(t, "official.yml"))
	before := filesUnder(t, e.config)
	cmd, out, errb := e.start("auth", "login", "--host", f.url, "--insecure")
	f.waitPending(nil)
	time.Sleep(300 * time.Millisecond)
	start := time.Now()
	cmd.Process.Signal(syscall.SIGINT)
	r := waitResult(t, cmd, out, errb)
	took := time.Since(start)
	wantExit(t, r, 130)
	if took > 200*time.Millisecond {
		t.Errorf("exit took %v after SIGINT", took)
	}
	if !sameFiles(before, filesUnder(t, e.config)) {
		t.Fatal("an interrupted login changed files")
	}
	if r.stdout != "" {
		t.Fatalf("stdout after interrupt: %q", r.stdout)
	}
}

func TestLoginUsageErrors(t *testing.T) {
	e := newCLIEnv(t)
	r := e.run("auth", "login")
	wantExit(t, r, 2)
	if !strings.Contains(r.stderr, "usage_missing_arg: --host is required (no TTY)") {
		t.Fatalf("no --host:\n%s", r)
	}
	r = e.run("auth", "login", "--host", "http://127.0.0.1:1")
	wantExit(t, r, 2)
	if !strings.Contains(r.stderr, "only https:// hosts are accepted") || !strings.Contains(r.stderr, "hint: add --insecure") {
		t.Fatalf("http without --insecure:\n%s", r)
	}
	for _, bad := range []string{"ftp://x.example", "https://user:pw@x.example", "https://x.example/?q=1", "https://bad host.example"} {
		r = e.run("auth", "login", "--host", bad)
		wantExit(t, r, 2)
		if strings.Contains(r.stderr, "pw@") {
			t.Errorf("%s: credentials echoed", bad)
		}
	}
	if len(filesUnder(t, e.config)) != 0 {
		t.Fatal("usage errors wrote files")
	}
}

func TestLoginHostileStringsAreSanitized(t *testing.T) {
	f := fastFake(t)
	e := newCLIEnv(t)
	evil := "Mallory\x1b[2J\x1b]0;pwned\x07\u202eevil\u200b"
	r, _ := e.login(f, "mallory@dify.ai", evil, map[string]any{"workspace_name": "WS\x1b[31m\u202ered\u009b31m"})
	wantExit(t, r, 0)
	for _, bad := range []string{"\x1b", "\a", "\u202e", "\u200b", "\u009b"} {
		if strings.Contains(r.stdout+r.stderr, bad) {
			t.Errorf("%q reached the terminal:\n%q", bad, r.stdout)
		}
	}
	if r.stdout != "✓ Logged in to "+f.host+" as mallory@dify.ai (Mallory\\u202eevil\\u200b)\n  Workspace: WS\\u202ered\n" {
		t.Fatalf("sanitized stdout: %q", r.stdout)
	}
	for _, args := range [][]string{{"auth", "list"}, {"auth", "whoami"}, {"auth", "list", "-o", "json"}, {"auth", "list", "-o", "yaml"}, {"auth", "whoami", "--json"}} {
		out := e.run(args...).stdout
		for _, bad := range []string{"\x1b", "\a", "\u202e", "\u200b"} {
			if strings.Contains(out, bad) {
				t.Errorf("%v: %q reached the terminal: %q", args, bad, out)
			}
		}
	}
}

func TestLogout(t *testing.T) {
	f := fastFake(t)
	e := newCLIEnv(t)
	_, first := e.login(f, "a@dify.ai", "A", nil)
	r, second := e.login(f, "b@dify.ai", "B", nil)
	wantExit(t, r, 0)
	r = e.run("auth", "logout")
	wantExit(t, r, 0)
	if r.stdout != "✓ Logged out of "+f.host+"\n" {
		t.Fatalf("logout stdout: %q", r.stdout)
	}
	if !strings.Contains(r.stderr, "no context is active now") || !strings.Contains(r.stderr, "difyctl use host") {
		t.Fatalf("logout should say how to pick another context:\n%s", r)
	}
	if f.tokenByID(second).Live {
		t.Fatal("logout did not revoke the session at the server")
	}
	if !f.tokenByID(first).Live {
		t.Fatal("logout revoked another context's session")
	}
	if r := e.run("auth", "whoami"); r.code != 4 {
		t.Fatalf("another context became active: %s", r)
	}
	if r := e.run("auth", "list", "-o", "name"); r.stdout != "a@dify.ai\n" {
		t.Fatalf("contexts after logout: %q", r.stdout)
	}
	tok := f.tokenByID(second).Token
	for path, content := range filesUnder(t, e.config) {
		if strings.Contains(content, tok) {
			t.Errorf("the logged-out token is still in %s", path)
		}
	}
}

func TestLogoutWithServerDown(t *testing.T) {
	f := fastFake(t)
	e := newCLIEnv(t)
	r, id := e.login(f, "a@dify.ai", "A", nil)
	wantExit(t, r, 0)
	tok := f.tokenByID(id).Token
	f.cmd.Process.Kill()
	f.cmd.Wait()
	r = e.run("auth", "logout")
	wantExit(t, r, 0)
	if !strings.Contains(r.stderr, "! server revoke failed (") || !strings.Contains(r.stderr, "local credentials cleared anyway") {
		t.Fatalf("want a warning:\n%s", r)
	}
	if strings.Contains(r.stdout+r.stderr, tok) {
		t.Fatal("the token reached the output")
	}
	if r := e.run("auth", "list", "-o", "name"); r.stdout != "\n" {
		t.Fatalf("the context survived logout: %q", r.stdout)
	}
	for path, content := range filesUnder(t, e.config) {
		if strings.Contains(content, tok) {
			t.Errorf("the token is still in %s", path)
		}
	}
}

func TestLoginKeepsHostPathPrefix(t *testing.T) {
	f := fastFake(t, "-base-path", "/dify")
	e := newCLIEnv(t)
	cmd, out, errb := e.start("auth", "login", "--host", f.url+"/dify/", "--insecure")
	code := f.waitPending(nil)
	f.approve(code, "tester@dify.ai", "Test Tester", nil)
	r := waitResult(t, cmd, out, errb)
	wantExit(t, r, 0)
	if !strings.Contains(e.readHosts(), "    path: /dify\n") {
		t.Fatalf("the path prefix was not recorded:\n%s", e.readHosts())
	}
	if !strings.Contains(r.stderr, "  Open: "+f.url+"/dify/device") {
		t.Fatalf("verification URI: %s", r.stderr)
	}
	// Later commands use the prefix too.
	r = e.run("auth", "devices", "list")
	wantExit(t, r, 0)
	wantExit(t, e.run("auth", "logout"), 0)
}

func TestLoginSelfSignedTLS(t *testing.T) {
	f := startFake(t, "-tls", "-interval", "0.2")
	e := newCLIEnv(t)
	r := e.run("auth", "login", "--host", f.url)
	wantExit(t, r, 1)
	if !strings.Contains(r.stderr, "network_connection: TLS certificate of "+f.host+" is not trusted") {
		t.Fatalf("self-signed without --insecure:\n%s", r)
	}
	r, _ = e.login(f, "tester@dify.ai", "Test Tester", nil)
	wantExit(t, r, 0)
	if !strings.Contains(r.stderr, "! --insecure: TLS certificate verification is off for "+f.host) {
		t.Fatalf("no warning about skipped verification:\n%s", r.stderr)
	}
	if h := e.readHosts(); !strings.Contains(h, "insecure_tls: true") || strings.Contains(h, "scheme:") {
		t.Fatalf("hosts.yml:\n%s", h)
	}
	wantExit(t, e.run("auth", "devices", "list"), 0)
}

func TestUserAgent(t *testing.T) {
	f := fastFake(t)
	e := newCLIEnv(t)
	r, _ := e.login(f, "tester@dify.ai", "Test Tester", nil)
	wantExit(t, r, 0)
	var st struct {
		LastUserAgent string `json:"last_user_agent"`
	}
	f.ctl("GET", "state", nil, &st)
	want := "difyctl/" + version + " (" + runtime.GOOS + "; " + runtime.GOARCH + "; go)"
	if st.LastUserAgent != want {
		t.Fatalf("User-Agent %q, want %q", st.LastUserAgent, want)
	}
	// A server that requires a newer client answers 426: exit 6.
	f.ctl("POST", "min-version", map[string]any{"version": "9.0.0"}, nil)
	r = e.run("auth", "devices", "list")
	wantExit(t, r, 6)
	if !strings.Contains(r.stderr, "version_skew: ") {
		t.Fatalf("426:\n%s", r)
	}
}

// A host recorded with `scheme: http` (signed in before, by either client)
// never lets `auth login` go over http by itself: http:// needs --insecure
// (exit 2 without it), and a host typed without a scheme means https.
func TestLoginHTTPNeedsInsecureWhenRecorded(t *testing.T) {
	f := fastFake(t)
	e := newCLIEnv(t)
	r, _ := e.login(f, "tester@dify.ai", "Tester", nil)
	wantExit(t, r, 0)
	// As the official client records it: scheme http, no insecure_tls.
	e.writeHosts(strings.Replace(e.readHosts(), "    insecure_tls: true\n", "", 1))
	hosts := e.readHosts()
	if !strings.Contains(hosts, "scheme: http") {
		t.Fatalf("the test expects scheme: http recorded:\n%s", hosts)
	}
	requests := f.state().Requests
	r = e.run("auth", "login", "--host", f.url, "--no-browser")
	wantExit(t, r, 2)
	if !strings.Contains(r.stderr, "usage_invalid_flag: only https:// hosts are accepted") || !strings.Contains(r.stderr, "hint: add --insecure") {
		t.Errorf("http:// without --insecure:\n%s", r)
	}
	// No scheme: https, whatever hosts.yml says, so the plain-http fake
	// never sees a request (the TLS handshake fails).
	r = e.run("auth", "login", "--host", f.host, "--no-browser")
	if r.code == 0 || strings.Contains(r.stdout, "Logged in") || !strings.Contains(r.stderr, "network_connection") {
		t.Errorf("bare host of a recorded http host:\n%s", r)
	}
	if got := f.state().Requests; got != requests {
		t.Errorf("%d request(s) reached the server over plain http without --insecure", got-requests)
	}
	if e.readHosts() != hosts {
		t.Errorf("hosts.yml changed:\n%s", e.readHosts())
	}
}

// An environment of nothing but difyctl's own variables gives the browser
// opener an empty environment, not (through a nil cmd.Env) all of them.
func TestBrowserEnvNeverInheritsDifyVariables(t *testing.T) {
	saved := os.Environ()
	t.Cleanup(func() {
		os.Clearenv()
		for _, kv := range saved {
			k, v, _ := strings.Cut(kv, "=")
			os.Setenv(k, v)
		}
	})
	os.Clearenv()
	os.Setenv("DIFY_TOKEN", "dfoa_browserEnvSecret")
	os.Setenv("DIFYCTL_KEYRING_TIMEOUT", "1s")
	if env := browserEnv(); env == nil || len(env) != 0 {
		t.Fatalf("browserEnv() = %#v, want an empty, non-nil list", env)
	}
	os.Setenv("PATH", "/usr/bin")
	if env := browserEnv(); len(env) != 1 || env[0] != "PATH=/usr/bin" {
		t.Fatalf("browserEnv() = %#v, want only PATH", env)
	}
}

// A sign-in that replaces a context ends the old session. Refused as no
// longer valid, it had ended already (the server ends the session of the
// same account and device label): nothing to say. When the server cannot
// be asked, the sign-in still succeeds and says the old session may live.
func TestLoginSaysWhenTheReplacedSessionMayLive(t *testing.T) {
	f := fastFake(t)
	e := newCLIEnv(t)
	r, _ := e.login(f, "tester@dify.ai", "Test Tester", nil, "--no-browser")
	wantExit(t, r, 0)
	r, _ = e.login(f, "tester@dify.ai", "Test Tester", nil, "--no-browser")
	wantExit(t, r, 0)
	if strings.Contains(r.stderr, "replaced") {
		t.Errorf("a note on a session that has ended:\n%s", r.stderr)
	}
	f.scenario(map[string]any{"name": "server_5xx", "path": "/account/sessions/self"})
	r, _ = e.login(f, "tester@dify.ai", "Test Tester", nil, "--no-browser")
	wantExit(t, r, 0)
	if !strings.Contains(r.stderr, "! the session this sign-in replaced may still be active (") ||
		!strings.Contains(r.stderr, "); see 'difyctl auth devices list'\n") || !strings.Contains(r.stdout, "Logged in to ") {
		t.Errorf("no word on the replaced session:\n%s", r)
	}
}

// A sign-in whose token cannot be sealed, because tokens.sealed or its key
// file cannot be used, hints to fix that file and then run the sign-in as
// it was typed: for an http host, with its scheme and --insecure. The file
// is left as it was, and no context is recorded.
func TestLoginSealFailureHintFixesTheFileFirst(t *testing.T) {
	f := fastFake(t)
	for _, c := range []struct {
		name    string
		file    func(e *cliEnv) string
		content []byte
	}{
		{"tokens.sealed too large", func(e *cliEnv) string { return filepath.Join(e.config, sealedFileName) }, make([]byte, maxSealedFile+1)},
		{"key file not ours", func(e *cliEnv) string { return filepath.Join(e.data, sealedKeyName) }, []byte("not a key\n")},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newCLIEnv(t)
			path := c.file(e)
			os.MkdirAll(filepath.Dir(path), 0o700)
			if err := os.WriteFile(path, c.content, 0o600); err != nil {
				t.Fatal(err)
			}
			r, _ := e.login(f, "tester@dify.ai", "Tester", nil, "--no-browser")
			wantExit(t, r, 1)
			login := "difyctl auth login --host " + f.url + " --insecure"
			if !strings.Contains(r.stderr, "credential_unreadable: ") ||
				!strings.Contains(r.stderr, "\nhint: fix or move aside "+path+", then run '"+login+"'\n") {
				t.Fatalf("stderr:\n%s", r)
			}
			if got, _ := os.ReadFile(path); string(got) != string(c.content) {
				t.Errorf("%s changed", path)
			}
			if _, err := os.Stat(filepath.Join(e.config, hostsFileName)); err == nil && strings.Contains(e.readHosts(), "tester@dify.ai") {
				t.Errorf("a context was recorded:\n%s", e.readHosts())
			}
			// Done as the hint says, the sign-in works.
			os.Rename(path, path+".aside")
			r, _ = loginAt(t, e, f, "tester@dify.ai", strings.Fields(login)[3:]...)
			wantExit(t, r, 0)
			wantExit(t, e.run("auth", "whoami"), 0)
		})
	}
}
