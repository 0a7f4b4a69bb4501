package main

// local_test.go: black-box tests of the commands that never touch the
// network — whoami, list, use host, use account — plus dispatch, help and
// the error envelopes.

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

func fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "hosts", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestNoSignIns(t *testing.T) {
	e := newCLIEnv(t)
	r := e.run("auth", "whoami")
	wantExit(t, r, 4)
	if r.stdout != "" || r.stderr != "not_logged_in: not logged in\nhint: run 'difyctl auth login'\n" {
		t.Fatalf("whoami without sign-ins:\n%s", r)
	}
	r = e.run("auth", "whoami", "--json")
	wantExit(t, r, 4)
	golden(t, "error_not_logged_in.json", r.stderr)

	r = e.run("auth", "list")
	wantExit(t, r, 0)
	if r.stdout != "HOST  ACCOUNT  ACTIVE\n" {
		t.Fatalf("empty table: %q", r.stdout)
	}
	for format, want := range map[string]string{"json": "{\n  \"contexts\": []\n}\n", "yaml": "contexts: []\n", "name": "\n"} {
		r = e.run("auth", "list", "-o", format)
		wantExit(t, r, 0)
		if r.stdout != want {
			t.Errorf("-o %s with no contexts: %q, want %q", format, r.stdout, want)
		}
	}
	for _, args := range [][]string{{"use", "host", "--domain", "x"}, {"use", "account", "--email", "x"}, {"auth", "logout"}} {
		r = e.run(args...)
		wantExit(t, r, 4)
		if !strings.HasPrefix(r.stderr, "not_logged_in: ") || r.stdout != "" {
			t.Errorf("%v: %s", args, r)
		}
	}
	if _, err := os.Stat(e.config); !os.IsNotExist(err) {
		t.Errorf("read-only commands created the config dir: %v", err)
	}
}

func TestOfficialHostsFileOutputs(t *testing.T) {
	e := newCLIEnv(t)
	e.writeHosts(fixture(t, "official.yml"))
	cases := []struct {
		golden string
		args   []string
	}{
		{"list_table.txt", []string{"auth", "list"}},
		{"list.json", []string{"auth", "list", "-o", "json"}},
		{"list.yaml", []string{"auth", "list", "-o", "yaml"}},
		{"list_name.txt", []string{"auth", "list", "-o", "name"}},
		{"whoami.txt", []string{"auth", "whoami"}},
		{"whoami.json", []string{"auth", "whoami", "--json"}},
	}
	for _, c := range cases {
		r := e.run(c.args...)
		wantExit(t, r, 0)
		if r.stderr != "" {
			t.Errorf("%v wrote to stderr: %q", c.args, r.stderr)
		}
		golden(t, c.golden, r.stdout)
	}
	// -o yaml output reads back with our own reader.
	r := e.run("auth", "list", "-o", "yaml")
	if n, err := parseYAML([]byte(r.stdout)); err != nil || len(n.get("contexts").Vals) != 2 {
		t.Fatalf("yaml output does not parse back: %v", err)
	}
	if got := e.readHosts(); got != fixture(t, "official.yml") {
		t.Fatalf("read-only commands changed hosts.yml:\n%s", got)
	}
}

func TestSSOWhoami(t *testing.T) {
	e := newCLIEnv(t)
	e.writeHosts(strings.Replace(fixture(t, "official.yml"), "current_host: cloud.dify.ai", "current_host: 127.0.0.1:5001", 1))
	r := e.run("auth", "whoami")
	wantExit(t, r, 0)
	golden(t, "whoami_sso.txt", r.stdout)
	r = e.run("auth", "whoami", "--json")
	wantExit(t, r, 0)
	golden(t, "whoami_sso.json", r.stdout)
}

