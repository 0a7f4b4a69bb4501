package main

// api_trust_test.go: issue 11's findings as black-box tests — hosts.yml and
// the environment are input, not trust — and issue 10's http consent.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// listenCounting listens on addr and counts the connections it gets.
func listenCounting(t *testing.T, addr string) (string, *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen %s: %v", addr, err)
	}
	t.Cleanup(func() { ln.Close() })
	var n atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			c.Close()
		}
	}()
	return ln.Addr().String(), &n
}

// setHostKey puts `key: value` (value written as is) under host in
// hosts.yml, replacing the key if it is there.
func setHostKey(t *testing.T, e *cliEnv, host, key, value string) {
	t.Helper()
	lines := strings.Split(e.readHosts(), "\n")
	var out []string
	in := false
	done := false
	for _, l := range lines {
		if in && strings.HasPrefix(l, "    "+key+":") {
			continue
		}
		out = append(out, l)
		if strings.HasPrefix(l, "  ") && !strings.HasPrefix(l, "   ") {
			in = strings.Trim(strings.TrimSpace(l), "'\":") == host || strings.TrimSpace(l) == host+":" || strings.TrimSpace(l) == "'"+host+"':"
			if in && !done {
				out = append(out, "    "+key+": "+value)
				done = true
			}
		}
	}
	if !done {
		t.Fatalf("host %s not found in hosts.yml:\n%s", host, e.readHosts())
	}
	e.writeHosts(strings.Join(out, "\n"))
}

// TestHardeningPathCannotChangeAuthority: a `path` in hosts.yml that is
// not a clean absolute path is config_invalid naming the file, the host
// and the key, and no request is sent — not to the host, and not to the
// authority the path tries to smuggle in (`@127.0.0.2:PORT`).
func TestHardeningPathCannotChangeAuthority(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs 127.0.0.2 on the loopback interface (Linux)")
	}
	f := fastFake(t)
	e := newCLIEnv(t)
	r, _ := e.login(f, "tester@dify.ai", "Tester", nil)
	wantExit(t, r, 0)
	tok := f.tokens()[0].Token
	evil, hits := listenCounting(t, "127.0.0.2:0")
	good := e.readHosts()
	for _, bad := range []string{
		"'@" + evil + "'", "'/x@" + evil + "'", "/a/../b", "'//" + evil + "'", "'/a?x=1'", "'/a#x'",
		"/a%2Fb", "/a%2fb", "'/a\\b'", "dify", "/a/%2e%2e/b", "/a/", "'/a b'", "\"/a\\x01b\"", "/a%zz",
	} {
		t.Run(bad, func(t *testing.T) {
			e.writeHosts(good)
			setHostKey(t, e, f.host, "path", bad)
			before := f.state().Requests
			for _, args := range [][]string{{"auth", "devices", "list"}, {"auth", "devices", "list", "--json"}, {"auth", "devices", "revoke", "--all", "-y"}, {"auth", "logout"}} {
				r := e.run(args...)
				wantExit(t, r, 1)
				if !strings.Contains(r.stderr, "config_invalid") || !strings.Contains(r.stderr, e.hostsPath()) ||
					!strings.Contains(r.stderr, f.host) || !strings.Contains(r.stderr, "path") {
					t.Errorf("%v: the error does not name the code, file, host and key:\n%s", args, r)
				}
				if strings.Contains(r.stderr, tok) || r.stdout != "" {
					t.Errorf("%v: token or stdout on failure:\n%s", args, r)
				}
			}
			if n := hits.Load(); n != 0 {
				t.Fatalf("%d connection(s) reached %s", n, evil)
			}
			if after := f.state().Requests; after != before {
				t.Fatalf("the fake got %d request(s)", after-before)
			}
			// logout refused: the context and its token are still there.
			if r := e.run("auth", "whoami"); r.code != 0 {
				t.Fatalf("logout removed the context:\n%s", r)
			}
		})
	}
	// A clean prefix is still used for requests.
	e.writeHosts(good)
	setHostKey(t, e, f.host, "path", "/dify")
	// The fake serves no /dify prefix: the 404 names the URL asked for.
	r = e.run("auth", "devices", "list")
	if !strings.Contains(r.stderr, "request: GET "+f.url+"/dify/openapi/v1/account/sessions?") {
		t.Fatalf("a clean path prefix was not used:\n%s", r)
	}
}

