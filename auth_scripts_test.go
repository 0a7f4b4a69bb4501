package main

// auth_scripts_test.go: what scripts and CI use — auth token, auth status and
// the DIFY_TOKEN environment sign-in — black box, against the fake server.

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// authToken runs `difyctl auth token args…`. Its stdout is the one output
// of the suite allowed to hold a token: it goes to the hygiene check as
// such (it must be one token and a newline), stderr as any other output.
func (e *cliEnv) authToken(args ...string) result {
	e.t.Helper()
	cmd, out, errb := e.start(append([]string{"auth", "token"}, args...)...)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		<-done
		e.t.Fatalf("difyctl auth token did not finish\nstderr: %s", errb.String())
	}
	r := result{stdout: out.String(), stderr: errb.String()}
	where := e.t.Name() + ": difyctl auth token " + strings.Join(args, " ")
	noteTokenStdout(where+" (stdout)", r.stdout)
	noteText(where+" (stderr)", r.stderr)
	if ee, ok := err.(interface{ ExitCode() int }); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func TestAuthTokenPrintsTheIssuedToken(t *testing.T) {
	f, e, id := signedIn(t)
	r := e.authToken()
	wantExit(t, r, 0)
	if want := f.tokenByID(id).Token + "\n"; r.stdout != want {
		t.Fatalf("auth token printed %d bytes, not the token the fake issued and a newline", len(r.stdout))
	}
	if r.stderr != "" {
		t.Fatalf("auth token wrote to stderr: %q", r.stderr)
	}
}

func TestAuthTokenNotLoggedIn(t *testing.T) {
	e := newCLIEnv(t)
	r := e.authToken()
	wantExit(t, r, 4)
	if r.stdout != "" || !strings.Contains(r.stderr, "not_logged_in") || !strings.Contains(r.stderr, "hint: run 'difyctl auth login'") {
		t.Fatalf("want not_logged_in with the usual hint:\n%s", r)
	}
	// A named context that does not exist is not signed in either.
	f, e, _ := signedIn(t)
	r = e.authToken("--email", "nobody@dify.ai")
	wantExit(t, r, 4)
	r = e.authToken("--host", "elsewhere.example.com")
	wantExit(t, r, 4)
	if !strings.Contains(r.stderr, "elsewhere.example.com") {
		t.Fatalf("the error should name the host:\n%s", r)
	}
	// The context exists but its token is gone from every store.
	os.Remove(filepath.Join(e.config, "tokens.sealed"))
	r = e.authToken("--host", f.host)
	wantExit(t, r, 4)
	if r.stdout != "" || !strings.Contains(r.stderr, "no credential stored for tester@dify.ai") {
		t.Fatalf("want no credential stored:\n%s", r)
	}
}

func TestAuthTokenPicksTheNamedContext(t *testing.T) {
	f1 := fastFake(t)
	f2 := fastFake(t)
	e := newCLIEnv(t)
	r, idA := e.login(f1, "a@dify.ai", "A", nil)
	wantExit(t, r, 0)
	r, idB := e.login(f1, "b@dify.ai", "B", nil)
	wantExit(t, r, 0)
	r, idC := e.login(f2, "c@dify.ai", "C", nil)
	wantExit(t, r, 0)
	tokA, tokB, tokC := f1.tokenByID(idA).Token, f1.tokenByID(idB).Token, f2.tokenByID(idC).Token
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, tokC}, // the active context
		{[]string{"--host", f1.host}, tokB},
		{[]string{"--host", f1.url + "/", "--email", "a@dify.ai"}, tokA},
		{[]string{"--email", "c@dify.ai"}, tokC},
	} {
		r := e.authToken(tc.args...)
		wantExit(t, r, 0)
		if r.stdout != tc.want+"\n" {
			t.Fatalf("auth token %v printed the wrong token", tc.args)
		}
	}
	// --email alone looks on the active host only.
	wantExit(t, e.authToken("--email", "a@dify.ai"), 4)
}

func TestAuthTokenHelp(t *testing.T) {
	e := newCLIEnv(t)
	r := e.run("auth", "token", "--help")
	wantExit(t, r, 0)
	for _, want := range []string{`curl -H "Authorization: Bearer $(difyctl auth token)"`, "--host <host>", "--email <email>", "EXIT CODES", "  4 "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("help lacks %q:\n%s", want, r.stdout)
		}
	}
}