func TestVariedHostsFile(t *testing.T) {
	e := newCLIEnv(t)
	e.writeHosts(fixture(t, "varied.yml"))
	r := e.run("auth", "list")
	wantExit(t, r, 0)
	golden(t, "list_varied_table.txt", r.stdout)
	if strings.ContainsAny(r.stdout, "\x1b\a\u202e") {
		t.Fatalf("control sequences reached the table: %q", r.stdout)
	}
	r = e.run("auth", "list", "-o", "json")
	wantExit(t, r, 0)
	golden(t, "list_varied.json", r.stdout)
	if strings.ContainsAny(r.stdout, "\x1b\a\u202e") {
		t.Fatalf("control characters reached the terminal raw in JSON: %q", r.stdout)
	}
	r = e.run("auth", "whoami", "--json")
	wantExit(t, r, 0)
	if r.stdout != `{"id":"acct-9","email":"you@company.com","name":"Your Name"}`+"\n" {
		t.Fatalf("whoami --json: %q", r.stdout)
	}
}

func TestUseHost(t *testing.T) {
	e := newCLIEnv(t)
	e.writeHosts(fixture(t, "official.yml"))
	r := e.run("use", "host", "--domain", "127.0.0.1:5001")
	wantExit(t, r, 0)
	if r.stdout != "✓ Active host is now 127.0.0.1:5001\n" || r.stderr != "" {
		t.Fatalf("use host:\n%s", r)
	}
	want := strings.Replace(fixture(t, "official.yml"), "current_host: cloud.dify.ai", "current_host: 127.0.0.1:5001", 1)
	if got := e.readHosts(); got != want {
		t.Fatalf("hosts.yml after use host:\n%s", got)
	}
	if r := e.run("auth", "whoami"); !strings.HasPrefix(r.stdout, "sso@dify.ai (external SSO") {
		t.Fatalf("whoami after switching: %s", r)
	}
	// A pasted URL works as well as the bare domain.
	r = e.run("use", "host", "--domain", "HTTPS://Cloud.Dify.AI/")
	wantExit(t, r, 0)
	if !strings.Contains(e.readHosts(), "current_host: cloud.dify.ai\n") {
		t.Fatal("use host with a URL did not switch")
	}
}

func TestUseHostErrors(t *testing.T) {
	e := newCLIEnv(t)
	e.writeHosts(fixture(t, "official.yml"))
	before := e.readHosts()

	r := e.run("use", "host", "--domain", "nowhere.example")
	wantExit(t, r, 2)
	if !strings.Contains(r.stderr, `unknown host "nowhere.example"; known hosts: cloud.dify.ai, 127.0.0.1:5001`) || r.stdout != "" {
		t.Fatalf("unknown host:\n%s", r)
	}
	r = e.run("use", "host")
	wantExit(t, r, 2)
	if !strings.Contains(r.stderr, "usage_missing_arg: --domain is required (no TTY); known hosts: cloud.dify.ai, 127.0.0.1:5001") {
		t.Fatalf("missing --domain outside a terminal:\n%s", r)
	}
	r = e.run("use", "account")
	wantExit(t, r, 2)
	if !strings.Contains(r.stderr, "--email is required (no TTY); known accounts on cloud.dify.ai: tester@dify.ai") {
		t.Fatalf("missing --email outside a terminal:\n%s", r)
	}
	r = e.run("use", "account", "--email", "ghost@dify.ai")
	wantExit(t, r, 2)
	if !strings.Contains(r.stderr, `unknown account "ghost@dify.ai" on cloud.dify.ai; known: tester@dify.ai`) {
		t.Fatalf("unknown account:\n%s", r)
	}
	if e.readHosts() != before {
		t.Fatal("a failed use changed hosts.yml")
	}
}

func TestUseAccountNeedsCredential(t *testing.T) {
	e := newCLIEnv(t)
	e.writeHosts(fixture(t, "official.yml"))
	before := e.readHosts()
	r := e.run("use", "account", "--email", "tester@dify.ai")
	wantExit(t, r, 4)
	if !strings.Contains(r.stderr, "not_logged_in: no credential stored for tester@dify.ai on cloud.dify.ai") ||
		!strings.Contains(r.stderr, "hint: run 'difyctl auth login --host cloud.dify.ai' to sign in again") {
		t.Fatalf("use account without a credential:\n%s", r)
	}
	if e.readHosts() != before {
		t.Fatal("use account without a credential changed hosts.yml")
	}
}

