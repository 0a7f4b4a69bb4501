package main

// devices_test.go: auth devices list and revoke, black box, against the
// fake Dify server.

import (
	"encoding/json"
	"strings"
	"syscall"
	"testing"
	"time"
)

// signedIn is a machine signed in to a fake as tester@dify.ai.
func signedIn(t *testing.T, args ...string) (*fakeServer, *cliEnv, string) {
	t.Helper()
	f := fastFake(t, args...)
	e := newCLIEnv(t)
	r, id := e.login(f, "tester@dify.ai", "Test Tester", nil)
	wantExit(t, r, 0)
	return f, e, id
}

// seed adds n sessions for email and returns their ids in list order
// (newest first).
func (f *fakeServer) seed(email string, n int, labels ...string) []string {
	f.t.Helper()
	var out struct {
		IDs []string `json:"ids"`
	}
	body := map[string]any{"email": email, "count": n, "labels": labels}
	if st := f.ctl("POST", "sessions/seed", body, &out); st != 200 {
		f.t.Fatalf("seed: HTTP %d", st)
	}
	return out.IDs
}

type listEnvelope struct {
	Page    int              `json:"page"`
	Limit   int              `json:"limit"`
	Total   int              `json:"total"`
	HasMore bool             `json:"has_more"`
	Data    []map[string]any `json:"data"`
}

func listJSON(t *testing.T, e *cliEnv, args ...string) listEnvelope {
	t.Helper()
	r := e.run(append([]string{"auth", "devices", "list", "--json"}, args...)...)
	wantExit(t, r, 0)
	if strings.Count(r.stdout, "\n") != 1 {
		t.Fatalf("--json must be one line: %q", r.stdout)
	}
	var env listEnvelope
	if err := json.Unmarshal([]byte(r.stdout), &env); err != nil {
		t.Fatal(err)
	}
	return env
}

func TestDevicesListPaging(t *testing.T) {
	f, e, _ := signedIn(t)
	f.seed("tester@dify.ai", 250)
	env := listJSON(t, e)
	if env.Limit != 20 || len(env.Data) != 20 || env.Total != 251 || !env.HasMore || env.Page != 1 {
		t.Fatalf("default page: limit %d rows %d total %d more %v", env.Limit, len(env.Data), env.Total, env.HasMore)
	}
	for _, k := range []string{"id", "prefix", "client_id", "device_label", "created_at", "last_used_at", "expires_at"} {
		if _, ok := env.Data[0][k]; !ok {
			t.Errorf("row lacks %q", k)
		}
	}
	env = listJSON(t, e, "--page", "2", "--limit", "200")
	if len(env.Data) != 51 || env.HasMore || env.Page != 2 {
		t.Fatalf("page 2 of 200: rows %d more %v", len(env.Data), env.HasMore)
	}
	e.vars["DIFY_LIMIT"] = "7"
	if env = listJSON(t, e); env.Limit != 7 || len(env.Data) != 7 {
		t.Fatalf("DIFY_LIMIT: %d rows", len(env.Data))
	}
	if env = listJSON(t, e, "--limit", "3"); len(env.Data) != 3 {
		t.Fatalf("--limit over DIFY_LIMIT: %d rows", len(env.Data))
	}
	for _, c := range []struct {
		args []string
		env  string
		msg  string
	}{
		{[]string{"--limit", "0"}, "", `--limit: 0 out of range [1..200]`},
		{[]string{"--limit", "201"}, "", `--limit: 201 out of range [1..200]`},
		{[]string{"--limit", "abc"}, "", `--limit: "abc" is not a number`},
		{nil, "0", `DIFY_LIMIT: 0 out of range [1..200]`},
		{nil, "x", `DIFY_LIMIT: "x" is not a number`},
		{[]string{"--page", "0"}, "", `--page: 0 out of range`},
	} {
		e.vars["DIFY_LIMIT"] = c.env
		r := e.run(append([]string{"auth", "devices", "list"}, c.args...)...)
		wantExit(t, r, 2)
		if !strings.Contains(r.stderr, c.msg) || r.stdout != "" {
			t.Errorf("%v DIFY_LIMIT=%q:\n%s", c.args, c.env, r)
		}
	}
	delete(e.vars, "DIFY_LIMIT")
	r := e.run("auth", "devices", "list", "--json", "--limit", "0")
	wantExit(t, r, 2)
	if !strings.HasPrefix(r.stderr, `{"error":{"code":"usage_invalid_flag","message":"--limit: 0 out of range [1..200]"`) {
		t.Fatalf("--json error envelope: %q", r.stderr)
	}
}

