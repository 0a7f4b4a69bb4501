//go:build linux

package main

// login_lock_test.go: a sign-in whose context cannot be recorded because
// the official client holds hosts.yml.lock for the whole wait leaves
// nothing behind (issue 22 item 3): no token in any store, the new
// session revoked at the server, hosts.yml unchanged byte for byte; nor
// does one that Ctrl-C stops in that wait.

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// lockedLogin starts `auth login`, takes hosts.yml.lock the official way
// once the device code is issued (before the approval, so the token is
// stored first), approves it and returns the result and the new token id.
// The lock stays until the test ends.
func lockedLogin(t *testing.T, e *cliEnv, f *fakeServer, email string) (result, string) {
	t.Helper()
	seen := f.pendingCodes()
	cmd, out, errb := e.start("auth", "login", "--host", f.url, "--insecure", "--no-browser")
	code := f.waitPending(seen)
	lock := officialLock(t, e)
	t.Cleanup(func() { os.Remove(lock) })
	id := f.approve(code, email, "Test Tester", nil)
	r := waitResult(t, cmd, out, errb)
	if _, err := os.Stat(lock); err != nil {
		t.Errorf("the official client's lock was removed: %v", err)
	}
	return r, id
}

// wantNotKept checks the failure: config_locked naming the lock, saying
// the sign-in was not kept, exit 1, nothing on stdout; the new session
// revoked at the fake.
func wantNotKept(t *testing.T, e *cliEnv, f *fakeServer, r result, id string) {
	t.Helper()
	wantExit(t, r, 1)
	lock := filepath.Join(e.config, lockFileName)
	if !strings.Contains(r.stderr, "config_locked: "+lock+" is locked: held by another process for ") ||
		!strings.Contains(r.stderr, "the sign-in was not kept: its token was removed and its session ended at the server") ||
		strings.Contains(r.stderr, "nothing was written") || !strings.Contains(r.stderr, "hint: ") || r.stdout != "" {
		t.Errorf("error:\n%s", r)
	}
	if tk := f.tokenByID(id); tk.Live {
		t.Errorf("the new session %s is still live at the server", id)
	}
}

func TestLoginLockedOutLeavesNothing(t *testing.T) {
	t.Run("sealed", func(t *testing.T) {
		t.Parallel()
		f := fastFake(t)
		e := newCLIEnv(t)
		e.writeHosts(twoHosts)
		r, id := lockedLogin(t, e, f, "tester@dify.ai")
		wantNotKept(t, e, f, r, id)
		if e.readHosts() != twoHosts {
			t.Errorf("hosts.yml changed:\n%s", e.readHosts())
		}
		if _, err := os.Lstat(filepath.Join(e.config, sealedFileName)); err == nil {
			t.Errorf("tokens.sealed still exists:\n%s", readFile(t, filepath.Join(e.config, sealedFileName)))
		}
	})
	t.Run("keychain", func(t *testing.T) {
		t.Parallel()
		f := fastFake(t)
		e := newCLIEnv(t)
		tool := withFakeSecretTool(t, e)
		e.writeHosts(twoHosts)
		r, id := lockedLogin(t, e, f, "tester@dify.ai")
		wantNotKept(t, e, f, r, id)
		if e.readHosts() != twoHosts {
			t.Errorf("hosts.yml changed:\n%s", e.readHosts())
		}
		if out, ok := secretToolRun(t, tool, "", "lookup", "service", "difyctl", "username", "tokens."+f.host+".tester@dify.ai"); ok {
			t.Errorf("the OS store still holds a token (%d bytes)", len(out))
		}
		if !strings.Contains(readFile(t, filepath.Join(filepath.Dir(tool), "argv.log")), "clear\x1f") {
			t.Error("the OS store entry was never cleared")
		}
		if _, err := os.Lstat(filepath.Join(e.config, sealedFileName)); err == nil {
			t.Error("tokens.sealed exists")
		}
	})
	// A second sign-in to the same context: its token is removed too
	// (the server ended the replaced session when it granted the new one).
	t.Run("relogin", func(t *testing.T) {
		t.Parallel()
		f := fastFake(t)
		e := newCLIEnv(t)
		r, _ := e.login(f, "tester@dify.ai", "Test Tester", nil, "--no-browser")
		wantExit(t, r, 0)
		hosts := e.readHosts()
		r, id := lockedLogin(t, e, f, "tester@dify.ai")
		wantNotKept(t, e, f, r, id)
		if e.readHosts() != hosts {
			t.Errorf("hosts.yml changed:\n%s\nwas:\n%s", e.readHosts(), hosts)
		}
		if _, err := os.Lstat(filepath.Join(e.config, sealedFileName)); err == nil {
			t.Error("tokens.sealed still holds the new token")
		}
	})
}