func TestCorruptedHostsFileIsNeverOverwritten(t *testing.T) {
	e := newCLIEnv(t)
	bad := "current_host: a\nhosts:\n  a:\n    accounts: [\n"
	e.writeHosts(bad)
	for _, args := range [][]string{
		{"auth", "whoami"}, {"auth", "list"}, {"auth", "list", "-o", "json"},
		{"use", "host", "--domain", "a"}, {"use", "account", "--email", "x"},
		{"auth", "logout"}, {"auth", "login", "--host", "https://a.example"},
	} {
		r := e.run(args...)
		wantExit(t, r, 1)
		if r.stdout != "" {
			t.Errorf("%v: stdout on failure: %q", args, r.stdout)
		}
		if args[len(args)-1] == "json" {
			if !strings.HasPrefix(r.stderr, `{"error":{"code":"config_invalid"`) {
				t.Errorf("%v: want the JSON envelope, got %q", args, r.stderr)
			}
		} else if !strings.HasPrefix(r.stderr, "config_invalid: cannot parse "+e.hostsPath()+": line ") ||
			!strings.Contains(r.stderr, "hint: fix or move "+e.hostsPath()+" to reset") {
			t.Errorf("%v:\n%s", args, r)
		}
		if got := e.readHosts(); got != bad {
			t.Fatalf("%v changed the unreadable file:\n%s", args, got)
		}
	}
}

func TestSymlinkedHostsFileRefused(t *testing.T) {
	e := newCLIEnv(t)
	os.MkdirAll(e.config, 0o700)
	real := filepath.Join(e.home, "elsewhere.yml")
	content := fixture(t, "official.yml")
	os.WriteFile(real, []byte(content), 0o600)
	if err := os.Symlink(real, e.hostsPath()); err != nil {
		t.Skip("symlinks unavailable:", err)
	}
	for _, args := range [][]string{{"auth", "list"}, {"use", "host", "--domain", "127.0.0.1:5001"}} {
		r := e.run(args...)
		wantExit(t, r, 1)
		if !strings.Contains(r.stderr, "refusing to follow the symlink at "+e.hostsPath()) {
			t.Fatalf("%v:\n%s", args, r)
		}
	}
	if b, _ := os.ReadFile(real); string(b) != content {
		t.Fatal("the symlink target was changed")
	}
	if fi, _ := os.Lstat(e.hostsPath()); fi.Mode()&os.ModeSymlink == 0 {
		t.Fatal("the symlink was replaced")
	}
}

func TestOpenPermissionsWarnOnce(t *testing.T) {
	e := newCLIEnv(t)
	e.writeHosts(fixture(t, "official.yml"))
	os.Chmod(e.hostsPath(), 0o644)
	r := e.run("use", "host", "--domain", "cloud.dify.ai")
	wantExit(t, r, 0)
	warning := e.hostsPath() + " is accessible by other users (mode 0644); run 'chmod 600 " + e.hostsPath() + "'"
	if strings.Count(r.stderr, warning) != 1 {
		t.Fatalf("want the permission warning once:\n%s", r)
	}
	fi, err := os.Stat(e.hostsPath())
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the rewritten file should be 0600, got %v", fi.Mode())
	}
}

func TestFilesCreatedPrivate(t *testing.T) {
	e := newCLIEnv(t)
	e.writeHosts(fixture(t, "official.yml"))
	os.Chmod(e.config, 0o700)
	if r := e.run("use", "host", "--domain", "127.0.0.1:5001"); r.code != 0 {
		t.Fatal(r)
	}
	for path, want := range map[string]os.FileMode{e.config: 0o700, e.hostsPath(): 0o600, e.data: 0o700, filepath.Join(e.data, osLockName): 0o600} {
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v (%v)", path, fi.Mode().Perm(), want, err)
		}
	}
}

