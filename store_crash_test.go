//go:build unix

package main

// store_crash_test.go: SIGKILL at random moments of 100 writes — logins, use
// host, use account and logouts against a fast fake server. After every
// kill, the files must still open: hosts.yml parses (or is absent), `auth
// list` works, tokens.sealed opens, a surviving context can be selected,
// and the next write succeeds and leaves no temp file behind.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// crashSeed is fixed so a failure reproduces; DIFYCTL_CRASH_SEED picks
// another run.
func crashSeed(t *testing.T) uint64 {
	seed := uint64(20260709)
	if v := os.Getenv("DIFYCTL_CRASH_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("DIFYCTL_CRASH_SEED: %v", err)
		}
		seed = n
	}
	t.Logf("seed %d (rerun with DIFYCTL_CRASH_SEED=%d)", seed, seed)
	return seed
}

// startApprover approves every device code the fake issues, as one of
// emails picked at random, until the test ends. Codes of logins killed
// before approval are approved too; their tokens are never delivered.
func startApprover(t *testing.T, f *fakeServer, emails []string, seed uint64) {
	stop, done := make(chan struct{}), make(chan struct{})
	t.Cleanup(func() { close(stop); <-done })
	post := func(path string, body any, out any) error {
		b, _ := json.Marshal(body)
		method := http.MethodPost
		if body == nil {
			method = http.MethodGet
		}
		req, _ := http.NewRequest(method, f.url+"/_fake/"+path, bytes.NewReader(b))
		resp, err := insecureHTTP.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if out != nil {
			return json.NewDecoder(resp.Body).Decode(out)
		}
		return nil
	}
	go func() {
		defer close(done)
		rng := rand.New(rand.NewPCG(seed, 1))
		seen := map[string]bool{}
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
			var p struct {
				UserCodes []string `json:"user_codes"`
			}
			if post("pending", nil, &p) != nil {
				continue
			}
			for _, c := range p.UserCodes {
				if !seen[c] {
					seen[c] = true
					email := emails[rng.IntN(len(emails))]
					post("approve", map[string]any{"user_code": c, "email": email, "name": "N " + email[:1]}, nil)
				}
			}
		}
	}()
}

// crashOp is one write a user might be running when the machine dies.
type crashOp struct {
	kind string
	args []string
}

func TestCrashSafetyRandomKills(t *testing.T) {
	seed := crashSeed(t)
	rng := rand.New(rand.NewPCG(seed, 0))
	f := startFake(t, "-interval", "0.1")
	port := f.host[strings.LastIndexByte(f.host, ':')+1:]
	urls := []string{"http://127.0.0.1:" + port, "http://localhost:" + port}
	hostKeys := []string{"127.0.0.1:" + port, "localhost:" + port}
	emails := []string{"a@crash.io", "b@crash.io", "c@crash.io"}
	startApprover(t, f, emails, seed)
	e := newCLIEnv(t)
	e.vars["DIFY_TOKEN_STORAGE"] = "sealed"

	pick := func() crashOp {
		switch x := rng.IntN(100); {
		case x < 35:
			return crashOp{"login", []string{"auth", "login", "--host", urls[rng.IntN(2)], "--insecure", "--no-browser"}}
		case x < 55:
			return crashOp{"use host", []string{"use", "host", "--domain", hostKeys[rng.IntN(2)]}}
		case x < 75:
			return crashOp{"use account", []string{"use", "account", "--email", emails[rng.IntN(len(emails))]}}
		default:
			return crashOp{"logout", []string{"auth", "logout"}}
		}
	}
	login := func(i int) {
		r := e.run("auth", "login", "--host", urls[i%2], "--insecure", "--no-browser")
		if r.code != 0 {
			t.Fatalf("an uninterrupted login failed:\n%s", r)
		}
	}

	// Calibrate: how long each kind of write takes here, uninterrupted.
	typical := map[string]time.Duration{}
	timed := func(kind string, args ...string) {
		start := time.Now()
		r := e.run(args...)
		typical[kind] = time.Since(start)
		wantExit(t, r, 0)
	}
	timed("login", "auth", "login", "--host", urls[0], "--insecure", "--no-browser")
	timed("use host", "use", "host", "--domain", hostKeys[0])
	_, active := loadHostsFile(t, e.config).active()
	timed("use account", "use", "account", "--email", active.Email)
	timed("logout", "auth", "logout")
	t.Logf("typical run times: %v", typical)
	login(1)

	landed := 0
	for i := 0; i < 100; i++ {
		op := pick()
		delay := time.Duration(rng.Float64() * float64(typical[op.kind]))
		cmd, out, errb := e.start(op.args...)
		time.Sleep(delay)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		noteText(t.Name()+": output of killed difyctl "+strings.Join(op.args, " "), out.String()+errb.String())
		killed := false
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			killed = true
			landed++
		}
		step := fmt.Sprintf("step %d (seed %d): %s killed after %v (landed: %v)", i, seed, strings.Join(op.args, " "), delay, killed)
		crashCheck(t, e, step, rng, func() { login(i) })
	}
	// Every surviving context still talks to the server with what is
	// stored: it works, or the server or the store says it is signed out
	// (a login killed after the server rotated its session leaves the old,
	// revoked token) — never an unreadable store or config.
	h := loadHostsFile(t, e.config)
	for _, he := range h.Hosts {
		for _, c := range he.Accounts {
			wantExit(t, e.run("use", "host", "--domain", he.Host), 0)
			if r := e.run("use", "account", "--email", c.Email); r.code != 0 {
				continue // no credential: checked after every kill
			}
			r := e.run("auth", "devices", "list")
			stderr := withoutTransportWarning(r.stderr)
			if r.code != 0 && !(r.code == 4 && (strings.HasPrefix(stderr, "auth_expired: ") || strings.HasPrefix(stderr, "not_logged_in: "))) {
				t.Errorf("devices list for %s on %s after the run:\n%s", c.Email, he.Host, r)
			}
		}
	}
	// The approver minted these tokens: the secret-hygiene check must
	// know them.
	noteTokens(t.Name(), f.tokens())
	t.Logf("%d of 100 kills landed while the command ran", landed)
	if landed < 20 {
		t.Errorf("only %d kills hit a running command; the test no longer exercises crashes", landed)
	}
}

