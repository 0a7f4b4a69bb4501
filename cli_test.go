package main

// cli_test.go: the black-box harness. TestMain builds the real difyctl once;
// tests run it as a user would — argv, env, stdin — in a temporary HOME and
// config dir, and look at stdout, stderr, the exit code and the files.

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	difyctlBin string
	binDir     string
	update     = flag.Bool("update", false, "rewrite golden files")
)

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "difyctl-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := runHelperOrTests(m)
	if os.Getenv(helperEnv) == "" && code == 0 && !checkHygiene() {
		code = 1
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

var (
	buildOnce sync.Once
	buildErr  error
)

// buildDifyctl builds the real binary once per test run, on first use, so
// unit tests and fuzz workers do not pay for it.
func buildDifyctl(t testing.TB) {
	t.Helper()
	buildOnce.Do(func() {
		difyctlBin = filepath.Join(binDir, "difyctl")
		if runtime.GOOS == "windows" {
			difyctlBin += ".exe"
		}
		out, err := exec.Command("go", "build", "-o", difyctlBin, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("building difyctl: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
}

// cliEnv is one user's machine: a HOME, a config dir, a data dir and the
// environment variables the binary sees — nothing from the real one.
type cliEnv struct {
	t      testing.TB
	home   string
	config string
	data   string
	vars   map[string]string
}

// newCLIEnv makes a fresh machine. Tokens go to the sealed file unless a
// test asks for the OS store: the test machine may have no keyring.
func newCLIEnv(t testing.TB) *cliEnv {
	t.Helper()
	buildDifyctl(t)
	home := t.TempDir()
	e := &cliEnv{
		t:      t,
		home:   home,
		config: filepath.Join(home, "config", "difyctl"),
		data:   filepath.Join(home, "data", "difyctl"),
		vars:   map[string]string{"DIFY_TOKEN_STORAGE": "sealed"},
	}
	// Runs before t.TempDir removes the files: whatever difyctl left in
	// this HOME goes to the secret-hygiene check.
	t.Cleanup(func() { noteFiles(t, home) })
	return e
}

// environ is the child's whole environment.
func (e *cliEnv) environ() []string {
	env := []string{
		"HOME=" + e.home,
		"PATH=" + os.Getenv("PATH"),
		"DIFY_CONFIG_DIR=" + e.config,
		"DIFY_DATA_DIR=" + e.data,
		"LANG=C.UTF-8",
	}
	for k, v := range e.vars {
		env = append(env, k+"="+v)
	}
	return env
}

type result struct {
	stdout, stderr string
	code           int
	elapsed        time.Duration
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout ---\n%s--- stderr ---\n%s", r.code, r.stdout, r.stderr)
}

// run runs difyctl with args and no stdin.
func (e *cliEnv) run(args ...string) result {
	e.t.Helper()
	return e.runStdin("", args...)
}

// runStdin runs difyctl feeding stdin; it fails the test after 60 s.
func (e *cliEnv) runStdin(stdin string, args ...string) result {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, difyctlBin, args...)
	cmd.Env = e.environ()
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String(), elapsed: time.Since(start)}
	noteText(e.t.Name()+": output of difyctl "+strings.Join(args, " "), r.stdout+r.stderr)
	if ctx.Err() != nil {
		e.t.Fatalf("difyctl %s: timed out\n%s", strings.Join(args, " "), r)
	}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		e.t.Fatalf("difyctl %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// start launches difyctl without waiting, for signal and concurrency tests.
func (e *cliEnv) start(args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	e.t.Helper()
	cmd := exec.Command(difyctlBin, args...)
	cmd.Env = e.environ()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	return cmd, &out, &errb
}

func (e *cliEnv) hostsPath() string { return filepath.Join(e.config, hostsFileName) }

// writeHosts puts a hosts.yml in place, 0600 in a 0700 dir.
func (e *cliEnv) writeHosts(content string) {
	e.t.Helper()
	if err := os.MkdirAll(e.config, 0o700); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(e.hostsPath(), []byte(content), 0o600); err != nil {
		e.t.Fatal(err)
	}
}

func (e *cliEnv) readHosts() string {
	e.t.Helper()
	b, err := os.ReadFile(e.hostsPath())
	if err != nil {
		e.t.Fatal(err)
	}
	return string(b)
}

// wantExit fails unless r exited with code.
func wantExit(t testing.TB, r result, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("want exit %d, got\n%s", code, r)
	}
}

// golden compares got with testdata/golden/<name>, or rewrites it with
// -update.
func golden(t testing.TB, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("missing golden file %s (run go test -update): %v", path, err)
	}
	if string(want) != got {
		t.Fatalf("%s differs:\n--- want ---\n%s--- got ---\n%s", name, want, got)
	}
}