// Issue 22 item 4: our OS lock file stays out of the config dir the
// official client owns; it is in the data dir. One left there by an
// older difyctl is removed by the next command that writes.
func TestOSLockIsNotInTheConfigDir(t *testing.T) {
	f := fastFake(t)
	e := newCLIEnv(t)
	r, _ := e.login(f, "tester@dify.ai", "Test Tester", nil, "--no-browser")
	wantExit(t, r, 0)
	wantExit(t, e.run("use", "host", "--domain", f.host), 0)
	wantExit(t, e.run("auth", "logout"), 0)
	entries, err := os.ReadDir(e.config)
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range entries {
		if de.Name() != "hosts.yml" && de.Name() != sealedFileName {
			t.Errorf("the config dir holds %s after login, use and logout", de.Name())
		}
	}
	if _, err := os.Lstat(filepath.Join(e.data, osLockName)); err != nil {
		t.Errorf("no OS lock in the data dir: %v", err)
	}

	old := filepath.Join(e.config, osLockName)
	if err := os.WriteFile(old, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	r, _ = e.login(f, "tester@dify.ai", "Test Tester", nil, "--no-browser")
	wantExit(t, r, 0)
	if _, err := os.Lstat(old); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("an older difyctl's %s stays in the config dir (%v)", osLockName, err)
	}
}

func TestDispatchAndParserErrors(t *testing.T) {
	e := newCLIEnv(t)
	r := e.run()
	wantExit(t, r, 0)
	for _, c := range []string{"auth login", "auth logout", "auth whoami", "auth list", "auth devices list", "auth devices revoke", "use host", "use account", "version"} {
		if !strings.Contains(r.stdout, "  "+c+" ") {
			t.Errorf("overview lacks %q", c)
		}
	}
	r = e.run("auth", "whomai")
	wantExit(t, r, 1)
	if !strings.Contains(r.stderr, "unknown command: auth whomai") || !strings.Contains(r.stderr, "difyctl auth whoami") || r.stdout != "" {
		t.Fatalf("did-you-mean:\n%s", r)
	}
	r = e.run("frobnicate")
	wantExit(t, r, 1)
	r = e.run("auth", "list", "--outptu", "json")
	wantExit(t, r, 1)
	if !strings.Contains(r.stderr, "unknown flag: --outptu") || !strings.Contains(r.stderr, "Did you mean --output?") {
		t.Fatalf("unknown flag:\n%s", r)
	}
	r = e.run("use", "host", "--domain")
	wantExit(t, r, 2)
	if !strings.Contains(r.stderr, "flag --domain expects a value") {
		t.Fatalf("flag without value:\n%s", r)
	}
	r = e.run("auth", "list", "-o", "table")
	wantExit(t, r, 2)
	if r.stderr != "illegal_argument: illegal value table for flag --output / -o\nhint: supported value: json, yaml, name\n" {
		t.Fatalf("bad -o:\n%s", r)
	}
	r = e.run("auth", "whoami", "extra")
	wantExit(t, r, 1)
	r = e.run("version")
	wantExit(t, r, 0)
	if !strings.HasPrefix(r.stdout, "difyctl "+version+" ("+runtime.GOOS+"/"+runtime.GOARCH+", go") {
		t.Fatalf("version: %q", r.stdout)
	}
	// Every module go.mod requires is named with its exact version, from the
	// binary's own build information.
	mod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	required := 0
	for _, line := range strings.Split(string(mod), "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && strings.HasPrefix(f[0], "golang.org/x/") {
			required++
			if !strings.Contains(r.stdout, "\n  "+f[0]+" "+f[1]+"\n") {
				t.Errorf("version does not name %s %s:\n%s", f[0], f[1], r.stdout)
			}
		}
	}
	if required != 2 {
		t.Fatalf("go.mod: found %d golang.org/x requirements, want 2", required)
	}
	r = e.run("--version")
	if r.stdout != "difyctl "+version+"\n" {
		t.Fatalf("--version: %q", r.stdout)
	}
}

