//go:build linux

package main

// api_hostile_test.go: difyctl against a server and a hosts.yml that try to
// break it. Every case must end in a clear error code and exit status (or
// work), within a bounded time and memory, and lose nothing: a failing
// command leaves every file as it was.
//
// Times asserted here are hang guards, not performance targets. Memory is
// the child's peak resident set, sampled from /proc (Linux only).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	hangGuard = 20 * time.Second
	memBound  = 100 << 20 // bytes of peak RSS
)

// terminalHostile are bytes that must never reach a terminal raw.
var terminalHostile = []string{"\x1b", "\a", "\u202e", "\u2066", "\u200b", "\u009b", "\x00"}

// evilText mixes a screen clear, an OSC title change, an OSC 8 hyperlink,
// a bidi override, a zero-width space, a C1 CSI and a BEL into a message.
const evilText = "bad\x1b[2J\x1b]0;pwned\x07thing\x1b]8;;https://evil.example\x07here\x1b]8;;\x07\u202egnp.exe\u200b\u009b31m!\a"

// measuredRun is one finished difyctl process.
type measuredRun struct {
	result
	maxRSS int64 // bytes: the highest VmHWM seen while it ran
}

// bgRun is a difyctl started in the background and measured.
type bgRun struct {
	t     *testing.T
	cmd   *exec.Cmd
	out   *bytes.Buffer
	errb  *bytes.Buffer
	start time.Time
	hwm   chan int64
	stop  chan struct{}
}

func startMeasured(t *testing.T, e *cliEnv, args ...string) *bgRun {
	t.Helper()
	cmd, out, errb := e.start(args...)
	b := &bgRun{t: t, cmd: cmd, out: out, errb: errb, start: time.Now(), hwm: make(chan int64, 1), stop: make(chan struct{})}
	go sampleHWM(cmd.Process.Pid, b.stop, b.hwm)
	return b
}

var vmHWMRe = regexp.MustCompile(`(?m)^VmHWM:\s+(\d+) kB$`)

