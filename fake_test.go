package main

// fake_test.go: starts the bundled fake Dify server (testdata/fakedify) as a
// real process and drives its control API.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	fakeOnce sync.Once
	fakeBin  string
	fakeErr  error
)

// fakeServer is one running fakedify.
type fakeServer struct {
	t    testing.TB
	url  string // http://127.0.0.1:PORT
	host string // 127.0.0.1:PORT
	cmd  *exec.Cmd
}

// startFake builds fakedify once per test binary and starts it with args.
// Every test gets its own server; it is killed at cleanup.
func startFake(t testing.TB, args ...string) *fakeServer {
	t.Helper()
	fakeOnce.Do(func() {
		fakeBin = filepath.Join(binDir, "fakedify")
		out, err := exec.Command("go", "build", "-o", fakeBin, "./testdata/fakedify").CombinedOutput()
		if err != nil {
			fakeErr = fmt.Errorf("building fakedify: %v\n%s", err, out)
		}
	})
	if fakeErr != nil {
		t.Fatal(fakeErr)
	}
	cmd := exec.Command(fakeBin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "listening on ") {
		t.Fatalf("fakedify did not start: %q %v", line, err)
	}
	u := strings.TrimSpace(strings.TrimPrefix(line, "listening on "))
	f := &fakeServer{t: t, url: u, cmd: cmd}
	f.host = u[strings.Index(u, "://")+3:]
	return f
}

// ctl calls a control endpoint and decodes the JSON reply into out.
func (f *fakeServer) ctl(method, path string, body, out any) int {
	f.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, f.url+"/_fake/"+path, rd)
	req.Header.Set("Content-Type", "application/json")
	resp, err := insecureHTTP.Do(req)
	if err != nil {
		f.t.Fatalf("fake %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			f.t.Fatalf("fake %s %s: %v: %s", method, path, err, data)
		}
	}
	return resp.StatusCode
}

var insecureHTTP = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: insecureTLS()}}

// scenario switches the fake's behaviour.
func (f *fakeServer) scenario(s map[string]any) {
	f.t.Helper()
	if code := f.ctl("POST", "scenario", s, nil); code != 200 {
		f.t.Fatalf("scenario %v: HTTP %d", s, code)
	}
}

func (f *fakeServer) setInterval(seconds float64) {
	f.t.Helper()
	f.ctl("POST", "interval", map[string]any{"seconds": seconds}, nil)
}

// waitPending waits for a device code the CLI asked for and returns it.
func (f *fakeServer) waitPending(skip map[string]bool) string {
	f.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var p struct {
			UserCodes []string `json:"user_codes"`
		}
		f.ctl("GET", "pending", nil, &p)
		for _, c := range p.UserCodes {
			if !skip[c] {
				return c
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	f.t.Fatal("no pending device code appeared")
	return ""
}

// approve approves a code as the given account; extra fields (sso, issuer,
// workspace_name, account_name_override) pass through.
func (f *fakeServer) approve(code, email, name string, extra map[string]any) string {
	f.t.Helper()
	body := map[string]any{"user_code": code, "email": email, "name": name}
	for k, v := range extra {
		body[k] = v
	}
	var out struct {
		TokenID string `json:"token_id"`
	}
	if st := f.ctl("POST", "approve", body, &out); st != 200 {
		f.t.Fatalf("approve %s: HTTP %d", code, st)
	}
	noteTokens(f.t.Name(), f.tokens())
	return out.TokenID
}

// fakeState is the part of /_fake/state the tests read.
type fakeState struct {
	SlowDown int `json:"slow_down"`
	Polls    int `json:"polls"`
	Requests int `json:"requests"`
	Deletes  int `json:"deletes"`
}

func (f *fakeServer) state() fakeState {
	f.t.Helper()
	var s fakeState
	f.ctl("GET", "state", nil, &s)
	return s
}

// mintedToken is one token the fake handed out.
type mintedToken struct {
	TokenID string `json:"token_id"`
	Token   string `json:"token"`
	Email   string `json:"email"`
	Live    bool   `json:"live"`
	Seeded  bool   `json:"seeded"`
}

func (f *fakeServer) tokens() []mintedToken {
	f.t.Helper()
	var out struct {
		Tokens []mintedToken `json:"tokens"`
	}
	f.ctl("GET", "tokens", nil, &out)
	return out.Tokens
}

func (f *fakeServer) tokenByID(id string) mintedToken {
	f.t.Helper()
	for _, tk := range f.tokens() {
		if tk.TokenID == id {
			return tk
		}
	}
	f.t.Fatalf("the fake minted no token with id %s", id)
	return mintedToken{}
}

// pendingCodes is the set of user codes pending at the fake now (issued,
// not approved), so that waitPending can tell the next sign-in's code.
func (f *fakeServer) pendingCodes() map[string]bool {
	var before struct {
		UserCodes []string `json:"user_codes"`
	}
	f.ctl("GET", "pending", nil, &before)
	seen := map[string]bool{}
	for _, c := range before.UserCodes {
		seen[c] = true
	}
	return seen
}

// login runs `auth login` against the fake, approves the code as email,
// and returns the CLI's result and the token id the fake minted.
func (e *cliEnv) login(f *fakeServer, email, name string, extra map[string]any, args ...string) (result, string) {
	e.t.Helper()
	seen := f.pendingCodes()
	cmd, out, errb := e.start(append([]string{"auth", "login", "--host", f.url, "--insecure"}, args...)...)
	code := f.waitPending(seen)
	id := f.approve(code, email, name, extra)
	r := waitResult(e.t, cmd, out, errb)
	return r, id
}

// waitResult waits for a started command and collects its result.
func waitResult(t testing.TB, cmd *exec.Cmd, out, errb *bytes.Buffer) result {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		r := result{stdout: out.String(), stderr: errb.String()}
		noteText(t.Name()+": output of difyctl "+strings.Join(cmd.Args[1:], " "), r.stdout+r.stderr)
		if ee, ok := err.(*exec.ExitError); ok {
			r.code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return r
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("difyctl did not finish\nstderr: %s", errb.String())
	}
	return result{}
}