type fakeLogEntry struct {
	Method  string `json:"method"`
	Path    string `json:"path"`
	Host    string `json:"host"`
	HasAuth bool   `json:"has_auth"`
}

func fakeRequests(t *testing.T, f *fakeServer) []fakeLogEntry {
	t.Helper()
	var out struct {
		Requests []fakeLogEntry `json:"requests"`
	}
	f.ctl("GET", "requests", nil, &out)
	return out.Requests
}

// TestHardeningHTTPContextIsConsent: a context recorded with `scheme: http`
// and no insecure_tls (as the official client writes it) is used, with a
// one-line warning on every network command, in every output mode; a
// sign-in never takes that consent: http always needs --insecure.
func TestHardeningHTTPContextIsConsent(t *testing.T) {
	f := fastFake(t)
	e := newCLIEnv(t)
	r, _ := e.login(f, "tester@dify.ai", "Tester", nil)
	wantExit(t, r, 0)
	hosts := e.readHosts()
	if !strings.Contains(hosts, "insecure_tls: true") {
		t.Fatalf("the test expects the login to record insecure_tls:\n%s", hosts)
	}
	e.writeHosts(strings.Replace(hosts, "    insecure_tls: true\n", "", 1))
	warning := "! traffic to " + f.host + " is not encrypted"
	r = e.run("auth", "devices", "list")
	wantExit(t, r, 0)
	if strings.Count(r.stderr, warning) != 1 || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("want exactly one warning line %q:\n%s", warning, r)
	}
	// Under --json too: the warning on stderr, stdout the JSON alone.
	for _, args := range [][]string{{"auth", "devices", "list", "--json"}, {"auth", "status", "--json"}} {
		r := e.run(args...)
		wantExit(t, r, 0)
		if strings.Count(r.stderr, warning) != 1 || strings.Count(r.stderr, "\n") != 1 || !json.Valid([]byte(r.stdout)) {
			t.Errorf("%v: want the JSON on stdout and one warning line on stderr:\n%s", args, r)
		}
	}
	// Local commands say nothing.
	if r := e.run("auth", "whoami"); r.stderr != "" {
		t.Errorf("whoami warned:\n%s", r)
	}
	// A new http host needs --insecure.
	r = e.run("auth", "login", "--host", "http://127.0.0.1:1", "--no-browser")
	wantExit(t, r, 2)
	r = e.run("auth", "logout")
	wantExit(t, r, 0)
	if strings.Count(r.stderr, warning) != 1 {
		t.Errorf("logout: want one warning:\n%s", r)
	}
}

// startIn starts difyctl in dir with env.
func startIn(t *testing.T, dir string, env []string, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(difyctlBin, args...)
	cmd.Dir = dir
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &out, &errb
}

// withEnv returns env with key set to value (or removed when value is "").
func withEnv(env []string, key, value string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, key+"=") {
			out = append(out, kv)
		}
	}
	if value != "" {
		out = append(out, key+"="+value)
	}
	return out
}