// interruptedLockedLogin is lockedLogin with a Ctrl-C once difyctl says
// it is waiting for the official client's lock. It returns the exit code,
// stdout, stderr and the new token id.
func interruptedLockedLogin(t *testing.T, e *cliEnv, f *fakeServer, email string) (int, string, string, string) {
	t.Helper()
	seen := f.pendingCodes()
	cmd := exec.Command(difyctlBin, "auth", "login", "--host", f.url, "--insecure", "--no-browser")
	cmd.Env = e.environ()
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	code := f.waitPending(seen)
	lock := officialLock(t, e)
	t.Cleanup(func() { os.Remove(lock) })
	id := f.approve(code, email, "Test Tester", nil)
	var stderr strings.Builder
	timeout := time.After(30 * time.Second)
	for waiting := false; ; {
		select {
		case l, ok := <-lines:
			if !ok {
				cmd.Wait()
				return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String(), id
			}
			stderr.WriteString(l + "\n")
			if !waiting && strings.Contains(l, "waiting for "+lock) {
				waiting = true
				cmd.Process.Signal(os.Interrupt)
			}
		case <-timeout:
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("difyctl did not end:\n%s", stderr.String())
		}
	}
}

// Ctrl-C while the sign-in waits to record its context leaves no token
// in any store, as a wait that runs out does, and says that the session
// is still active and how to end it (a Ctrl-C does not wait on the
// server to revoke it).
func TestLoginCtrlCInLockWaitLeavesNoToken(t *testing.T) {
	check := func(t *testing.T, e *cliEnv, f *fakeServer) {
		e.writeHosts(twoHosts)
		code, stdout, stderr, id := interruptedLockedLogin(t, e, f, "tester@dify.ai")
		if code != 130 || stdout != "" {
			t.Errorf("exit %d, stdout %q, want 130 and nothing:\n%s", code, stdout, stderr)
		}
		want := "interrupted: the sign-in was not kept and no token of it is stored, but its session of tester@dify.ai on " + f.host +
			" is still active; end it with 'difyctl auth devices revoke " + id + "' from another sign-in of that account"
		if !strings.Contains(stderr, want) {
			t.Errorf("want %q in:\n%s", want, stderr)
		}
		if !f.tokenByID(id).Live {
			t.Error("the session was revoked, yet the message says it is active")
		}
		if e.readHosts() != twoHosts {
			t.Errorf("hosts.yml changed:\n%s", e.readHosts())
		}
		if _, err := os.Lstat(filepath.Join(e.config, sealedFileName)); err == nil {
			t.Errorf("tokens.sealed still exists:\n%s", readFile(t, filepath.Join(e.config, sealedFileName)))
		}
		for p, c := range filesUnder(t, e.config) {
			if strings.Contains(c, f.tokenByID(id).Token) {
				t.Errorf("the token is in %s", p)
			}
		}
	}
	t.Run("sealed", func(t *testing.T) {
		t.Parallel()
		check(t, newCLIEnv(t), fastFake(t))
	})
	t.Run("keychain", func(t *testing.T) {
		t.Parallel()
		f := fastFake(t)
		e := newCLIEnv(t)
		tool := withFakeSecretTool(t, e)
		check(t, e, f)
		if out, ok := secretToolRun(t, tool, "", "lookup", "service", "difyctl", "username", "tokens."+f.host+".tester@dify.ai"); ok {
			t.Errorf("the OS store still holds a token (%d bytes)", len(out))
		}
	})
}