// sampleHWM polls the peak resident set (VmHWM) of the difyctl process
// every 2 ms until stop. rusage's Maxrss cannot be used: on Linux a child
// inherits the peak of the test binary it was forked from. Samples taken
// before the exec completed (the process is still the test binary) are
// skipped. VmHWM is a high-water mark, so only a peak in the last 2 ms of
// a run could be missed.
func sampleHWM(pid int, stop <-chan struct{}, out chan<- int64) {
	var peak int64
	status := fmt.Sprintf("/proc/%d/status", pid)
	// The Name line tells the exec'd difyctl from the test binary's fork.
	// It is read from status, not from /proc/<pid>/exe: difyctl marks
	// itself not dumpable, which hides exe from a non-root test run.
	name := []byte("Name:\t" + filepath.Base(difyctlBin) + "\n")
	for {
		if b, err := os.ReadFile(status); err == nil && bytes.HasPrefix(b, name) {
			if m := vmHWMRe.FindSubmatch(b); m != nil {
				if kb, _ := strconv.ParseInt(string(m[1]), 10, 64); kb<<10 > peak {
					peak = kb << 10
				}
			}
		}
		select {
		case <-stop:
			out <- peak
			return
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// wait collects the process, failing the test if it outlives the hang
// guard.
func (b *bgRun) wait() measuredRun {
	b.t.Helper()
	done := make(chan error, 1)
	go func() { done <- b.cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(hangGuard):
		b.cmd.Process.Kill()
		<-done
		close(b.stop)
		b.t.Fatalf("difyctl %s still running after %v (hang)\nstderr: %s", strings.Join(b.cmd.Args[1:], " "), hangGuard, b.errb.String())
	}
	close(b.stop)
	m := measuredRun{result: result{stdout: b.out.String(), stderr: b.errb.String(), elapsed: time.Since(b.start)}, maxRSS: <-b.hwm}
	noteText(b.t.Name()+": output of difyctl "+strings.Join(b.cmd.Args[1:], " "), m.stdout+m.stderr)
	if ee, ok := err.(*exec.ExitError); ok {
		m.code = ee.ExitCode()
	} else if err != nil {
		b.t.Fatal(err)
	}
	return m
}

func runMeasured(t *testing.T, e *cliEnv, args ...string) measuredRun {
	t.Helper()
	return startMeasured(t, e, args...).wait()
}

// interrupt sends SIGINT and returns how long the process took to exit.
func (b *bgRun) interrupt() (measuredRun, time.Duration) {
	b.t.Helper()
	sent := time.Now()
	b.cmd.Process.Signal(syscall.SIGINT)
	m := b.wait()
	return m, time.Since(sent)
}

// noRawControls fails when hostile bytes reach stdout or stderr.
func noRawControls(t *testing.T, r result) {
	t.Helper()
	for _, bad := range terminalHostile {
		if strings.Contains(r.stdout, bad) || strings.Contains(r.stderr, bad) {
			t.Errorf("%q reached the terminal:\n%q\n%q", bad, r.stdout, r.stderr)
		}
	}
}

// serverCase is one hostile server behaviour.
type serverCase struct {
	name     string
	scenario map[string]any
	tls      bool
	exit     int
	stderr   []string // substrings of stderr, in the human format
	redirect bool     // the fake redirects: nothing may follow it
	works    bool     // the command must succeed despite the oddity
	approve  map[string]any
	// stdout, for a case that works, is its whole stdout at login (HOST
	// stands for the host) or a part of it for devices list.
	stdout string
	// seedLabel adds a session with this label before the command.
	seedLabel string
}

func TestHostileServerAtLogin(t *testing.T) {
	override := func(interval, expires any) map[string]any {
		sc := map[string]any{"name": "device_code_override"}
		if interval != nil {
			sc["interval"] = json.RawMessage(fmt.Sprint(interval))
		}
		if expires != nil {
			sc["expires_in"] = json.RawMessage(fmt.Sprint(expires))
		}
		return sc
	}
	cases := []serverCase{
		{name: "escapes and bidi in account and workspace names", works: true,
			approve: map[string]any{"name": evilText, "workspace_name": "WS " + evilText},
			stdout:  "✓ Logged in to HOST as hostile@dify.ai (badthinghere\\u202egnp.exe\\u200b!)\n  Workspace: WS badthinghere\\u202egnp.exe\\u200b!\n"},
		{name: "escapes and bidi in an error message", exit: 1,
			scenario: map[string]any{"name": "error_body", "status": 400, "code": "bad\x1b[31mcode", "message": evilText, "hint": "hint " + evilText},
			stderr:   []string{"server_4xx_other: badthinghere", "http_status: 400"}},
		{name: "escapes in a 5xx message", exit: 1,
			scenario: map[string]any{"name": "error_body", "status": 503, "code": "unknown", "message": evilText},
			stderr:   []string{"server_5xx: badthinghere", "http_status: 503"}},
		{name: "50 MiB body", exit: 1, scenario: map[string]any{"name": "huge_body"},
			stderr: []string{"server_bad_response: the server's response is larger than 1 MiB"}},
		{name: "50 MiB chunked body", exit: 1, scenario: map[string]any{"name": "huge_body", "chunked": true},
			stderr: []string{"server_bad_response: the server's response is larger than 1 MiB"}},
		{name: "never-ending body", exit: 1, scenario: map[string]any{"name": "endless_body"},
			stderr: []string{"server_bad_response: the server's response is larger than 1 MiB"}},
		{name: "invalid JSON", exit: 1, scenario: map[string]any{"name": "invalid_json"},
			stderr: []string{"server_bad_response: the server's response is not the JSON difyctl expects"}},
		{name: "HTML error page", exit: 1, scenario: map[string]any{"name": "html_502"},
			stderr: []string{"server_5xx: the server answered with an HTML page: 502 Bad Gateway\n"}},
		{name: "JSON labelled text/plain", works: true, scenario: map[string]any{"name": "wrong_content_type"}},
		{name: "redirect to http", tls: true, exit: 1, redirect: true, scenario: map[string]any{"name": "redirect_http"},
			stderr: []string{"server_4xx_other: "}},
		{name: "redirect to another host", exit: 1, redirect: true, scenario: map[string]any{"name": "redirect_other_host"},
			stderr: []string{"server_4xx_other: "}},
		{name: "javascript: verification_uri", exit: 1, scenario: map[string]any{"name": "verification_uri", "verification_uri": "javascript:alert(document.cookie)"},
			stderr: []string{`invalid_verification_uri: server returned verification_uri with unsupported scheme "javascript"`}},
		{name: "file: verification_uri", exit: 1, scenario: map[string]any{"name": "verification_uri", "verification_uri": "file:///etc/passwd"},
			stderr: []string{`invalid_verification_uri: server returned verification_uri with unsupported scheme "file"`}},
		{name: "ftp: verification_uri", exit: 1, scenario: map[string]any{"name": "verification_uri", "verification_uri": "ftp://elsewhere.example/device"},
			stderr: []string{`invalid_verification_uri: server returned verification_uri with unsupported scheme "ftp"`}},
		{name: "data: verification_uri", exit: 1, scenario: map[string]any{"name": "verification_uri", "verification_uri": "data:text/html,<script>alert(1)</script>"},
			stderr: []string{`invalid_verification_uri: server returned verification_uri with unsupported scheme "data"`}},
		{name: "verification_uri with escapes", exit: 1, scenario: map[string]any{"name": "verification_uri", "verification_uri": "https://evil.example/\x1b]0;pwned\x07\u202edevice"},
			stderr: []string{"invalid_verification_uri: "}},
		{name: "verification_uri without host", exit: 1, scenario: map[string]any{"name": "verification_uri", "verification_uri": "https:///device"},
			stderr: []string{"invalid_verification_uri: "}},
		{name: "huge interval", exit: 1, scenario: override("1e9", nil),
			stderr: []string{"server_bad_response: the server asks for 1e+09 s between polls, but its one-time code expires in 900 s"}},
		{name: "overflowing interval", exit: 1, scenario: override("1e300", nil),
			stderr: []string{"server_bad_response: the server asks for 1e+300 s between polls"}},
		{name: "interval as a string", exit: 1, scenario: override(`"5"`, nil),
			stderr: []string{"server_bad_response: "}},
		{name: "fractional interval", works: true, scenario: override("0.3", nil)},
		{name: "negative expires_in", works: true, scenario: override(nil, "-1")},
		{name: "zero expires_in", works: true, scenario: override(nil, "0")},
		{name: "huge expires_in", works: true, scenario: override(nil, "1e9")},
		{name: "overflowing expires_in", works: true, scenario: override(nil, "1e300")},
		{name: "expires_in shorter than a poll", exit: 1, scenario: override(nil, "0.05"),
			stderr: []string{"server_bad_response: the server asks for 0.2 s between polls, and difyctl polls at most once every 1 s, but its one-time code expires in 0.05 s"}},
		{name: "default interval longer than expires_in", exit: 1, scenario: override("0", "3"),
			stderr: []string{"server_bad_response: the server sets no poll interval, so difyctl polls every 5 s (the RFC 8628 default), but its one-time code expires in 3 s"}},
		{name: "10 000-byte token", exit: 1, approve: map[string]any{"token_bytes": 10000},
			stderr: []string{"server_bad_response: the server sent a 10000-byte token"}},
		{name: "slow headers shorter than the timeout", works: true,
			scenario: map[string]any{"name": "slow_headers", "seconds": 1.5, "count": 1, "path": "/oauth/device/code"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := []string{"-interval", "0.2"}
			if c.tls {
				args = append(args, "-tls")
			}
			f := startFake(t, args...)
			e := newCLIEnv(t)
			e.writeHosts(fixture(t, "official.yml"))
			before := filesUnder(t, e.config)
			if c.scenario != nil {
				f.scenario(c.scenario)
			}
			b := startMeasured(t, e, "auth", "login", "--host", f.url, "--insecure", "--no-browser")
			if c.works || c.approve != nil {
				code := f.waitPending(nil)
				f.approve(code, "hostile@dify.ai", "Hostile", c.approve)
			}
			r := b.wait()
			t.Logf("exit %d in %v, peak RSS %.1f MiB", r.code, r.elapsed.Round(time.Millisecond), float64(r.maxRSS)/(1<<20))
			noRawControls(t, r.result)
			if r.maxRSS > memBound {
				t.Errorf("peak RSS %d MiB", r.maxRSS>>20)
			}
			if c.works {
				wantExit(t, r.result, 0)
				want := "✓ Logged in to HOST as hostile@dify.ai (Hostile)\n  Workspace: Default\n"
				if c.stdout != "" {
					want = c.stdout
				}
				if want = strings.Replace(want, "HOST", f.host, 1); r.stdout != want {
					t.Fatalf("stdout %q, want %q", r.stdout, want)
				}
				wantExit(t, e.run("auth", "devices", "list"), 0)
				// The sign-ins already there are kept.
				if r := e.run("auth", "list", "-o", "name"); r.stdout != "tester@dify.ai\nsso@dify.ai\nhostile@dify.ai\n" {
					t.Fatalf("contexts after the login: %q", r.stdout)
				}
				return
			}
			wantExit(t, r.result, c.exit)
			for _, s := range c.stderr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, r)
				}
			}
			if r.stdout != "" {
				t.Errorf("stdout on failure: %q", r.stdout)
			}
			if strings.Contains(r.stderr, "<") {
				t.Errorf("markup reached stderr:\n%s", r)
			}
			if !sameFiles(before, filesUnder(t, e.config)) {
				t.Errorf("a failed login changed files:\n%s", e.readHosts())
			}
			// A session the server minted but difyctl refused to keep is
			// ended, not left live at the server.
			for _, tk := range f.tokens() {
				if tk.Email == "hostile@dify.ai" && tk.Live {
					t.Errorf("the refused sign-in's session %s is still live at the server", tk.TokenID)
				}
			}
			if c.redirect {
				var st struct {
					AuthOnTarget bool `json:"auth_on_redirect_target"`
					Targets      int  `json:"redirect_target_requests"`
				}
				f.ctl("GET", "state", nil, &st)
				if st.AuthOnTarget || st.Targets != 0 {
					t.Errorf("the client followed the redirect: %+v", st)
				}
			}
		})
	}
}