type statusJSON struct {
	Host    string `json:"host"`
	Account *struct {
		ID, Email, Name string
	} `json:"account"`
	Workspace *struct {
		ID, Name, Role string
	} `json:"workspace"`
	TokenExpiresAt *string `json:"token_expires_at"`
	Valid          *bool   `json:"valid"`
}

func decodeStatus(t *testing.T, r result) statusJSON {
	t.Helper()
	if strings.Count(r.stdout, "\n") != 1 {
		t.Fatalf("--json must be one line:\n%s", r)
	}
	var s statusJSON
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
		t.Fatalf("%v\n%s", err, r)
	}
	if s.Valid == nil {
		t.Fatalf("no valid field: %s", r.stdout)
	}
	return s
}

func TestAuthStatusValid(t *testing.T) {
	f, e, _ := signedIn(t)
	before := filesUnder(t, e.home)
	r := e.run("auth", "status")
	wantExit(t, r, 0)
	for _, want := range []string{"Host:", f.host, "Account:", "tester@dify.ai (Test Tester)", "Workspace:", "Expires:"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("status lacks %q:\n%s", want, r)
		}
	}
	if !strings.HasSuffix(r.stdout, "✓ valid\n") {
		t.Fatalf("status must end with ✓ valid:\n%s", r)
	}
	if strings.Contains(r.stdout, "Expires:   unknown") {
		t.Fatalf("the recorded expiry is missing:\n%s", r)
	}
	r = e.run("auth", "status", "--json")
	wantExit(t, r, 0)
	s := decodeStatus(t, r)
	if !*s.Valid || s.Host != f.host || s.Account == nil || s.Account.Email != "tester@dify.ai" || s.Account.Name != "Test Tester" ||
		s.Workspace == nil || s.Workspace.Name == "" || s.TokenExpiresAt == nil || *s.TokenExpiresAt == "" {
		t.Fatalf("status --json: %s", r.stdout)
	}
	if after := filesUnder(t, e.home); !sameFiles(before, after) {
		t.Fatal("auth status changed files")
	}
}

// revokeAtServer ends a session the way another machine would.
func revokeAtServer(t *testing.T, f *fakeServer, tok string) {
	t.Helper()
	req, _ := http.NewRequest("DELETE", f.url+"/openapi/v1/account/sessions/self", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := insecureHTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("revoke at the fake: HTTP %d", resp.StatusCode)
	}
}

func TestAuthStatusRevokedAtServer(t *testing.T) {
	f, e, id := signedIn(t)
	revokeAtServer(t, f, f.tokenByID(id).Token)
	before := filesUnder(t, e.home)
	r := e.run("auth", "status")
	wantExit(t, r, 4)
	if !strings.Contains(r.stdout, "✗ not valid") || strings.Contains(r.stdout, "✓") || !strings.Contains(r.stderr, "auth_expired") {
		t.Fatalf("want a ✗ report and auth_expired:\n%s", r)
	}
	if !strings.Contains(r.stderr, "'difyctl auth login --host http://"+f.host+" --insecure'") {
		t.Fatalf("want the hint to name the login command that works for this http host:\n%s", r)
	}
	r = e.run("auth", "status", "--json")
	wantExit(t, r, 4)
	if s := decodeStatus(t, r); *s.Valid || s.Host != f.host || s.Account == nil || s.Account.Email != "tester@dify.ai" {
		t.Fatalf("status --json after revoke: %s", r.stdout)
	}
	if !strings.HasPrefix(withoutTransportWarning(r.stderr), `{"error":{"code":"auth_expired"`) {
		t.Fatalf("want the JSON error envelope on stderr:\n%s", r)
	}
	if after := filesUnder(t, e.home); !sameFiles(before, after) {
		t.Fatal("auth status changed files after a 401")
	}
}

