package main

// e2e_test.go: the whole product as its users would use it — two hosts with
// two accounts each, switching, listing in every format, devices, and
// logging out one by one — checking after every step that hosts.yml and the
// token stores hold exactly what the user should now have.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// wantContext is what the user should have for one sign-in.
type wantContext struct {
	host, email, name, tokenID string
}

// machineState is what the user should have: the contexts and which one is
// active ("" host = none).
type machineState struct {
	contexts     []wantContext
	activeHost   string
	activeEmail  string
	storageLabel string // sealed or keychain
}

// inProcess builds an app that reads this machine's files, to look into
// the stores with the product's own code.
func (e *cliEnv) inProcess() *app {
	env := map[string]string{}
	for _, kv := range e.environ() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	return &app{ctx: context.Background(), stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{},
		getenv: func(k string) string { return env[k] }, now: time.Now}
}

// check compares hosts.yml and the stores with want, and checks each
// context's stored token is exactly the live token the fake minted for it.
func (e *cliEnv) check(t *testing.T, step string, want machineState, fakes map[string]*fakeServer) {
	t.Helper()
	a := e.inProcess()
	st, _ := a.store()
	h, err := st.load()
	if err != nil {
		t.Fatalf("%s: hosts.yml: %v", step, err)
	}
	var got []string
	for _, hostEntry := range h.Hosts {
		for _, c := range hostEntry.Accounts {
			got = append(got, hostEntry.Host+" "+c.Email)
		}
	}
	var exp []string
	for _, c := range want.contexts {
		exp = append(exp, c.host+" "+c.email)
	}
	sort.Strings(got)
	sort.Strings(exp)
	if strings.Join(got, ",") != strings.Join(exp, ",") {
		t.Fatalf("%s: contexts %v, want %v", step, got, exp)
	}
	ah, ac := h.active()
	switch {
	case want.activeHost == "" && ac != nil:
		t.Fatalf("%s: %s %s is active, want none", step, ah.Host, ac.Email)
	case want.activeHost != "" && (ac == nil || ah.Host != want.activeHost || ac.Email != want.activeEmail):
		t.Fatalf("%s: active context wrong, want %s %s", step, want.activeHost, want.activeEmail)
	}
	ts, err := a.tokenStore()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range want.contexts {
		c := h.host(w.host).account(w.email)
		if c.TokenID != w.tokenID || c.Account.Name != w.name || c.TokenStorage != want.storageLabel {
			t.Fatalf("%s: %s on %s: token_id %s name %q storage %q, want %s %q %q", step, w.email, w.host, c.TokenID, c.Account.Name, c.TokenStorage, w.tokenID, w.name, want.storageLabel)
		}
		tok, _, err := ts.find(hostsNow(t, ts), &hostEntry{Host: w.host}, c)
		if err != nil {
			t.Fatalf("%s: no token for %s on %s: %v", step, w.email, w.host, err)
		}
		minted := fakes[w.host].tokenByID(w.tokenID)
		if tok.reveal() != minted.Token || !minted.Live || minted.Email != w.email {
			t.Fatalf("%s: the token stored for %s on %s is not its live session", step, w.email, w.host)
		}
	}
}

// gone checks a signed-out context left no token behind in any store and
// that its session is dead at the server.
func (e *cliEnv) gone(t *testing.T, step string, w wantContext, f *fakeServer) {
	t.Helper()
	ts, _ := e.inProcess().tokenStore()
	if _, _, err := ts.find(hostsNow(t, ts), &hostEntry{Host: w.host}, &contextEntry{Email: w.email}); !errors.Is(err, errNoCredential) {
		t.Fatalf("%s: a token for %s on %s survived: %v", step, w.email, w.host, err)
	}
	if f.tokenByID(w.tokenID).Live {
		t.Fatalf("%s: the session of %s is still live at the server", step, w.email)
	}
}

func TestEndToEndSealed(t *testing.T) {
	e := newCLIEnv(t)
	runEndToEnd(t, e, "sealed")
}

// TestEndToEndSecretService runs the same story with the tokens in a real
// Secret Service, with secret-tool and xdg-open wrapped by shims that log
// their argv for the secret-hygiene check.
func TestEndToEndSecretService(t *testing.T) {
	bus := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	real, err := exec.LookPath("secret-tool")
	if bus == "" || err != nil {
		t.Skip("no Secret Service here (DBUS_SESSION_BUS_ADDRESS unset or secret-tool missing); run under .ci/keyring-session.sh")
	}
	e := newCLIEnv(t)
	shims := filepath.Join(e.home, "shims")
	argvLog := filepath.Join(e.home, "argv.log")
	os.MkdirAll(shims, 0o755)
	shim := "#!/bin/sh\nprintf '%s\\n' \"$0 $*\" >> " + argvLog + "\nexec " + real + " \"$@\"\n"
	os.WriteFile(filepath.Join(shims, "secret-tool"), []byte(shim), 0o755)
	delete(e.vars, "DIFY_TOKEN_STORAGE")
	e.vars["DBUS_SESSION_BUS_ADDRESS"] = bus
	e.vars["PATH"] = shims + string(os.PathListSeparator) + os.Getenv("PATH")
	runEndToEnd(t, e, "keychain")
	log, _ := os.ReadFile(argvLog)
	if !strings.Contains(string(log), "store --label=difyctl: ") || !strings.Contains(string(log), "lookup service difyctl username tokens.") {
		t.Fatalf("secret-tool was not used as expected:\n%s", log)
	}
	noteText(t.Name()+": argv of secret-tool", string(log))
	if _, err := os.Stat(filepath.Join(e.config, "tokens.sealed")); err == nil {
		t.Fatal("a sealed file was written although the Secret Service answered")
	}
}

