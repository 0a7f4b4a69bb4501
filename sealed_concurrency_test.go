package main

// sealed_concurrency_test.go: twenty `auth login` processes at once against one
// fake server, all sealing their tokens into the one shared tokens.sealed.
// Nothing may be lost or swapped: every context ends up with the token the
// server minted for its own account.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// fakeSession is one row of /_fake/state "sessions".
type fakeSession struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Live  bool   `json:"live"`
}

func (f *fakeServer) sessions() []fakeSession {
	f.t.Helper()
	var st struct {
		Sessions []fakeSession `json:"sessions"`
	}
	f.ctl("GET", "state", nil, &st)
	return st.Sessions
}

// loadHostsFile parses the config dir's hosts.yml as difyctl would.
func loadHostsFile(t testing.TB, dir string) *hostsFile {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, hostsFileName))
	if err != nil {
		t.Fatal(err)
	}
	h, err := decodeFull(string(data))
	if err != nil {
		t.Fatalf("hosts.yml does not read: %v\n%s", err, data)
	}
	return h
}

func TestTwentyConcurrentLogins(t *testing.T) {
	const n = 20
	f := startFake(t, "-interval", "0.3")
	e := newCLIEnv(t)
	e.vars["DIFY_TOKEN_STORAGE"] = "sealed"
	// Two sign-ins from the official client are already there; they must
	// survive the stampede too.
	e.writeHosts(fixture(t, "official.yml"))

	procs := make([]chan result, n)
	for i := range procs {
		cmd, out, errb := e.start("auth", "login", "--host", f.url, "--insecure", "--no-browser")
		ch := make(chan result, 1)
		procs[i] = ch
		go func() { ch <- waitResultNoFatal(t.Name(), cmd, out, errb, 60*time.Second) }()
	}

	// Approve every code as it appears, each as its own account. All
	// twenty carry the same device label, so codes are matched to emails
	// in the order they show up; each approval mints a distinct token.
	minted := map[string]string{} // email → token id
	approved := map[string]bool{}
	deadline := time.Now().Add(30 * time.Second)
	for len(approved) < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d device codes appeared", len(approved), n)
		}
		var p struct {
			UserCodes []string `json:"user_codes"`
		}
		f.ctl("GET", "pending", nil, &p)
		for _, code := range p.UserCodes {
			if approved[code] {
				continue
			}
			email := fmt.Sprintf("user%02d@dify.ai", len(approved))
			approved[code] = true
			minted[email] = f.approve(code, email, "User "+email[4:6], nil)
		}
		time.Sleep(10 * time.Millisecond)
	}

	for i, ch := range procs {
		r := <-ch
		if r.code != 0 || !strings.HasPrefix(r.stdout, "✓ Logged in to "+f.host+" as user") {
			t.Errorf("login %d:\n%s", i, r)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	// hosts.yml parses and holds exactly the twenty contexts, each with
	// the session id the server minted for its own account.
	h := loadHostsFile(t, e.config)
	if h.count() != n+2 || h.host("cloud.dify.ai").account("tester@dify.ai") == nil || h.host("127.0.0.1:5001").account("sso@dify.ai") == nil {
		t.Fatalf("want the 2 old and %d new contexts, got %d:\n%s", n, h.count(), e.readHosts())
	}
	host := h.host(f.host)
	for email, id := range minted {
		c := host.account(email)
		switch {
		case c == nil:
			t.Errorf("context %s lost", email)
		case c.TokenID != id:
			t.Errorf("%s: token_id %s, but the server minted %s for it", email, c.TokenID, id)
		case c.TokenStorage != storageSealed:
			t.Errorf("%s: token_storage %q", email, c.TokenStorage)
		}
	}
	r := e.run("auth", "list", "-o", "name")
	wantExit(t, r, 0)
	var want []string
	for email := range minted {
		want = append(want, email)
	}
	sort.Strings(want)
	got := strings.Fields(r.stdout)
	sort.Strings(got)
	if strings.Join(got, " ") != strings.Join(append([]string{"sso@dify.ai", "tester@dify.ai"}, want...), " ") {
		t.Fatalf("auth list -o name: %q", r.stdout)
	}

	// The shared sealed file kept every writer's line.
	data, err := os.ReadFile(filepath.Join(e.config, sealedFileName))
	if err != nil {
		t.Fatal(err)
	}
	doc := parseSealed(data)
	if why := doc.damage(); why != "" || len(doc.entries()) != n {
		t.Fatalf("tokens.sealed: %d entries, damage %q", len(doc.entries()), why)
	}

	// Black box: the token difyctl uses for each context is the one the
	// server minted for that account. The server lists the sessions of
	// the bearer's account only, so the listing must be exactly that
	// account's session, marked current.
	owner := map[string]string{}
	for _, s := range f.sessions() {
		owner[s.ID] = s.Email
	}
	for _, email := range want {
		r := e.run("use", "host", "--domain", f.host)
		wantExit(t, r, 0)
		r = e.run("use", "account", "--email", email)
		wantExit(t, r, 0)
		r = e.run("auth", "devices", "list", "--json")
		if r.code != 0 {
			t.Errorf("%s: devices list:\n%s", email, r)
			continue
		}
		var env struct {
			Data []struct {
				ID string `json:"id"`
			} `json:"data"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &env); err != nil {
			t.Fatalf("%s: %v: %s", email, err, r.stdout)
		}
		current := ""
		for _, row := range env.Data {
			if owner[row.ID] != email {
				t.Errorf("%s: the listing shows session %s of %q: difyctl used another account's token", email, row.ID, owner[row.ID])
			}
			if row.ID == minted[email] {
				current = row.ID
			}
		}
		if current == "" {
			t.Errorf("%s: its session %s is not in its own listing (%d rows)", email, minted[email], len(env.Data))
		}
		// The table marks that same row as the current one.
		r = e.run("auth", "devices", "list")
		wantExit(t, r, 0)
		if strings.Count(r.stdout, "*") != 1 {
			t.Errorf("%s: want exactly one current row:\n%s", email, r.stdout)
		}
	}
}

// waitResultNoFatal waits for a started command from any goroutine: a
// command still running after limit is killed and reported as exit -1
// instead of failing the test from the wrong goroutine.
func waitResultNoFatal(name string, cmd *exec.Cmd, out, errb *bytes.Buffer, limit time.Duration) result {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(limit):
		cmd.Process.Kill()
		<-done
		return result{code: -1, stdout: out.String(), stderr: errb.String() + "\n(did not finish in " + limit.String() + ")"}
	}
	r := result{stdout: out.String(), stderr: errb.String()}
	noteText(name+": output of difyctl "+strings.Join(cmd.Args[1:], " "), r.stdout+r.stderr)
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		r.code = ee.ExitCode()
	} else if err != nil {
		r.code = -1
		r.stderr += "\nwait: " + err.Error()
	}
	return r
}

// TestConcurrentLoginsToOneContext signs the same account in five times at
// once: whichever wins, the stored token and the recorded token_id must
// belong to the same sign-in.
func TestConcurrentLoginsToOneContext(t *testing.T) {
	f := fastFake(t)
	e := newCLIEnv(t)
	const n = 5
	type run struct {
		cmd       *exec.Cmd
		out, errb *bytes.Buffer
	}
	var runs []run
	for i := 0; i < n; i++ {
		cmd, out, errb := e.start("auth", "login", "--host", f.url, "--insecure")
		runs = append(runs, run{cmd, out, errb})
	}
	approved := map[string]bool{}
	for len(approved) < n {
		code := f.waitPending(approved)
		f.approve(code, "same@dify.ai", "Same", nil)
		approved[code] = true
	}
	for _, r := range runs {
		wantExit(t, waitResult(t, r.cmd, r.out, r.errb), 0)
	}
	h := loadHostsFile(t, e.config)
	c := h.host(f.host).account("same@dify.ai")
	if h.count() != 1 || c == nil {
		t.Fatalf("want one context, got %d", h.count())
	}
	ts, err := e.inProcess().tokenStore()
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := ts.find(hostsNow(t, ts), &hostEntry{Host: f.host}, c)
	if err != nil {
		t.Fatal(err)
	}
	// (All five share a device label, so the server's rotation may have
	// ended the winner's session; consistency is what difyctl controls.)
	if f.tokenByID(c.TokenID).Token != tok.reveal() {
		t.Fatal("the stored token and the recorded token_id come from different sign-ins")
	}
}
