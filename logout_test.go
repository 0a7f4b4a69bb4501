//go:build linux

package main

// logout_test.go: auth logout tells the truth when it could not do it all
// (issue 19, items 4 and 5), black box against the fake server.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// officialContext writes hosts.yml as the official client leaves it for
// one context on f: no per-account token_storage of ours, so its token is
// looked for in every store, tokens.yml last.
func officialContext(e *cliEnv, f *fakeServer, email, tokenID string) {
	e.writeHosts("token_storage: file\ncurrent_host: " + f.host + "\nhosts:\n  " + f.host + ":\n    scheme: http\n" +
		"    current_account: " + email + "\n    accounts:\n      " + email + ":\n" +
		"        account:\n          id: acct-1\n          email: " + email + "\n          name: T\n" +
		"        token_id: " + tokenID + "\n")
}

// unreadableTokensYML puts content into tokens.yml in a way difyctl
// refuses to read: as a symlink to a dotfiles copy, or over 16 MiB. It
// returns the file that holds the content.
func unreadableTokensYML(t *testing.T, e *cliEnv, kind, content string) string {
	t.Helper()
	path := filepath.Join(e.config, plaintextTokensName)
	// The test planted this token in clear, not difyctl: gone before the
	// secret-hygiene walk of HOME (cleanups run last-in first-out).
	t.Cleanup(func() {
		os.Remove(path)
		os.RemoveAll(filepath.Join(e.home, "dotfiles"))
	})
	switch kind {
	case "symlink":
		dot := filepath.Join(e.home, "dotfiles")
		os.MkdirAll(dot, 0o700)
		target := filepath.Join(dot, plaintextTokensName)
		if err := os.WriteFile(target, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, path); err != nil {
			t.Fatal(err)
		}
		return target
	case "huge":
		big := strings.Repeat("# "+strings.Repeat("x", 1021)+"\n", 16*1024+1)
		if err := os.WriteFile(path, []byte(content+big), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	t.Fatalf("unknown kind %q", kind)
	return ""
}

// Item 4: a token in a tokens.yml that difyctl cannot read (a symlink, a
// file over 16 MiB) is not logged out: no "✓ Logged out", exit 1, and a
// message naming the file, the context and how to remove it by hand. The
// token is indeed still there, and the rest of the cleanup happened.
func TestLogoutReportsTokenLeftInTokensYML(t *testing.T) {
	for _, kind := range []string{"symlink", "huge"} {
		for _, sealedToo := range []bool{false, true} {
			name := kind
			if sealedToo {
				name += "+sealed"
			}
			t.Run(name, func(t *testing.T) {
				f := fastFake(t)
				e := newCLIEnv(t)
				plainTok, plainID := mintToken(t, f, "tester@dify.ai")
				var sealedTok, sealedID string
				if sealedToo {
					// Our own sign-in of the same context, in tokens.sealed;
					// the official client then rewrote hosts.yml without our
					// per-account token_storage.
					r, id := e.login(f, "tester@dify.ai", "T", nil)
					wantExit(t, r, 0)
					sealedTok, sealedID = f.tokenByID(id).Token, id
					officialContext(e, f, "tester@dify.ai", id)
				} else {
					officialContext(e, f, "tester@dify.ai", plainID)
				}
				content := "version: 1\ntokens:\n  " + f.host + ":\n    tester@dify.ai: " + plainTok + "\n"
				holder := unreadableTokensYML(t, e, kind, content)
				path := filepath.Join(e.config, plaintextTokensName)

				r := e.run("auth", "logout")
				wantExit(t, r, 1)
				if r.stdout != "" {
					t.Errorf("stdout on a failed logout: %q", r.stdout)
				}
				if strings.Contains(r.stdout+r.stderr, "Logged out") || strings.Contains(r.stderr, "cleared anyway") {
					t.Errorf("logout claims it cleared everything:\n%s", r)
				}
				want := "credential_unwritable: not fully logged out of " + f.host + ": the token of tester@dify.ai on " + f.host + " may still be in " + path + ", in plain text ("
				if !strings.Contains(r.stderr, want) {
					t.Errorf("want %q in:\n%s", want, r.stderr)
				}
				if !strings.Contains(r.stderr, "hint: remove it by hand: open "+holder+" in an editor (vi "+holder+") and delete the line of \"tester@dify.ai\" under \""+f.host+"\" in tokens") {
					t.Errorf("no hand removal naming %s:\n%s", holder, r.stderr)
				}
				// The message is true: the token is still there.
				if b, err := os.ReadFile(holder); err != nil || !strings.Contains(string(b), "tester@dify.ai: "+plainTok+"\n") {
					t.Errorf("the token is not in %s any more (%v): the message lied", holder, err)
				}
				// The rest of the local cleanup happened.
				if hosts := e.readHosts(); strings.Contains(hosts, "tester@dify.ai") {
					t.Errorf("the context is still in hosts.yml:\n%s", hosts)
				}
				noLockLeft(t, e, "logout")
				if sealedToo {
					if _, err := os.Stat(filepath.Join(e.config, sealedFileName)); !os.IsNotExist(err) {
						t.Errorf("tokens.sealed still there: %v", err)
					}
					if f.tokenByID(sealedID).Live {
						t.Error("the sealed token's session was not revoked")
					}
					for p, c := range filesUnder(t, e.config) {
						if strings.Contains(c, sealedTok) {
							t.Errorf("the sealed token is still in %s", p)
						}
					}
				} else {
					// Its token could not be read: the session is live, and
					// logout says so and how to end it.
					if !f.tokenByID(plainID).Live {
						t.Error("the session was revoked without its token?")
					}
					if !strings.Contains(r.stderr, "server revoke skipped: the session stays active, end it with 'difyctl auth devices revoke "+plainID+"' from another sign-in of that account, or sign in again on this machine, which replaces it") {
						t.Errorf("no word on the live session:\n%s", r.stderr)
					}
				}
				if strings.Contains(r.stdout+r.stderr, plainTok) || (sealedTok != "" && strings.Contains(r.stderr, sealedTok)) {
					t.Error("a token reached the output")
				}
			})
		}
	}
}

// A context whose token is recorded in a store of ours logs out fully
// beside a symlinked tokens.yml (dotfiles): there is no token of it to
// look for there, so the unreadable file is a warning, not a failure.
func TestLogoutOwnStoreBesideSymlinkedTokensYML(t *testing.T) {
	f, e, id := signedIn(t)
	holder := unreadableTokensYML(t, e, "symlink", "version: 1\ntokens: {}\n")
	r := e.run("auth", "logout")
	wantExit(t, r, 0)
	if r.stdout != "✓ Logged out of "+f.host+"\n" {
		t.Errorf("stdout: %q", r.stdout)
	}
	if !strings.Contains(r.stderr, "could not check "+filepath.Join(e.config, plaintextTokensName)+" for a copy of the token of tester@dify.ai on "+f.host) {
		t.Errorf("no warning about tokens.yml:\n%s", r.stderr)
	}
	if f.tokenByID(id).Live {
		t.Error("the session was not revoked")
	}
	if b, _ := os.ReadFile(holder); string(b) != "version: 1\ntokens: {}\n" {
		t.Errorf("the symlink's target changed: %q", b)
	}
}

// Item 5: Ctrl-C while the server sits on the revoke: the local cleanup
// still happens, stderr says the session is still active and how to end
// it, and the exit is 130 with nothing on stdout.
func TestLogoutInterruptedDuringRevoke(t *testing.T) {
	f, e, id := signedIn(t)
	tok := f.tokenByID(id).Token
	f.scenario(map[string]any{"name": "slow_headers", "seconds": 120, "path": "/account/sessions/self"})
	requests := f.state().Requests
	b := startMeasured(t, e, "auth", "logout")
	deadline := time.Now().Add(10 * time.Second)
	for f.state().Requests == requests {
		if time.Now().After(deadline) {
			t.Fatal("the revoke never reached the server")
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	r, took := b.interrupt()
	wantExit(t, r.result, 130)
	if took > 5*time.Second {
		t.Errorf("exit took %v after SIGINT", took)
	}
	if r.stdout != "" {
		t.Errorf("stdout: %q", r.stdout)
	}
	want := "! interrupted: the server session of tester@dify.ai on " + f.host + " is still active; end it with 'difyctl auth devices revoke " + id + "' from another sign-in of that account, or sign in again on this machine, which replaces it\n"
	if !strings.Contains(r.stderr, want) {
		t.Errorf("want %q in:\n%s", want, r.stderr)
	}
	if strings.Contains(r.stderr, "revoke failed") || strings.Contains(r.stderr, "cleared anyway") {
		t.Errorf("an interrupt is not a failed revoke:\n%s", r.stderr)
	}
	// The server never revoked it (the request was cut off)...
	if !f.tokenByID(id).Live {
		t.Error("the session is not live: the message would be false")
	}
	// ...and the local copy is gone.
	for p, c := range filesUnder(t, e.config) {
		if strings.Contains(c, tok) {
			t.Errorf("the token is still in %s", p)
		}
	}
	if _, err := os.Stat(filepath.Join(e.config, sealedFileName)); !os.IsNotExist(err) {
		t.Errorf("tokens.sealed still there: %v", err)
	}
	if hosts := e.readHosts(); strings.Contains(hosts, "tester@dify.ai") {
		t.Errorf("the context is still in hosts.yml:\n%s", hosts)
	}
	noLockLeft(t, e, "an interrupted logout")
	// The way out named works: signed in again here, the old session ends.
	f.scenario(map[string]any{"name": "normal"})
	r2, _ := e.login(f, "tester@dify.ai", "Test Tester", nil)
	wantExit(t, r2, 0)
	if f.tokenByID(id).Live {
		t.Error("signing in again did not end the old session")
	}
}

// A sign-in of the same account that lands while logout waits on the
// server (here its revoke is held for 3 s) is kept whole: logout does not
// remove the context the new sign-in recorded, which would leave its live
// token stored where no command reaches it, and does not claim it logged
// out.
func TestLogoutKeepsASignInMadeMeanwhile(t *testing.T) {
	f, e, oldID := signedIn(t)
	f.scenario(map[string]any{"name": "slow_headers", "seconds": 3, "count": 1})
	cmd, out, errb := e.start("auth", "logout")
	for deadline := time.Now().Add(10 * time.Second); f.deletesSent() == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("logout sent no revoke")
		}
	}
	login, newID := e.login(f, "tester@dify.ai", "Test Tester", nil)
	wantExit(t, login, 0)
	r := waitResult(t, cmd, out, errb)
	wantExit(t, r, 1)
	if r.stdout != "" || !strings.Contains(r.stderr, "tester@dify.ai signed in again on "+f.host+" while this command ran; that new sign-in is kept") {
		t.Errorf("logout claims more than it did:\n%s", r)
	}
	if oldID == newID || f.tokenByID(oldID).Live {
		t.Errorf("the revoked session %s is live", oldID)
	}
	wantExit(t, e.run("auth", "status"), 0)
	tok := e.authToken()
	wantExit(t, tok, 0)
	if !f.tokenByID(newID).Live || !strings.HasPrefix(tok.stdout, "dfoa_") {
		t.Errorf("the new sign-in lost its token: %q", tok.stdout)
	}
}