func TestDevicesListTable(t *testing.T) {
	f, e, _ := signedIn(t)
	f.seed("tester@dify.ai", 0, "difyctl on build-runner-3", "")
	r := e.run("auth", "devices", "list")
	wantExit(t, r, 0)
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "DEVICE") || !strings.HasSuffix(lines[0], "LAST USED  CURRENT") {
		t.Fatalf("table:\n%s", r.stdout)
	}
	var current, runner, unlabelled string
	for _, l := range lines[1:] {
		switch {
		case strings.HasSuffix(l, "*"):
			current = l
		case strings.HasPrefix(l, "difyctl on build-runner-3"):
			runner = l
		default:
			unlabelled = l
		}
	}
	if current == "" || runner == "" || unlabelled == "" {
		t.Fatalf("rows not as expected:\n%s", r.stdout)
	}
	if strings.HasSuffix(runner, "*") {
		t.Fatal("another session is marked current")
	}
	// An empty label shows the id; null last_used_at is an empty cell.
	if !strings.Contains(unlabelled, "-") || strings.HasPrefix(unlabelled, "difyctl") {
		t.Fatalf("unlabelled row: %q", unlabelled)
	}
}

func TestDevicesRevokeMatching(t *testing.T) {
	f, e, current := signedIn(t)
	ids := f.seed("tester@dify.ai", 0, "difyctl on desktop", "difyctl on laptop", "web ui", "Web Console")
	other := f.seed("someone@else.io", 0, "difyctl on desktop")
	// Exact label.
	r := e.run("auth", "devices", "revoke", "difyctl on desktop")
	wantExit(t, r, 0)
	if r.stdout != "✓ Revoked 1 session(s)\n" {
		t.Fatalf("revoke by label:\n%s", r)
	}
	if f.tokenByID(ids[0]).Live || !f.tokenByID(other[0]).Live {
		t.Fatal("the wrong session was revoked")
	}
	// Exact id, with the flag after the argument.
	r = e.run("auth", "devices", "revoke", ids[1], "-y")
	wantExit(t, r, 0)
	if f.tokenByID(ids[1]).Live {
		t.Fatal("revoke by id did not revoke")
	}
	// Substring matching two sessions is ambiguous and names both.
	r = e.run("auth", "devices", "revoke", "WEB")
	wantExit(t, r, 2)
	if !strings.Contains(r.stderr, `"WEB" matches multiple sessions: web ui (`+ids[2]+`), Web Console (`+ids[3]+`)`) {
		t.Fatalf("ambiguous:\n%s", r)
	}
	r = e.run("auth", "devices", "revoke", "console")
	wantExit(t, r, 0)
	if f.tokenByID(ids[3]).Live || !f.tokenByID(ids[2]).Live {
		t.Fatal("substring revoke hit the wrong session")
	}
	r = e.run("auth", "devices", "revoke", "nothing-like-this")
	wantExit(t, r, 2)
	if !strings.Contains(r.stderr, `no session matches "nothing-like-this"`) {
		t.Fatalf("no match:\n%s", r)
	}
	r = e.run("auth", "devices", "revoke")
	wantExit(t, r, 2)
	if !strings.Contains(r.stderr, "specify a device label / id, or pass --all") {
		t.Fatalf("no target:\n%s", r)
	}
	// Another account's session id is not ours to revoke.
	r = e.run("auth", "devices", "revoke", other[0])
	wantExit(t, r, 2)
	if !f.tokenByID(other[0]).Live || !f.tokenByID(current).Live {
		t.Fatal("another account's session was revoked")
	}
}

func TestDevicesRevokeFindsTargetOnLaterPage(t *testing.T) {
	f, e, _ := signedIn(t)
	f.seed("tester@dify.ai", 250)
	// Seeded rows are newest first: seed-250 is the oldest, on page 2 of a
	// 200-row fetch.
	r := e.run("auth", "devices", "revoke", "seed-250")
	wantExit(t, r, 0)
	if r.stdout != "✓ Revoked 1 session(s)\n" {
		t.Fatalf("%s", r)
	}
}

func TestDevicesRevokeAllKeepsCurrent(t *testing.T) {
	f, e, current := signedIn(t)
	f.seed("tester@dify.ai", 1000)
	other := f.seed("other@dify.ai", 3)
	start := time.Now()
	r := e.run("auth", "devices", "revoke", "--all")
	took := time.Since(start)
	wantExit(t, r, 0)
	if r.stdout != "✓ Revoked 1000 session(s)\n" {
		t.Fatalf("%s", r)
	}
	t.Logf("revoke --all over 1000 sessions took %v", took)
	live := 0
	for _, tk := range f.tokens() {
		if tk.Live && tk.Email == "tester@dify.ai" {
			live++
			if tk.TokenID != current {
				t.Errorf("session %s survived --all", tk.TokenID)
			}
		}
	}
	if live != 1 {
		t.Fatalf("want exactly the current session live, got %d", live)
	}
	for _, id := range other {
		if !f.tokenByID(id).Live {
			t.Fatal("--all revoked another account's session")
		}
	}
	r = e.run("auth", "devices", "revoke", "--all")
	wantExit(t, r, 0)
	if r.stdout != "no sessions to revoke\n" {
		t.Fatalf("nothing left: %q", r.stdout)
	}
}

