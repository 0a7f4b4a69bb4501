package main

// store_owner_linux_test.go: issue 19 items 6 and 7 — the owner and
// permission check of the config dir, its parents and the sealed secrets,
// made before a sign-in starts and before any token is read.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// wantLoginRefused runs auth login against f and checks it was refused
// with config_insecure, exit 1, before any request reached the fake.
func wantLoginRefused(t *testing.T, e *cliEnv, f *fakeServer, wantMsg, wantHint string) result {
	t.Helper()
	before := f.state().Requests
	r := e.run("auth", "login", "--host", f.url, "--insecure", "--no-browser")
	wantExit(t, r, 1)
	if !strings.Contains(r.stderr, "config_insecure: "+wantMsg) || !strings.Contains(r.stderr, "the sign-in was not started") ||
		!strings.Contains(r.stderr, "hint: "+wantHint) || r.stdout != "" {
		t.Errorf("login: want config_insecure %q with hint %q:\n%s", wantMsg, wantHint, r)
	}
	if after := f.state().Requests; after != before {
		t.Errorf("login: %d request(s) reached the server before the refusal", after-before)
	}
	return r
}

// Item 6: a config dir another user can change is refused in the
// pre-flight, before the device flow starts.
func TestLoginPreflightRefusesInsecureConfigDir(t *testing.T) {
	f := fastFake(t)
	e := newCLIEnv(t)
	e.writeHosts("")
	os.Chmod(e.config, 0o777)
	wantLoginRefused(t, e, f, e.config+" is writable by other users (mode 0777)", "check its content, then run 'chmod 700 "+e.config+"'")
	os.Chmod(e.config, 0o700)
	if os.Getuid() == 0 {
		os.Chown(e.config, 12345, 12345)
		wantLoginRefused(t, e, f, e.config+" is owned by another user (uid 12345)", "check who changed it, then run 'sudo chown root "+e.config+"'")
		os.Chown(e.config, 0, 0)
	}
	r, _ := e.login(f, "tester@dify.ai", "Test Tester", nil)
	wantExit(t, r, 0)
}

// Item 6: the parents of the config dir up to the home dir pass the same
// check, as ssh's StrictModes: a parent another user can write lets them
// swap the config dir. A sticky one (like /tmp) cannot be used for that;
// what is above the home dir is not looked at.
func TestConfigParentsCheckedLikeStrictModes(t *testing.T) {
	f := fastFake(t)
	e := newCLIEnv(t)
	r, _ := e.login(f, "tester@dify.ai", "Test Tester", nil)
	wantExit(t, r, 0)
	parent := filepath.Dir(e.config) // $HOME/config

	os.Chmod(parent, 0o777)
	msg := parent + ", a parent of " + e.config + ", is writable by other users (mode 0777)"
	hint := "run 'chmod go-w " + parent + "', or set DIFY_CONFIG_DIR to a directory that only you can change"
	wantLoginRefused(t, e, f, msg, hint)
	r = wantRefused(t, e, f, "config_insecure", "auth", "status")
	if !strings.Contains(r.stderr, msg) || !strings.Contains(r.stderr, "no token was read") || !strings.Contains(r.stderr, "hint: "+hint) {
		t.Errorf("status:\n%s", r)
	}
	wantRefused(t, e, f, "config_insecure", "auth", "token")

	// The home dir itself counts.
	os.Chmod(parent, 0o700)
	os.Chmod(e.home, 0o775)
	r = wantRefused(t, e, f, "config_insecure", "auth", "token")
	if !strings.Contains(r.stderr, e.home+", a parent of "+e.config+", is writable by other users (mode 0775)") {
		t.Errorf("home dir:\n%s", r)
	}
	os.Chmod(e.home, 0o700)

	// A sticky parent is fine, and so is one above the home dir.
	os.Chmod(parent, os.ModeSticky|0o777)
	above := filepath.Dir(e.home)
	fi, err := os.Stat(above)
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(above, 0o777)
	t.Cleanup(func() { os.Chmod(above, fi.Mode().Perm()) })
	wantExit(t, e.authToken(), 0)
	r, _ = e.login(f, "tester@dify.ai", "Test Tester", nil)
	wantExit(t, r, 0)
	os.Chmod(above, fi.Mode().Perm())
	os.Chmod(parent, 0o700)

	// A parent owned by another user (root can make one here).
	if os.Getuid() == 0 {
		os.Chown(parent, 12345, 12345)
		wantLoginRefused(t, e, f, parent+", a parent of "+e.config+", is owned by another user (uid 12345)",
			"check who changed it, then run 'sudo chown root "+parent+"'")
		os.Chown(parent, 0, 0)
	}

	// Outside the home dir the walk goes up to the root, through a
	// symlink too: here the config dir is reached through a link in the
	// home dir to a dir under a world-writable one.
	open := t.TempDir()
	os.Chmod(open, 0o777)
	real := filepath.Join(open, "cfg")
	if err := os.Mkdir(real, 0o700); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(e.home, "cfglink")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	e.vars["DIFY_CONFIG_DIR"] = link
	wantLoginRefused(t, e, f, open+", a parent of "+link+", is writable by other users (mode 0777)", "run 'chmod go-w "+open+"'")
	os.Chmod(open, 0o700)
	r, _ = e.login(f, "tester@dify.ai", "Test Tester", nil)
	wantExit(t, r, 0)
}