// crashCheck is what must hold after any kill. login signs in again,
// uninterrupted, when no context is left to select.
func crashCheck(t *testing.T, e *cliEnv, step string, rng *rand.Rand, login func()) {
	t.Helper()
	// hosts.yml parses, or is absent; never empty or cut short.
	var h *hostsFile
	data, err := os.ReadFile(e.hostsPath())
	switch {
	case errors.Is(err, os.ErrNotExist):
		h = &hostsFile{}
	case err != nil:
		t.Fatalf("%s: %v", step, err)
	case len(data) == 0:
		t.Fatalf("%s: hosts.yml is empty", step)
	default:
		h, err = decodeFull(string(data))
		if err != nil {
			t.Fatalf("%s: hosts.yml does not parse: %v\n%s", step, err, data)
		}
	}
	if r := e.run("auth", "list"); r.code != 0 {
		t.Fatalf("%s: auth list:\n%s", step, r)
	}
	// tokens.sealed opens, and every context's entry is there whole or
	// not at all.
	if data, err := os.ReadFile(filepath.Join(e.config, sealedFileName)); err == nil {
		doc := parseSealed(data)
		if why := doc.damage(); why != "" || doc.newer != 0 {
			t.Fatalf("%s: tokens.sealed is damaged: %s", step, why)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s: %v", step, err)
	}
	ss := &sealedStore{dir: e.config, keyDir: e.data}
	for _, he := range h.Hosts {
		for _, c := range he.Accounts {
			if _, err := ss.get(he.Host, c.Email, hostLogin(he.Host)); err != nil && !errors.Is(err, errNoCredential) {
				t.Fatalf("%s: the sealed token of %s on %s: %v", step, c.Email, he.Host, err)
			}
		}
	}
	if h.count() == 0 {
		// Nothing to select: the next write is a fresh sign-in.
		login()
	} else {
		// The next write succeeds, and a surviving context can be
		// selected: its credential opens, or it is reported missing —
		// never unreadable, and the config never invalid.
		he := h.Hosts[rng.IntN(len(h.Hosts))]
		c := he.Accounts[rng.IntN(len(he.Accounts))]
		r := e.run("use", "host", "--domain", he.Host)
		if r.code != 0 {
			t.Fatalf("%s: use host after the kill:\n%s", step, r)
		}
		r = e.run("use", "account", "--email", c.Email)
		if r.code != 0 && !(r.code == 4 && strings.HasPrefix(r.stderr, "not_logged_in: ")) {
			t.Fatalf("%s: use account %s:\n%s", step, c.Email, r)
		}
	}
	if entries, err := os.ReadDir(e.config); err == nil {
		for _, x := range entries {
			if strings.Contains(x.Name(), ".tmp-") {
				t.Fatalf("%s: %s is left after the next write", step, x.Name())
			}
		}
	}
}