func TestDevicesRevokeCurrentClearsContext(t *testing.T) {
	f, e, current := signedIn(t)
	tok := f.tokenByID(current).Token
	r := e.run("auth", "devices", "revoke", current)
	wantExit(t, r, 0)
	if r.stdout != "✓ Revoked 1 session(s)\n" || !strings.Contains(r.stderr, "signed out") {
		t.Fatalf("%s", r)
	}
	if r := e.run("auth", "whoami"); r.code != 4 {
		t.Fatalf("the context survived revoking its session: %s", r)
	}
	for path, content := range filesUnder(t, e.config) {
		if strings.Contains(content, tok) {
			t.Errorf("the revoked token is still in %s", path)
		}
	}
}

func TestDevicesAuthFailures(t *testing.T) {
	f, e, current := signedIn(t)
	f.ctl("POST", "tokens/expire", map[string]any{"token_id": current}, nil)
	for _, args := range [][]string{{"auth", "devices", "list"}, {"auth", "devices", "revoke", "--all"}} {
		r := e.run(args...)
		wantExit(t, r, 4)
		if !strings.HasPrefix(withoutTransportWarning(r.stderr), "auth_expired: ") || !strings.Contains(r.stderr, "hint: run 'difyctl auth login --host "+f.url+" --insecure' to sign in again\n") {
			t.Fatalf("%v:\n%s", args, r)
		}
	}
	r := e.run("auth", "devices", "list", "--json")
	wantExit(t, r, 4)
	var env struct {
		Error struct {
			Code       string          `json:"code"`
			HTTPStatus int             `json:"http_status"`
			Server     json.RawMessage `json:"server"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(withoutTransportWarning(r.stderr)), &env); err != nil || env.Error.Code != "auth_expired" || env.Error.HTTPStatus != 401 || !strings.Contains(string(env.Error.Server), "token_expired") {
		t.Fatalf("JSON envelope: %q %v", r.stderr, err)
	}
	f.scenario(map[string]any{"name": "rate_limited", "retry_after": 3})
	r = e.run("auth", "devices", "list")
	wantExit(t, r, 7)
	if !strings.Contains(r.stderr, "retry after 3 seconds") {
		t.Fatalf("429:\n%s", r)
	}
}

func TestDevicesLabelsAreSanitized(t *testing.T) {
	f, e, _ := signedIn(t)
	f.seed("tester@dify.ai", 0, "evil\x1b]8;;http://x\x07link\x1b]8;;\x07\u202etxt.exe\x1b[2J")
	r := e.run("auth", "devices", "list")
	wantExit(t, r, 0)
	for _, bad := range []string{"\x1b", "\a", "\u202e"} {
		if strings.Contains(r.stdout, bad) {
			t.Fatalf("%q reached the terminal:\n%q", bad, r.stdout)
		}
	}
	if !strings.Contains(r.stdout, `evillink\u202etxt.exe`) {
		t.Fatalf("label lost:\n%s", r.stdout)
	}
	r = e.run("auth", "devices", "list", "--json")
	if strings.ContainsAny(r.stdout, "\x1b\a\u202e") {
		t.Fatalf("raw control characters in --json: %q", r.stdout)
	}
	r = e.run("auth", "devices", "revoke", "nomatch\x1b[31m")
	wantExit(t, r, 2)
	if strings.Contains(r.stderr, "\x1b") {
		t.Fatalf("the target echoed raw: %q", r.stderr)
	}
	// The label as the table shows it names the session, whole or in part.
	f.seed("tester@dify.ai", 0, "\x1b[1mci\x1b[0m runner")
	for _, target := range []string{`evillink\u202etxt.exe`, "ci runner"} {
		before := f.deletesSent()
		r = e.run("auth", "devices", "revoke", target, "-y")
		wantExit(t, r, 0)
		if f.deletesSent() != before+1 || !strings.Contains(r.stdout, "Revoked 1 session") {
			t.Errorf("revoke %q as shown in the table:\n%s", target, r)
		}
	}
}

func TestDevicesListLegacyShape(t *testing.T) {
	f, e, _ := signedIn(t)
	f.scenario(map[string]any{"name": "sessions_legacy"})
	r := e.run("auth", "devices", "list")
	wantExit(t, r, 0)
	if !strings.HasSuffix(strings.TrimSpace(r.stdout), "*") {
		t.Fatalf("legacy shape table:\n%s", r.stdout)
	}
	env := listJSON(t, e)
	if env.Total != 1 || len(env.Data) != 1 || env.HasMore {
		t.Fatalf("legacy shape as an envelope: %+v", env)
	}
}

// deletesSent counts the DELETE requests that reached the fake.
func (f *fakeServer) deletesSent() int {
	f.t.Helper()
	var out struct {
		Requests []struct {
			Method string `json:"method"`
		} `json:"requests"`
	}
	f.ctl("GET", "requests", nil, &out)
	n := 0
	for _, r := range out.Requests {
		if r.Method == "DELETE" {
			n++
		}
	}
	return n
}

// A context without token_id (the official client may write one) cannot
// tell its own session from the others: --all is refused before anything
// is sent, rather than end the session in use along with the rest.
func TestDevicesRevokeAllRefusedWithoutTokenID(t *testing.T) {
	f, e, current := signedIn(t)
	f.seed("tester@dify.ai", 3)
	e.writeHosts(strings.Replace(e.readHosts(), "        token_id: "+current+"\n", "", 1))
	if strings.Contains(e.readHosts(), current) {
		t.Fatalf("the test expects no token_id:\n%s", e.readHosts())
	}
	r := e.run("auth", "devices", "revoke", "--all", "-y")
	wantExit(t, r, 2)
	if !strings.Contains(r.stderr, "usage_invalid_flag: --all cannot tell which session is this sign-in's: hosts.yml records no token_id for tester@dify.ai on "+f.host) ||
		!strings.Contains(r.stderr, "hint: revoke sessions by label or id, or run 'difyctl auth login --host "+f.url+" --insecure' to sign in again") {
		t.Errorf("stderr:\n%s", r)
	}
	if n := f.deletesSent(); n != 0 {
		t.Errorf("%d DELETE(s) sent", n)
	}
	if !f.tokenByID(current).Live {
		t.Error("the session in use was revoked")
	}
}

// Once the token is rejected or rate limited, every later delete would
// fail the same way: revoke stops at the first and keeps that exit code.
func TestDevicesRevokeStopsAtRejectionOrRateLimit(t *testing.T) {
	for _, c := range []struct {
		scenario map[string]any
		code     int
	}{
		{map[string]any{"name": "error_body", "status": 401, "code": "unauthorized", "message": "Invalid or unknown bearer token.", "path": "/account/sessions/"}, 4},
		{map[string]any{"name": "rate_limited", "retry_after": 3, "path": "/account/sessions/"}, 7},
	} {
		f, e, _ := signedIn(t)
		f.seed("tester@dify.ai", 5)
		f.scenario(c.scenario)
		r := e.run("auth", "devices", "revoke", "--all", "-y")
		wantExit(t, r, c.code)
		if n := f.deletesSent(); n != 1 {
			t.Errorf("%v: %d DELETEs sent, want 1", c.scenario["name"], n)
		}
		if !strings.Contains(r.stderr, "! revoked 0 of 5 session(s)\n") {
			t.Errorf("%v: stderr:\n%s", c.scenario["name"], r)
		}
	}
}

// Ctrl-C while sessions are being revoked stops at once with exit 130,
// sending no further delete.
func TestDevicesRevokeCtrlCStops(t *testing.T) {
	f, e, _ := signedIn(t)
	f.seed("tester@dify.ai", 5)
	f.scenario(map[string]any{"name": "slow_headers", "seconds": 30, "path": "/account/sessions/"})
	cmd, out, errb := e.start("auth", "devices", "revoke", "--all", "-y")
	for deadline := time.Now().Add(20 * time.Second); f.deletesSent() == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no DELETE was sent")
		}
	}
	cmd.Process.Signal(syscall.SIGINT)
	r := waitResult(t, cmd, out, errb)
	wantExit(t, r, 130)
	if n := f.deletesSent(); n != 1 {
		t.Errorf("%d DELETEs sent, want 1", n)
	}
	if r.stdout != "" || !strings.Contains(r.stderr, "! revoked 0 of 5 session(s)\n") {
		t.Errorf("output:\n%s", r)
	}
}

// Sessions are served to Dify accounts only: an external SSO sign-in gets
// 403 unsupported_token_type, with a hint that says so.
func TestDevicesListSSOSignInSaysWhy(t *testing.T) {
	f := fastFake(t)
	e := newCLIEnv(t)
	r, _ := e.login(f, "sso@dify.ai", "", map[string]any{"sso": true, "issuer": "https://issuer.example"}, "--no-browser")
	wantExit(t, r, 0)
	r = e.run("auth", "devices", "list")
	wantExit(t, r, 1)
	if !strings.Contains(r.stderr, "server_4xx_other: unsupported_token_type\n") ||
		!strings.Contains(r.stderr, "\nhint: the server answers this only for a Dify account's sign-in, not for an external SSO one (a dfoe_ token)\n") {
		t.Errorf("stderr:\n%s", r)
	}
}