// Item 7: the sealed file's key or tokens.sealed readable by anyone else,
// by mode or by ACL, is refused (config_insecure, exit 1) with the exact
// command that fixes it, before any token is read or any sign-in starts.
func TestReadableSealedSecretsRefused(t *testing.T) {
	f := fastFake(t)
	e := newCLIEnv(t)
	r, _ := e.login(f, "tester@dify.ai", "Test Tester", nil)
	wantExit(t, r, 0)
	key := filepath.Join(e.data, sealedKeyName)
	sealed := filepath.Join(e.config, sealedFileName)
	for _, p := range []string{key, sealed} {
		for _, mode := range []os.FileMode{0o640, 0o604} {
			os.Chmod(p, mode)
			r = wantRefused(t, e, f, "config_insecure", "auth", "token")
			if !strings.Contains(r.stderr, fmt.Sprintf("%s is readable by other users (mode %04o)", p, mode)) ||
				!strings.Contains(r.stderr, "open every sealed token") || !strings.Contains(r.stderr, "hint: check who read it, then run 'chmod 600 "+p+"'") {
				t.Errorf("%s mode %04o:\n%s", p, mode, r)
			}
			wantLoginRefused(t, e, f, p+" is readable by other users", "check who read it, then run 'chmod 600 "+p+"'")
			os.Chmod(p, 0o600)
		}
	}

	setfacl, err := exec.LookPath("setfacl")
	if err != nil {
		t.Skip("setfacl is not installed (apt install acl): the ACL cases are not checked")
	}
	for _, p := range []string{key, sealed} {
		if out, err := exec.Command(setfacl, "-m", "u:nobody:r", p).CombinedOutput(); err != nil {
			t.Fatalf("setfacl: %v\n%s", err, out)
		}
		r = wantRefused(t, e, f, "config_insecure", "auth", "token")
		fix := "setfacl -b " + p + " && chmod 600 " + p
		if !strings.Contains(r.stderr, p+" is readable by user nobody (uid ") || !strings.Contains(r.stderr, "through its ACL") ||
			!strings.Contains(r.stderr, "hint: check who read it, then run '"+fix+"'") {
			t.Errorf("ACL on %s:\n%s", p, r)
		}
		wantLoginRefused(t, e, f, p+" is readable by user nobody", "check who read it, then run '"+fix+"'")
		// The hint's command is the fix.
		if out, err := exec.Command("sh", "-c", fix).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", fix, err, out)
		}
		if r = e.authToken(); r.code != 0 || strings.Contains(r.stderr, "config_insecure") {
			t.Fatalf("after the hint's fix:\n%s", r)
		}
	}
	// An ACL entry the mask takes all rights from lets nobody read: it is
	// not refused.
	if out, err := exec.Command(setfacl, "-m", "u:nobody:r,m::-", key).CombinedOutput(); err != nil {
		t.Fatalf("setfacl: %v\n%s", err, out)
	}
	wantExit(t, e.authToken(), 0)
	// A group ACL entry counts as much as a user one.
	if out, err := exec.Command(setfacl, "-m", "g:nogroup:r", key).CombinedOutput(); err != nil {
		t.Fatalf("setfacl: %v\n%s", err, out)
	}
	r = wantRefused(t, e, f, "config_insecure", "auth", "token")
	if !strings.Contains(r.stderr, "readable by user nobody (uid 65534), group nogroup (gid ") {
		t.Errorf("group ACL:\n%s", r)
	}
}