// TestHostileNonPositiveInterval: an interval of zero or less means the
// RFC default of 5 s, never a busy loop against the server.
func TestHostileNonPositiveInterval(t *testing.T) {
	for _, v := range []string{"0", "-1", "-0.5"} {
		t.Run(v, func(t *testing.T) {
			f := startFake(t, "-interval", "0.2")
			f.scenario(map[string]any{"name": "device_code_override", "interval": json.RawMessage(v)})
			e := newCLIEnv(t)
			b := startMeasured(t, e, "auth", "login", "--host", f.url, "--insecure", "--no-browser")
			f.waitPending(nil)
			time.Sleep(time.Second)
			if polls := f.state().Polls; polls != 0 {
				t.Errorf("interval %s: %d polls within 1 s; want the 5 s default", v, polls)
			}
			r, took := b.interrupt()
			wantExit(t, r.result, 130)
			if took > 2*time.Second {
				t.Errorf("exit took %v after SIGINT", took)
			}
		})
	}
}

// TestHostileSlowHeadersInterrupt: while the server sits on its headers,
// Ctrl-C ends the command at once with 130 and nothing written.
func TestHostileSlowHeadersInterrupt(t *testing.T) {
	for _, cmd := range []string{"login", "devices"} {
		t.Run(cmd, func(t *testing.T) {
			var f *fakeServer
			var e *cliEnv
			args := []string{"auth", "devices", "list"}
			if cmd == "login" {
				f, e = fastFake(t), newCLIEnv(t)
				e.writeHosts(fixture(t, "official.yml"))
				args = []string{"auth", "login", "--host", f.url, "--insecure", "--no-browser"}
			} else {
				f, e, _ = signedIn(t)
			}
			before := filesUnder(t, e.config)
			f.scenario(map[string]any{"name": "slow_headers", "seconds": 120})
			requests := f.state().Requests
			b := startMeasured(t, e, args...)
			deadline := time.Now().Add(10 * time.Second)
			for f.state().Requests == requests {
				if time.Now().After(deadline) {
					t.Fatal("the request never reached the server")
				}
				time.Sleep(10 * time.Millisecond)
			}
			time.Sleep(200 * time.Millisecond)
			r, took := b.interrupt()
			t.Logf("exit %d %v after SIGINT", r.code, took)
			wantExit(t, r.result, 130)
			if took > 2*time.Second {
				t.Errorf("exit took %v after SIGINT", took)
			}
			if r.stdout != "" {
				t.Errorf("stdout: %q", r.stdout)
			}
			if !sameFiles(before, filesUnder(t, e.config)) {
				t.Error("an interrupted command changed files")
			}
		})
	}
}