func TestAuthStatusExpiredLocally(t *testing.T) {
	f, e, _ := signedIn(t)
	hosts := e.readHosts()
	i := strings.Index(hosts, "token_expires_at: ")
	if i < 0 {
		t.Fatalf("no token_expires_at in hosts.yml:\n%s", hosts)
	}
	end := i + strings.IndexByte(hosts[i:], '\n')
	e.writeHosts(hosts[:i] + "token_expires_at: '2001-01-01T00:00:00Z'" + hosts[end:])
	reqs := f.state().Requests
	r := e.run("auth", "status", "--json")
	wantExit(t, r, 4)
	if s := decodeStatus(t, r); *s.Valid || s.TokenExpiresAt == nil || *s.TokenExpiresAt != "2001-01-01T00:00:00Z" {
		t.Fatalf("expired token: %s", r.stdout)
	}
	if f.state().Requests != reqs {
		t.Fatal("a token past its recorded expiry needs no request")
	}
}

func TestAuthStatusServerDown(t *testing.T) {
	f, e, _ := signedIn(t)
	f.cmd.Process.Kill()
	f.cmd.Wait()
	e.vars["DIFYCTL_HTTP_RETRY"] = "0"
	r := e.run("auth", "status")
	wantExit(t, r, 1)
	if r.stdout != "" || !strings.Contains(r.stderr, "network_connection") {
		t.Fatalf("want network_connection and no report:\n%s", r)
	}
	r = e.run("auth", "status", "--json")
	wantExit(t, r, 1)
	if r.stdout != "" || !strings.HasPrefix(withoutTransportWarning(r.stderr), `{"error":{"code":"network_connection"`) {
		t.Fatalf("want the JSON envelope:\n%s", r)
	}
}

func TestAuthStatusRateLimited(t *testing.T) {
	f, e, _ := signedIn(t)
	f.scenario(map[string]any{"name": "rate_limited", "retry_after": 3})
	r := e.run("auth", "status")
	wantExit(t, r, 7)
	if r.stdout != "" || !strings.Contains(r.stderr, "rate_limited") {
		t.Fatalf("want rate_limited:\n%s", r)
	}
}

func TestAuthStatusNotLoggedIn(t *testing.T) {
	e := newCLIEnv(t)
	r := e.run("auth", "status", "--json")
	wantExit(t, r, 4)
	if r.stdout != "" || !strings.HasPrefix(r.stderr, `{"error":{"code":"not_logged_in"`) {
		t.Fatalf("want the not_logged_in envelope:\n%s", r)
	}
}

// envMachine is a machine with no sign-in of its own that runs with
// DIFY_TOKEN set to a token the fake issued elsewhere. Its config dir
// exists, is empty and is read-only.
func envMachine(t *testing.T) (*fakeServer, *cliEnv, string, string) {
	t.Helper()
	f, _, id := signedIn(t)
	e := newCLIEnv(t)
	if err := os.MkdirAll(e.config, 0o700); err != nil {
		t.Fatal(err)
	}
	os.Chmod(e.config, 0o500)
	t.Cleanup(func() { os.Chmod(e.config, 0o700) })
	tok := f.tokenByID(id).Token
	e.vars["DIFY_TOKEN"] = tok
	e.vars["DIFY_HOST"] = f.url
	return f, e, id, tok
}

func wantEmptyDir(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 0 {
		t.Fatalf("%s should stay empty, holds %v", dir, ents)
	}
}