func runEndToEnd(t *testing.T, e *cliEnv, storage string) {
	fa, fb := fastFake(t), fastFake(t)
	fakes := map[string]*fakeServer{fa.host: fa, fb.host: fb}
	var want machineState
	want.storageLabel = storage
	signIn := func(f *fakeServer, email, name string) wantContext {
		r, id := e.login(f, email, name, nil)
		wantExit(t, r, 0)
		w := wantContext{f.host, email, name, id}
		want.contexts = append(want.contexts, w)
		want.activeHost, want.activeEmail = f.host, email
		e.check(t, "login "+email, want, fakes)
		return w
	}
	alice := signIn(fa, "alice@a.io", "Alice")
	bob := signIn(fa, "bob@a.io", "Bob")
	carol := signIn(fb, "carol@b.io", "Carol")
	dave := signIn(fb, "dave@b.io", "Dave")

	// Switch: the host keeps its last account; use account picks another.
	wantExit(t, e.run("use", "host", "--domain", fa.host), 0)
	want.activeHost, want.activeEmail = fa.host, "bob@a.io"
	e.check(t, "use host a", want, fakes)
	wantExit(t, e.run("use", "account", "--email", "alice@a.io"), 0)
	want.activeEmail = "alice@a.io"
	e.check(t, "use account alice", want, fakes)

	// List in every format.
	r := e.run("auth", "list")
	wantExit(t, r, 0)
	var wantTable bytes.Buffer
	renderTable(&wantTable, []string{"HOST", "ACCOUNT", "ACTIVE"}, [][]string{
		{fa.host, "alice@a.io (Alice)", "*"}, {fa.host, "bob@a.io (Bob)", ""},
		{fb.host, "carol@b.io (Carol)", ""}, {fb.host, "dave@b.io (Dave)", ""},
	})
	if r.stdout != wantTable.String() || !strings.HasPrefix(r.stdout, "HOST ") {
		t.Fatalf("table:\n%s\nwant:\n%s", r.stdout, wantTable.String())
	}
	var listed struct {
		Contexts []contextRow `json:"contexts"`
	}
	r = e.run("auth", "list", "-o", "json")
	if err := json.Unmarshal([]byte(r.stdout), &listed); err != nil || len(listed.Contexts) != 4 ||
		listed.Contexts[0] != (contextRow{fa.host, "alice@a.io", "Alice", true}) ||
		listed.Contexts[3] != (contextRow{fb.host, "dave@b.io", "Dave", false}) {
		t.Fatalf("json: %v\n%s", err, r.stdout)
	}
	r = e.run("auth", "list", "-o", "yaml")
	if !strings.Contains(r.stdout, "  - host: "+fa.host+"\n    account: alice@a.io\n    name: Alice\n    active: true\n") {
		t.Fatalf("yaml:\n%s", r.stdout)
	}
	if r = e.run("auth", "list", "-o", "name"); r.stdout != "alice@a.io\nbob@a.io\ncarol@b.io\ndave@b.io\n" {
		t.Fatalf("name: %q", r.stdout)
	}
	if r = e.run("auth", "whoami", "--json"); !strings.Contains(r.stdout, `"email":"alice@a.io","name":"Alice"`) {
		t.Fatalf("whoami: %s", r.stdout)
	}

	// Devices: alice sees her session marked current; revoke a stranger's
	// device by label, then everything else with --all.
	old := fa.seed("alice@a.io", 0, "difyctl on old-laptop", "web ui")
	r = e.run("auth", "devices", "list")
	wantExit(t, r, 0)
	if strings.Count(r.stdout, "\n") != 4 || !strings.Contains(r.stdout, "difyctl on old-laptop") {
		t.Fatalf("devices:\n%s", r.stdout)
	}
	wantExit(t, e.run("auth", "devices", "revoke", "old-laptop"), 0)
	if fa.tokenByID(old[0]).Live || !fa.tokenByID(old[1]).Live {
		t.Fatal("revoke by label hit the wrong session")
	}
	r = e.run("auth", "devices", "revoke", "--all")
	wantExit(t, r, 0)
	if r.stdout != "✓ Revoked 1 session(s)\n" || fa.tokenByID(old[1]).Live {
		t.Fatalf("--all: %s", r)
	}
	e.check(t, "devices revoke", want, fakes) // bob shares the host but not the account: untouched

	// Log out one by one; nothing else changes, nothing becomes active.
	logout := func(w wantContext, f *fakeServer) {
		r := e.run("auth", "logout")
		wantExit(t, r, 0)
		if r.stdout != "✓ Logged out of "+w.host+"\n" {
			t.Fatalf("logout %s: %s", w.email, r)
		}
		var rest []wantContext
		for _, c := range want.contexts {
			if c != w {
				rest = append(rest, c)
			}
		}
		want.contexts, want.activeHost, want.activeEmail = rest, "", ""
		e.check(t, "logout "+w.email, want, fakes)
		e.gone(t, "logout "+w.email, w, f)
	}
	logout(alice, fa)
	wantExit(t, e.run("use", "host", "--domain", fb.host), 0)
	want.activeHost, want.activeEmail = fb.host, "dave@b.io"
	e.check(t, "use host b", want, fakes)
	logout(dave, fb)
	wantExit(t, e.run("use", "host", "--domain", fa.host), 0)
	wantExit(t, e.run("use", "account", "--email", "bob@a.io"), 0)
	logout(bob, fa)
	wantExit(t, e.run("use", "host", "--domain", fb.host), 0)
	wantExit(t, e.run("use", "account", "--email", "carol@b.io"), 0)
	logout(carol, fb)
	if r := e.run("auth", "list", "-o", "name"); r.stdout != "\n" {
		t.Fatalf("contexts left: %q", r.stdout)
	}
}