func TestHostileServerAtDevicesList(t *testing.T) {
	cases := []serverCase{
		{name: "escapes and bidi in a device label", works: true, seedLabel: evilText, stdout: `badthinghere\u202egnp.exe\u200b!`},
		{name: "escapes and bidi in an error message", exit: 1,
			scenario: map[string]any{"name": "error_body", "status": 400, "code": "bad\x1b[31mcode", "message": evilText, "hint": "hint " + evilText},
			stderr:   []string{"server_4xx_other: badthinghere", "hint: hint badthinghere", "http_status: 400"}},
		{name: "escapes in a 5xx message", exit: 1,
			scenario: map[string]any{"name": "error_body", "status": 503, "code": "unknown", "message": evilText},
			stderr:   []string{"server_5xx: badthinghere", "http_status: 503"}},
		{name: "escapes in an auth error", exit: 4,
			scenario: map[string]any{"name": "error_body", "status": 401, "code": "unauthorized", "message": evilText},
			stderr:   []string{"auth_expired: badthinghere", "hint: run 'difyctl auth login --host "}},
		{name: "50 MiB body", exit: 1, scenario: map[string]any{"name": "huge_body"},
			stderr: []string{"server_bad_response: the server's response is larger than 1 MiB"}},
		{name: "50 MiB chunked body", exit: 1, scenario: map[string]any{"name": "huge_body", "chunked": true},
			stderr: []string{"server_bad_response: the server's response is larger than 1 MiB"}},
		{name: "never-ending body", exit: 1, scenario: map[string]any{"name": "endless_body"},
			stderr: []string{"server_bad_response: the server's response is larger than 1 MiB"}},
		{name: "invalid JSON", exit: 1, scenario: map[string]any{"name": "invalid_json"},
			stderr: []string{"server_bad_response: ", "/openapi/v1/account/sessions?limit=20&page=1\n"}},
		{name: "HTML error page", exit: 1, scenario: map[string]any{"name": "html_502"},
			stderr: []string{"server_5xx: the server answered with an HTML page: 502 Bad Gateway\n"}},
		{name: "JSON labelled text/plain", works: true, scenario: map[string]any{"name": "wrong_content_type"}},
		{name: "redirect to http", tls: true, exit: 1, redirect: true, scenario: map[string]any{"name": "redirect_http"},
			stderr: []string{"server_4xx_other: "}},
		{name: "redirect to another host", exit: 1, redirect: true, scenario: map[string]any{"name": "redirect_other_host"},
			stderr: []string{"server_4xx_other: "}},
		{name: "slow headers shorter than the timeout", works: true,
			scenario: map[string]any{"name": "slow_headers", "seconds": 1.5, "count": 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var args []string
			if c.tls {
				args = append(args, "-tls")
			}
			f, e, _ := signedIn(t, args...)
			// One retry keeps the 5xx cases short; retries are tested
			// elsewhere.
			e.vars["DIFYCTL_HTTP_RETRY"] = "1"
			if c.seedLabel != "" {
				f.seed("tester@dify.ai", 0, c.seedLabel)
			}
			before := filesUnder(t, e.config)
			if c.scenario != nil {
				f.scenario(c.scenario)
			}
			for _, asJSON := range []bool{false, true} {
				args := []string{"auth", "devices", "list"}
				if asJSON {
					args = append(args, "--json")
				}
				r := runMeasured(t, e, args...)
				t.Logf("%v: exit %d in %v, peak RSS %.1f MiB", args, r.code, r.elapsed.Round(time.Millisecond), float64(r.maxRSS)/(1<<20))
				noRawControls(t, r.result)
				if r.maxRSS > memBound {
					t.Errorf("peak RSS %d MiB", r.maxRSS>>20)
				}
				if c.works {
					wantExit(t, r.result, 0)
					if !asJSON && strings.Count(r.stdout, "*") != 1 {
						t.Errorf("the current session is not marked:\n%s", r.stdout)
					}
					if !asJSON && !strings.Contains(r.stdout, c.stdout) {
						t.Errorf("stdout lacks %q:\n%s", c.stdout, r.stdout)
					}
					if c.scenario != nil {
						f.scenario(c.scenario) // count-limited scenarios apply again
					}
					continue
				}
				wantExit(t, r.result, c.exit)
				if r.stdout != "" {
					t.Errorf("stdout on failure: %q", r.stdout)
				}
				if asJSON {
					var env struct {
						Error struct {
							Code    string `json:"code"`
							Message string `json:"message"`
						} `json:"error"`
					}
					if !strings.HasPrefix(r.stderr, "! traffic to ") && !strings.HasPrefix(r.stderr, "! TLS certificate verification is off for ") {
						t.Errorf("--json to an http or insecure_tls host gives no transport warning: %q", r.stderr)
					}
					errLine := withoutTransportWarning(r.stderr)
					if strings.Count(errLine, "\n") != 1 || json.Unmarshal([]byte(errLine), &env) != nil || env.Error.Code == "" {
						t.Errorf("--json error is not one JSON line after the warning: %q", r.stderr)
					}
					want := strings.SplitN(c.stderr[0], ":", 2)[0]
					if env.Error.Code != want {
						t.Errorf("--json error code %q, want %q", env.Error.Code, want)
					}
				} else {
					for _, s := range c.stderr {
						if !strings.Contains(r.stderr, s) {
							t.Errorf("stderr lacks %q:\n%s", s, r)
						}
					}
					if strings.Contains(r.stderr, "<") {
						t.Errorf("markup reached stderr:\n%s", r)
					}
				}
			}
			if !c.works && !sameFiles(before, filesUnder(t, e.config)) {
				t.Errorf("a failed devices list changed files:\n%s", e.readHosts())
			}
			if c.redirect {
				var st struct {
					AuthOnTarget bool `json:"auth_on_redirect_target"`
					Targets      int  `json:"redirect_target_requests"`
				}
				f.ctl("GET", "state", nil, &st)
				if st.AuthOnTarget {
					t.Error("the bearer token followed the redirect")
				}
				if st.Targets != 0 {
					t.Errorf("the client followed %d redirects", st.Targets)
				}
			}
		})
	}
}