func TestDifyTokenCommandsUseTheEnvironment(t *testing.T) {
	f, e, id, tok := envMachine(t)
	r := e.run("auth", "devices", "list", "--json")
	wantExit(t, r, 0)
	if !strings.Contains(r.stdout, id) {
		t.Fatalf("devices list under DIFY_TOKEN lacks the session:\n%s", r)
	}
	r = e.run("auth", "devices", "list")
	wantExit(t, r, 0)
	if !strings.Contains(r.stdout, "DEVICE") || strings.Contains(r.stdout, "*") {
		t.Fatalf("table: no session can be marked current under DIFY_TOKEN:\n%s", r)
	}
	if !strings.Contains(r.stderr, "! DIFY_HOST uses http://: traffic to "+f.host+" is not encrypted") {
		t.Fatalf("an http DIFY_HOST must be warned about:\n%s", r)
	}
	r = e.run("auth", "whoami")
	wantExit(t, r, 0)
	if r.stdout != "tester@dify.ai (Test Tester)\n" {
		t.Fatalf("whoami under DIFY_TOKEN:\n%s", r)
	}
	r = e.run("auth", "whoami", "--json")
	wantExit(t, r, 0)
	if !strings.Contains(r.stdout, `"email":"tester@dify.ai"`) {
		t.Fatalf("whoami --json under DIFY_TOKEN:\n%s", r)
	}
	r = e.run("auth", "status", "--json")
	wantExit(t, r, 0)
	if s := decodeStatus(t, r); !*s.Valid || s.Host != f.host || s.Account == nil || s.Account.Email != "tester@dify.ai" || s.TokenExpiresAt != nil {
		t.Fatalf("status under DIFY_TOKEN: %s", r.stdout)
	}
	r = e.authToken()
	wantExit(t, r, 0)
	if r.stdout != tok+"\n" {
		t.Fatal("auth token under DIFY_TOKEN must print DIFY_TOKEN")
	}
	if r.stderr != "" {
		t.Fatalf("auth token under DIFY_TOKEN uses no network and has nothing to warn about: %q", r.stderr)
	}
	wantExit(t, e.authToken("--host", f.host), 2)
	r = e.run("auth", "devices", "revoke", "--all", "--yes")
	wantExit(t, r, 2)
	if !strings.Contains(r.stderr, "DIFY_TOKEN") {
		t.Fatalf("--all under DIFY_TOKEN must say why it refuses:\n%s", r)
	}
	other := f.seed("tester@dify.ai", 1, "difyctl on old-laptop")[0]
	r = e.run("auth", "devices", "revoke", "old-laptop", "--yes")
	wantExit(t, r, 0)
	if f.tokenByID(other).Live {
		t.Fatal("revoke under DIFY_TOKEN did not end the session")
	}
	wantEmptyDir(t, e.config)
	if _, err := os.Stat(e.data); !os.IsNotExist(err) {
		t.Fatalf("the data dir was touched: %v", err)
	}
}