// TestHardeningToolsNotFromRelativePath: secret-tool is looked up with
// exec.LookPath's rules — a relative PATH entry, an empty one or "." never
// finds the copy in the working directory, which would get the token on
// stdin.
func TestHardeningToolsNotFromRelativePath(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("secret-tool is the Linux/BSD store")
	}
	f := fastFake(t)
	e := newCLIEnv(t)
	wd := t.TempDir()
	thief := "#!/bin/sh\ncat > \"$PWD/stolen-$$\"\nexit 1\n"
	for _, d := range []string{"bin", "."} {
		os.MkdirAll(filepath.Join(wd, d), 0o755)
		if err := os.WriteFile(filepath.Join(wd, d, "secret-tool"), []byte(thief), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	env := withEnv(e.environ(), "DIFY_TOKEN_STORAGE", "")
	env = withEnv(env, "PATH", "bin::.:"+os.Getenv("PATH"))
	env = withEnv(env, "DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(wd, "no-such-bus"))
	cmd, out, errb := startIn(t, wd, env, "auth", "login", "--host", f.url, "--insecure", "--no-browser")
	f.approve(f.waitPending(nil), "tester@dify.ai", "Tester", nil)
	r := waitResult(t, cmd, out, errb)
	wantExit(t, r, 0)
	matches, _ := filepath.Glob(filepath.Join(wd, "stolen-*"))
	if len(matches) != 0 {
		t.Fatalf("a secret-tool in the working directory ran: %v\n%s", matches, r)
	}
	// And with nothing but relative entries, there is no OS store at all.
	env = withEnv(env, "PATH", "bin:.")
	env = withEnv(env, "DIFY_TOKEN_STORAGE", "keychain")
	r2 := func() result {
		cmd, out, errb := startIn(t, wd, env, "auth", "login", "--host", f.url, "--insecure", "--no-browser")
		return waitResult(t, cmd, out, errb)
	}()
	wantExit(t, r2, 1)
	if !strings.Contains(r2.stderr, "secret-tool is not installed") {
		t.Errorf("want the store reported absent:\n%s", r2)
	}
	if matches, _ := filepath.Glob(filepath.Join(wd, "stolen-*")); len(matches) != 0 {
		t.Fatalf("a secret-tool in the working directory ran: %v", matches)
	}
}

// TestHardeningServerEchoedTokenIsRedacted: a server error message and
// hint that repeat the bearer never show it, in the human error or in
// either place of the JSON envelope (message and server).
func TestHardeningServerEchoedTokenIsRedacted(t *testing.T) {
	f := fastFake(t)
	e := newCLIEnv(t)
	r, id := e.login(f, "tester@dify.ai", "Tester", nil)
	wantExit(t, r, 0)
	tok := f.tokenByID(id).Token
	// The token with its dfoa_ prefix, and its body alone, which no
	// token-shaped pattern would recognise.
	body := tok[strings.IndexByte(tok, '_')+1:]
	msg := "invalid bearer " + tok + " (" + body + ")"
	f.scenario(map[string]any{"name": "error_body", "status": 400, "code": "bad_token", "message": msg, "hint": "hint " + body})
	for _, args := range [][]string{{"auth", "devices", "list"}, {"auth", "devices", "list", "--json"}} {
		r := e.run(args...)
		wantExit(t, r, 1)
		if !strings.Contains(r.stderr, "invalid bearer [redacted] ([redacted])") {
			t.Errorf("%v: the message is not shown redacted:\n%s", args, r)
		}
		if strings.Contains(r.stderr, body) {
			t.Errorf("%v: the token reached stderr:\n%s", args, r)
		}
		if len(args) == 4 {
			var env struct {
				Error struct {
					Message string          `json:"message"`
					Server  json.RawMessage `json:"server"`
				} `json:"error"`
			}
			if err := json.Unmarshal([]byte(withoutTransportWarning(r.stderr)), &env); err != nil || len(env.Error.Server) == 0 {
				t.Fatalf("no JSON envelope with server: %v\n%s", err, r)
			}
			var server map[string]any
			json.Unmarshal(env.Error.Server, &server)
			if fmt.Sprint(server["code"]) != "bad_token" || !strings.Contains(fmt.Sprint(server["message"]), "[redacted]") {
				t.Errorf("server body: %s", env.Error.Server)
			}
		}
	}
}

// TestHardeningChunkedHelperEcho: a store helper that repeats the token on
// stderr in pieces too small to match on their own never shows it.
func TestHardeningChunkedHelperEcho(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("secret-tool is the Linux/BSD store")
	}
	f := fastFake(t)
	e := newCLIEnv(t)
	bin := t.TempDir()
	// 7 bytes, a space, 7 bytes, … then fail.
	script := "#!/bin/sh\nv=$(cat)\nwhile [ -n \"$v\" ]; do r=${v#???????}; printf '%s ' \"${v%\"$r\"}\" >&2; [ \"$r\" = \"$v\" ] && break; v=$r; done\necho >&2\nexit 1\n"
	if err := os.WriteFile(filepath.Join(bin, "secret-tool"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	e.vars["DIFY_TOKEN_STORAGE"] = "keychain"
	e.vars["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=" + filepath.Join(bin, "no-such-bus")
	env := withEnv(e.environ(), "PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	cmd, out, errb := startIn(t, t.TempDir(), env, "auth", "login", "--host", f.url, "--insecure", "--no-browser")
	id := f.approve(f.waitPending(nil), "tester@dify.ai", "Tester", nil)
	r := waitResult(t, cmd, out, errb)
	wantExit(t, r, 1)
	tok := f.tokenByID(id).Token
	if !strings.Contains(r.stderr, "withheld") {
		t.Errorf("the helper's message was not withheld:\n%s", r)
	}
	for i := 5; i+6 <= len(tok); i++ {
		if strings.Contains(r.stderr, tok[i:i+6]) {
			t.Fatalf("a piece of the token (%q) reached stderr:\n%s", tok[i:i+6], r)
		}
	}
}

// TestHardeningLoginPreflight: a sign-in that could not be kept fails
// before a device code is requested, so nobody approves it in vain.
func TestHardeningLoginPreflight(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, e *cliEnv)
		exit  int
		want  string
	}{
		{"bad DIFY_TOKEN_STORAGE", func(t *testing.T, e *cliEnv) { e.vars["DIFY_TOKEN_STORAGE"] = "vault" }, 2, "DIFY_TOKEN_STORAGE must be sealed or keychain"},
		{"keychain forced without a store", func(t *testing.T, e *cliEnv) {
			e.vars["DIFY_TOKEN_STORAGE"] = "keychain"
			e.vars["DBUS_SESSION_BUS_ADDRESS"] = ""
		}, 1, "keyring_unavailable"},
		{"read-only config dir", func(t *testing.T, e *cliEnv) {
			e.writeHosts(fixture(t, "official.yml"))
			makeReadOnly(t, e.config)
		}, 1, "cannot write to the config directory"},
		{"data dir cannot be created", func(t *testing.T, e *cliEnv) {
			os.MkdirAll(e.home, 0o700)
			os.WriteFile(filepath.Join(e.home, "datafile"), nil, 0o600)
			e.data = filepath.Join(e.home, "datafile", "difyctl")
		}, 1, "cannot write to the data directory"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := startFake(t, "-auto-approve", "-interval", "0.2")
			e := newCLIEnv(t)
			c.setup(t, e)
			r := e.run("auth", "login", "--host", f.url, "--insecure", "--no-browser")
			wantExit(t, r, c.exit)
			if !strings.Contains(r.stderr, c.want) {
				t.Errorf("stderr lacks %q:\n%s", c.want, r)
			}
			if n := f.state().Requests; n != 0 {
				t.Errorf("the fake got %d request(s): a device code was asked for", n)
			}
		})
	}
}

// makeReadOnly makes dir refuse new files, for root too (chattr +i), and
// undoes it at cleanup.
func makeReadOnly(t *testing.T, dir string) {
	t.Helper()
	if os.Geteuid() != 0 {
		os.Chmod(dir, 0o500)
		t.Cleanup(func() { os.Chmod(dir, 0o700) })
		return
	}
	if out, err := exec.Command("chattr", "+i", dir).CombinedOutput(); err != nil {
		t.Fatalf("chattr +i (needed to make a dir read-only for root): %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("chattr", "-i", dir).Run() })
}

// TestHardeningHostParseErrorsHideUserinfo: a --host that does not parse
// never has its user name or password echoed.
func TestHardeningHostParseErrorsHideUserinfo(t *testing.T) {
	e := newCLIEnv(t)
	for _, h := range []string{
		"https://alice:s3cr3tpw@dify example.com",
		"https://alice:s3cr3tpw%zz@dify.example.com",
		"https://alice:s3cr3t/pw@dify.example.com",
		"alice:s3cr3tpw@dify.example.com:99999",
		"https://alice:s3cr3tpw@dify.example.com",
		"https://alice:s3cr3tpw@[::1",
	} {
		r := e.run("auth", "login", "--host", h, "--no-browser")
		wantExit(t, r, 2)
		for _, s := range []string{"s3cr3t", "alice"} {
			if strings.Contains(r.stderr, s) {
				t.Errorf("--host %q: %q echoed:\n%s", h, s, r)
			}
		}
	}
	// Without userinfo, the parse error still says what is wrong.
	r := e.run("auth", "login", "--host", "https://dify example.com", "--no-browser")
	wantExit(t, r, 2)
	if !strings.Contains(r.stderr, "invalid character") {
		t.Errorf("the parse error lost its reason:\n%s", r)
	}
}

// TestHardeningPollFloor: a server asking for a tiny interval gets at most
// one poll a second (and no slow_down).
func TestHardeningPollFloor(t *testing.T) {
	f := startFake(t)
	f.setInterval(0.0001)
	e := newCLIEnv(t)
	cmd, _, _ := e.start("auth", "login", "--host", f.url, "--insecure", "--no-browser")
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	f.waitPending(nil)
	time.Sleep(3 * time.Second)
	st := f.state()
	// At most one poll per second of the 3 s waited, however fast the
	// machine; the old client made about 47.
	if st.Polls > 3 || st.SlowDown != 0 {
		t.Errorf("%d polls (%d slow_down) in 3 s with interval 0.0001 s; want at most one a second", st.Polls, st.SlowDown)
	}
}

// TestHardeningZeroWidthShownEscaped: two emails that differ only by a
// zero-width or bidi character never look the same.
func TestHardeningZeroWidthShownEscaped(t *testing.T) {
	e := newCLIEnv(t)
	e.writeHosts(`current_host: dify.example.com
hosts:
  dify.example.com:
    current_account: "ali\u200bce@example.com"
    accounts:
      alice@example.com:
        account:
          id: a-1
          email: alice@example.com
          name: Alice
      "ali\u200bce@example.com":
        account:
          id: a-2
          email: "ali\u200bce@example.com"
          name: "\u202eecilA"
`)
	r := e.run("auth", "list")
	wantExit(t, r, 0)
	// Escapes are plain ASCII: the ACCOUNT column is as wide as the
	// longest escaped cell (37 columns).
	wide := `ali\u200bce@example.com (\u202eecilA)`
	want := fmt.Sprintf("%-16s  %-37s  %s\n%-16s  %s\n%-16s  %-37s  %s\n",
		"HOST", "ACCOUNT", "ACTIVE", "dify.example.com", "alice@example.com (Alice)", "dify.example.com", wide, "*")
	if r.stdout != want {
		t.Errorf("auth list:\n%s\nwant:\n%s", r.stdout, want)
	}
	r = e.run("auth", "whoami")
	if r.stdout != "ali\\u200bce@example.com (\\u202eecilA)\n" {
		t.Errorf("whoami: %q", r.stdout)
	}
	r = e.run("auth", "list", "-o", "name")
	if r.stdout != "alice@example.com\nali\\u200bce@example.com\n" {
		t.Errorf("list -o name: %q", r.stdout)
	}
}

// withoutTransportWarning drops the line that says a recorded http (or
// insecure_tls) context is not protected, which every network command on
// such a context prints first.
func withoutTransportWarning(stderr string) string {
	var out []string
	for _, l := range strings.SplitAfter(stderr, "\n") {
		if strings.HasPrefix(l, "! traffic to ") || strings.HasPrefix(l, "! TLS certificate verification is off for ") {
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "")
}

func TestRedactTokenLikeScan(t *testing.T) {
	cases := map[string]string{
		"":                                  "",
		"no token here":                     "no token here",
		"dfoa_abc":                          "[redacted]",
		"x dfoa_a-b.c~d+e/f=g_h y":          "x [redacted] y",
		"dfoa_ alone":                       "dfoa_ alone",
		"dfOA_abc dfo_abc df1a_abc":         "dfOA_abc dfo_abc df1a_abc",
		"ddfoe_x1dfoa_y2":                   "d[redacted]",
		"a dfoa_1,dfoe_2;df":                "a [redacted],[redacted];df",
		"\"dfoa_secret\" and dfxy_other!":   "\"[redacted]\" and [redacted]!",
		"dfdfoa_zz":                         "df[redacted]",
		"prefix-dfoa_tok/with=padding== ok": "prefix-[redacted] ok",
	}
	for in, want := range cases {
		if got := redactTokenLike(in); got != want {
			t.Errorf("redactTokenLike(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRedactJSONCatchesEscapedTokens: a server that writes a held token
// with \u escapes in its error body does not get it past the envelope.
func TestRedactJSONCatchesEscapedTokens(t *testing.T) {
	secret := "dfoa_" + strings.Repeat("Zq9", 12)
	holdSecret(secret)
	escaped := `\u0064\u0066oa_` + secret[5:]
	raw := []byte(`{"code":"x","message":"bad ` + escaped + `","status":400,"details":[{"loc":["a",1,true,null],"msg":"` + secret[5:] + `"}],"n":1.5e3}`)
	out, ok := redactJSON(raw)
	if !ok {
		t.Fatal("valid JSON refused")
	}
	want := `{"code":"x","message":"bad [redacted]","status":400,"details":[{"loc":["a",1,true,null],"msg":"[redacted]"}],"n":1.5e3}`
	if string(out) != want {
		t.Fatalf("redactJSON:\n got %s\nwant %s", out, want)
	}
	var buf bytes.Buffer
	writeJSONError(&buf, &cliError{Code: "server_4xx_other", Message: "m " + secret, Server: raw})
	if strings.Contains(buf.String(), secret[5:]) || strings.Contains(buf.String(), escaped) {
		t.Fatalf("envelope shows the token: %s", buf.String())
	}
	writeHumanError(&buf, &cliError{Code: "server_4xx_other", Message: "m " + secret, Server: raw}, colors{})
	if strings.Contains(buf.String(), secret[5:]) {
		t.Fatalf("human error shows the token: %s", buf.String())
	}
}

// Signing in again over http (allowed with --insecure for that sign-in)
// ends the replaced https sign-in's session over https, as recorded: its
// bearer never travels in clear text. The fake answers http and https on
// one port, so the host key is the same.
func TestReloginOverHTTPRevokesTheOldTokenOverHTTPS(t *testing.T) {
	f := fastFake(t, "-tls")
	e := newCLIEnv(t)
	r, _ := loginAt(t, e, f, "tester@dify.ai", "--host", f.url, "--insecure")
	wantExit(t, r, 0)
	r, _ = loginAt(t, e, f, "tester@dify.ai", "--host", strings.Replace(f.url, "https://", "http://", 1), "--insecure")
	wantExit(t, r, 0)
	var log struct {
		Requests []struct {
			Method, Path, Scheme string
			HasAuth              bool `json:"has_auth"`
		} `json:"requests"`
	}
	f.ctl("GET", "requests", nil, &log)
	deletes := 0
	for _, q := range log.Requests {
		if q.Method == "DELETE" {
			deletes++
			if q.Scheme != "https" || !q.HasAuth {
				t.Errorf("the replaced token was sent as %s %s over %s", q.Method, q.Path, q.Scheme)
			}
		}
	}
	if deletes != 1 {
		t.Errorf("%d revokes of the replaced sign-in, want 1: %+v", deletes, log.Requests)
	}
}