// deepBlockMap nests depth block mappings, one more space of indent each.
func deepBlockMap(depth int) string {
	var b strings.Builder
	for i := 0; i < depth; i++ {
		fmt.Fprintf(&b, "%sk%d:\n", strings.Repeat(" ", i), i)
	}
	fmt.Fprintf(&b, "%sleaf: 1\n", strings.Repeat(" ", depth))
	return b.String()
}

// hostsCase is one hostile hosts.yml.
type hostsCase struct {
	name    string
	content string
	// contexts is the number of contexts when the file must work; -1
	// means it must be refused as config_invalid, -2 that either is fine.
	contexts int
	line     int // the line config_invalid must name (0: any)
	// sameAs, when set, is a plain file every command must read the same.
	sameAs string
}

var configInvalidRe = regexp.MustCompile(`^config_invalid: cannot parse (.+): line (\d+), column (\d+): .+\nhint: fix or move (.+) to reset\n$`)

func TestHostileHostsFiles(t *testing.T) {
	official := fixture(t, "official.yml")
	var many strings.Builder
	many.WriteString("current_host: h0.example\nhosts:\n")
	n := 0
	for many.Len() < 5<<20 {
		fmt.Fprintf(&many, "  h%d.example:\n    current_account: u%d@x.io\n    accounts:\n      u%d@x.io:\n        account:\n          id: acct-%d\n          email: u%d@x.io\n          name: User Number %d\n        token_id: tok-%d\n", n, n, n, n, n, n, n)
		n++
	}
	cases := []hostsCase{
		{"anchor", "current_host: &h cloud.dify.ai\nhosts: {}\n", -1, 1, ""},
		{"alias", "x: &a 1\ncurrent_host: *a\n", -1, 1, ""},
		{"alias only", "current_host: *nowhere\n", -1, 1, ""},
		{"tag", "current_host: !!str cloud.dify.ai\n", -1, 1, ""},
		{"custom tag", "hosts: !evil {}\n", -1, 1, ""},
		{"tab indent", "hosts:\n\tcloud.dify.ai:\n\t\tcurrent_account: x\n", -1, 2, ""},
		{"multiple documents", official + "---\ncurrent_host: other\n", -1, 0, ""},
		{"NUL byte", "current_host: cloud\x00.dify.ai\n", -1, 1, ""},
		{"NUL bytes only", "\x00\x00\x00\x00", -1, 1, ""},
		{"invalid UTF-8", "current_host: \xff\xfe\xfd\n" + official[strings.Index(official, "hosts:"):], -2, 1, ""},
		{"1 MiB line", strings.Replace(official, "name: Test Tester", "name: "+strings.Repeat("x", 1<<20), 1), 2, 0, ""},
		{"1 MiB comment", "# " + strings.Repeat("#", 1<<20) + "\n" + official, 2, 0, official},
		// Flow collections other than {} and [] are outside the subset.
		{"10 000-deep flow sequences", "x: " + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + "\n", -1, 1, ""},
		{"10 000-deep flow mappings", "x: " + strings.Repeat("{a: ", 10000) + "1" + strings.Repeat("}", 10000) + "\n", -1, 1, ""},
		{"flow mapping for an account", "current_host: h\nhosts:\n  h:\n    current_account: u\n    accounts:\n      u:\n        account: {id: a}\n", -1, 7, ""},
		{"10 000-deep block sequences", "x:\n" + strings.Repeat("- ", 10000) + "a\n", -2, 0, ""},
		{"200-deep block mappings", deepBlockMap(200), -2, 0, ""},
		{"unclosed flow", "hosts: " + strings.Repeat("[", 10000) + "\n", -1, 0, ""},
		{"5 MiB of hosts", many.String(), n, 0, ""},
		{"empty", "", 0, 0, ""},
		{"only comments", "# nothing here\n   # still nothing\n#\n", 0, 0, ""},
		{"BOM and CRLF", "\ufeff" + strings.ReplaceAll(official, "\n", "\r\n"), 2, 0, official},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newCLIEnv(t)
			e.writeHosts(c.content)
			var plain *cliEnv
			if c.sameAs != "" {
				plain = newCLIEnv(t)
				plain.writeHosts(c.sameAs)
			}
			var results []measuredRun
			for _, args := range [][]string{
				{"auth", "list"}, {"auth", "list", "-o", "json"}, {"auth", "whoami"}, {"use", "host", "--domain", "x"},
			} {
				r := runMeasured(t, e, args...)
				if r.maxRSS > 2*memBound {
					t.Errorf("%v: peak RSS %d MiB", args, r.maxRSS>>20)
				}
				if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") {
					t.Fatalf("%v crashed:\n%.2000s", args, r.stderr)
				}
				results = append(results, r)
				if plain != nil {
					if p := plain.run(args...); p.code != r.code || p.stdout != r.stdout {
						t.Errorf("%v reads differently from the plain file:\n%s\nplain:\n%s", args, r, p)
					}
				}
			}
			t.Logf("auth list: exit %d in %v, peak RSS %.1f MiB", results[0].code, results[0].elapsed.Round(time.Millisecond), float64(results[0].maxRSS)/(1<<20))
			if got := e.readHosts(); got != c.content {
				t.Fatal("hosts.yml was changed")
			}
			invalid := results[0].code == 1
			if c.contexts == -1 && !invalid || c.contexts >= 0 && invalid {
				t.Fatalf("auth list: want contexts=%d, got\n%.2000s", c.contexts, results[0].stderr)
			}
			if invalid {
				// Every command refuses the file the same way, naming it,
				// the line and the column.
				for i, r := range results {
					if i == 1 {
						// -o json: the same error as one JSON line.
						var env struct {
							Error struct{ Code, Message, Hint string } `json:"error"`
						}
						human := fmt.Sprintf("%s: %s\nhint: %s\n", env.Error.Code, env.Error.Message, env.Error.Hint)
						if err := json.Unmarshal([]byte(r.stderr), &env); err == nil {
							human = fmt.Sprintf("%s: %s\nhint: %s\n", env.Error.Code, env.Error.Message, env.Error.Hint)
						}
						if r.code != 1 || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 || human != results[0].stderr {
							t.Errorf("-o json: want the config_invalid error as one JSON line:\n%.2000s", r.stderr)
						}
						continue
					}
					m := configInvalidRe.FindStringSubmatch(r.stderr)
					if r.code != 1 || r.stdout != "" || m == nil || m[1] != e.hostsPath() || m[4] != e.hostsPath() {
						t.Fatalf("command %d: want config_invalid naming the file, line and column:\n%.2000s", i, r.stderr)
					}
					if c.line != 0 && m[2] != fmt.Sprint(c.line) {
						t.Errorf("command %d: line %s, want %d: %s", i, m[2], c.line, r.stderr)
					}
					if r.stderr != results[0].stderr {
						t.Errorf("commands disagree:\n%s\n%s", r.stderr, results[0].stderr)
					}
					noRawControls(t, r.result)
				}
				return
			}
			wantExit(t, results[0].result, 0)
			var list struct {
				Contexts []json.RawMessage `json:"contexts"`
			}
			if err := json.Unmarshal([]byte(results[1].stdout), &list); err != nil {
				t.Fatalf("auth list -o json: %v", err)
			}
			if c.contexts >= 0 && len(list.Contexts) != c.contexts {
				t.Fatalf("want %d contexts, got %d", c.contexts, len(list.Contexts))
			}
			noRawControls(t, results[0].result)
			whoami, use := results[2], results[3]
			switch {
			case len(list.Contexts) == 0:
				wantExit(t, whoami.result, 4)
				wantExit(t, use.result, 4)
			default:
				if whoami.code != 0 && whoami.code != 4 {
					t.Errorf("whoami:\n%s", whoami)
				}
				wantExit(t, use.result, 2)
			}
		})
	}
}