func TestDifyTokenIgnoresTheConfigDir(t *testing.T) {
	// A hosts.yml that does not parse and a lock held by someone else:
	// reading the one or taking the other would fail; neither happens.
	_, e, _, _ := envMachine(t)
	os.Chmod(e.config, 0o700)
	files := map[string]string{
		filepath.Join(e.config, hostsFileName):            "hosts: [unclosed\n",
		filepath.Join(e.config, hostsFileName+".lock"):    "",
		filepath.Join(e.config, "tokens.yml"):             "version: 1\ntokens: {}\n",
		filepath.Join(e.config, "tokens.yml.lock"):        "",
		filepath.Join(e.config, "do-not-touch.unrelated"): "x",
	}
	for p, c := range files {
		if err := os.WriteFile(p, []byte(c), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{
		{"auth", "whoami"}, {"auth", "status"}, {"auth", "devices", "list"},
	} {
		wantExit(t, e.run(args...), 0)
	}
	wantExit(t, e.authToken(), 0)
	if got := filesUnder(t, e.config); !sameFiles(got, files) {
		t.Fatalf("the config dir changed: %v", got)
	}
}

func TestDifyTokenRefusesStoreCommands(t *testing.T) {
	e := newCLIEnv(t)
	e.vars["DIFY_TOKEN"] = "dfoa_not-a-real-token-but-well-formed-00000000000"
	for _, args := range [][]string{
		{"auth", "login", "--host", "https://dify.example.com"},
		{"auth", "logout"},
		{"use", "host", "--domain", "cloud.dify.ai"},
		{"use", "account", "--email", "a@dify.ai"},
	} {
		r := e.run(args...)
		wantExit(t, r, 2)
		if !strings.Contains(r.stderr, "DIFY_TOKEN") || strings.Contains(r.stderr, e.vars["DIFY_TOKEN"]) {
			t.Fatalf("%v must refuse naming DIFY_TOKEN (and not print it):\n%s", args, r)
		}
	}
	if _, err := os.Stat(e.config); !os.IsNotExist(err) {
		t.Fatal("a refused command created the config dir")
	}
}

func TestDifyHostValidation(t *testing.T) {
	e := newCLIEnv(t)
	e.vars["DIFY_TOKEN"] = "dfoa_not-a-real-token-but-well-formed-00000000000"
	for _, host := range []string{"http://example.com", "ftp://127.0.0.1", "http://10.0.0.1:5001", "https://user@example.com", "https://exa mple.com"} {
		e.vars["DIFY_HOST"] = host
		r := e.run("auth", "devices", "list", "--json")
		wantExit(t, r, 2)
		if !strings.HasPrefix(r.stderr, `{"error":{"code":"usage_invalid_flag","message":"DIFY_HOST:`) {
			t.Fatalf("DIFY_HOST=%s:\n%s", host, r)
		}
		wantExit(t, e.run("auth", "whoami"), 2)
	}
	e.vars["DIFY_HOST"] = "http://127.0.0.1:9"
	e.vars["DIFY_TOKEN"] = "bad token\x01"
	r := e.run("auth", "whoami")
	wantExit(t, r, 2)
	if strings.Contains(r.stderr, "bad token") {
		t.Fatalf("the error repeats the token:\n%s", r)
	}
}

func TestDifyTokenRejected(t *testing.T) {
	// A token the server rejects: exit 4, and the token appears nowhere,
	// not in the error, not on the request: line.
	f, e, _, tok := envMachine(t)
	revokeAtServer(t, f, tok)
	for _, args := range [][]string{
		{"auth", "whoami"}, {"auth", "status"}, {"auth", "devices", "list"}, {"auth", "devices", "list", "--json"},
	} {
		r := e.run(args...)
		wantExit(t, r, 4)
		if strings.Contains(r.stdout+r.stderr, tok) {
			t.Fatalf("%v printed DIFY_TOKEN", args)
		}
		if !strings.Contains(r.stderr, "the server rejected DIFY_TOKEN") || strings.Contains(r.stderr, "auth login") {
			t.Fatalf("%v: the hint should point at DIFY_TOKEN, not at login:\n%s", args, r)
		}
	}
	r := e.run("auth", "devices", "list")
	if !strings.Contains(r.stderr, "request: GET "+f.url+"/openapi/v1/account/sessions") {
		t.Fatalf("want the request: line:\n%s", r)
	}
	wantEmptyDir(t, e.config)
}

// The newest server answers an external SSO (dfoe_) token on GET /account
// with 403 unsupported_token_type: the token was accepted, so the sign-in
// is valid (exit 0); once the token ends, it is not (exit 4).
func TestAuthStatusSSOSignIn(t *testing.T) {
	f := fastFake(t)
	e := newCLIEnv(t)
	r, id := e.login(f, "sso@dify.ai", "", map[string]any{"sso": true, "issuer": "https://issuer.example"}, "--no-browser")
	wantExit(t, r, 0)
	r = e.run("auth", "status")
	wantExit(t, r, 0)
	if !strings.Contains(r.stdout, "sso@dify.ai (external SSO, issuer: https://issuer.example)") || !strings.HasSuffix(r.stdout, "✓ valid\n") || withoutTransportWarning(r.stderr) != "" {
		t.Errorf("status:\n%s", r)
	}
	r = e.run("auth", "status", "--json")
	wantExit(t, r, 0)
	if s := decodeStatus(t, r); !*s.Valid || s.Host != f.host {
		t.Errorf("status --json: %s", r)
	}
	f.ctl("POST", "tokens/expire", map[string]any{"token_id": id}, nil)
	r = e.run("auth", "status")
	wantExit(t, r, 4)
}

// A server that accepts the token but answers GET /account with no email
// has given a reply difyctl cannot use (exit 1), not a verdict that the
// sign-in is gone (exit 4, which a script would answer with a new login).
func TestStatusOfAnAccountReplyWithoutEmail(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"subject_type":"account","account":{"id":"a","email":"","name":""},"workspaces":[]}`)
	}))
	t.Cleanup(srv.Close)
	e := newCLIEnv(t)
	e.vars["DIFY_TOKEN"] = "dfoa_not-a-real-token-but-well-formed-00000000000"
	e.vars["DIFY_HOST"] = srv.URL
	for _, args := range [][]string{{"auth", "status"}, {"auth", "status", "--json"}, {"auth", "whoami"}} {
		r := e.run(args...)
		wantExit(t, r, 1)
		if !strings.Contains(r.stderr, "server_bad_response") || r.stdout != "" {
			t.Errorf("%v:\n%s", args, r)
		}
	}
}