func TestHelpOnEveryCommand(t *testing.T) {
	e := newCLIEnv(t)
	for _, c := range commands {
		for _, h := range []string{"--help", "-h"} {
			args := append(strings.Fields(c.path), h)
			r := e.run(args...)
			wantExit(t, r, 0)
			for _, section := range []string{"USAGE\n  difyctl " + c.usage, "FLAGS\n", "EXAMPLES\n", "EXIT CODES\n"} {
				if !strings.Contains(r.stdout, section) {
					t.Errorf("%v: help lacks %q:\n%s", args, section, r.stdout)
				}
			}
			if r.stderr != "" {
				t.Errorf("%v: help wrote to stderr", args)
			}
		}
	}
	// The pickers' exits: Ctrl-C is 130, Esc 2; a hosts.yml error is 1.
	for _, c := range []string{"use host", "use account"} {
		r := e.run(append(strings.Fields(c), "--help")...)
		for _, want := range []string{"\n  1    hosts.yml ", "Esc in the picker\n", "\n  130  Interrupted (Ctrl-C); nothing was written\n"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("%s --help lacks %q:\n%s", c, want, r.stdout)
			}
		}
	}
	for _, g := range []string{"auth", "use", "auth devices"} {
		r := e.run(append(strings.Fields(g), "--help")...)
		wantExit(t, r, 0)
		for _, section := range []string{"USAGE\n  difyctl " + g + " <command>", "COMMANDS\n", "FLAGS\n", "EXAMPLES\n  difyctl " + g + " ", "EXIT CODES\n"} {
			if !strings.Contains(r.stdout, section) {
				t.Errorf("%s --help lacks %q:\n%s", g, section, r.stdout)
			}
		}
	}
	r := e.run("auth", "devices", "revoke", "--help")
	if !strings.Contains(r.stdout, "-y, --yes") {
		t.Errorf("revoke help should show -y, --yes:\n%s", r.stdout)
	}
}

// TestBrokenPipeExitsZero gives difyctl a stdout (or stderr) pipe whose
// reader is already gone, so the very first write fails: the command must
// end with its usual exit code, not die of SIGPIPE.
func TestBrokenPipeExitsZero(t *testing.T) {
	e := newCLIEnv(t)
	e.writeHosts("hosts:\n  h.example:\n    accounts:\n      u@x.io:\n        account:\n          id: a\n          email: u@x.io\n          name: U\n")
	for _, tc := range []struct {
		name   string
		args   []string
		stderr bool // the closed pipe is stderr rather than stdout
		want   int
	}{
		{"list to a closed stdout", []string{"auth", "list"}, false, 0},
		{"json list to a closed stdout", []string{"auth", "list", "-o", "json"}, false, 0},
		{"use host (catches interrupts) to a closed stdout", []string{"use", "host", "--domain", "h.example"}, false, 0},
		{"error to a closed stderr", []string{"use", "host", "--domain", "nowhere.example"}, true, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			r.Close()
			defer w.Close()
			cmd := exec.Command(difyctlBin, tc.args...)
			cmd.Env = e.environ()
			if tc.stderr {
				cmd.Stderr = w
			} else {
				cmd.Stdout = w
			}
			err = cmd.Run()
			var ee *exec.ExitError
			if err != nil && !errors.As(err, &ee) {
				t.Fatal(err)
			}
			ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
			if ws.Signaled() {
				t.Fatalf("difyctl %v died of %v writing to a closed pipe; want exit %d", tc.args, ws.Signal(), tc.want)
			}
			if got := cmd.ProcessState.ExitCode(); got != tc.want {
				t.Fatalf("difyctl %v with a closed pipe: exit %d, want %d", tc.args, got, tc.want)
			}
		})
	}
}
