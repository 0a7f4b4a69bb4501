package main

// wine_linux_test.go: the Windows difyctl.exe, black box, under Wine,
// against the fake server running natively on loopback. Every step runs on
// the Linux binary too, and both must print the same stdout and exit with
// the same code (host:port, times and ids normalized). Runs only when
// DIFYCTL_WINE=1, as .ci/wine-test.sh sets it together with a throw-away
// WINEPREFIX that has the ProcessPrng shim installed.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	wineBuildOnce sync.Once
	wineExe       string
	wineBuildErr  error
)

// wineMachine is one Windows user in the Wine prefix.
type wineMachine struct {
	t      *testing.T
	loader string // wine64
	prefix string
	exe    string
	extra  []string // more environment, e.g. DIFY_TOKEN_STORAGE
}

func newWineMachine(t *testing.T) *wineMachine {
	t.Helper()
	if os.Getenv("DIFYCTL_WINE") != "1" {
		t.Skip("set DIFYCTL_WINE=1 (as .ci/wine-test.sh does) to run the Windows binary under Wine")
	}
	prefix := os.Getenv("WINEPREFIX")
	if prefix == "" {
		t.Fatal("DIFYCTL_WINE=1 needs WINEPREFIX (a throw-away prefix with the ProcessPrng shim; see .ci/wine-test.sh)")
	}
	loader := os.Getenv("DIFYCTL_WINE_LOADER")
	if loader == "" {
		loader = "wine64"
	}
	wineBuildOnce.Do(func() {
		wineExe = filepath.Join(binDir, "difyctl.exe")
		cmd := exec.Command("go", "build", "-o", wineExe, ".")
		cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			wineBuildErr = fmt.Errorf("building difyctl.exe: %v\n%s", err, out)
		}
	})
	if wineBuildErr != nil {
		t.Fatal(wineBuildErr)
	}
	return &wineMachine{t: t, loader: loader, prefix: prefix, exe: wineExe}
}

// environ is what Wine gets: no DIFY_* variable, so difyctl.exe finds its
// config dir through %APPDATA% and keeps tokens in Credential Manager.
func (w *wineMachine) environ() []string {
	env := []string{
		"WINEPREFIX=" + w.prefix,
		"WINEDEBUG=-all",
		"DISPLAY=",
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
		"LANG=C.UTF-8",
	}
	// Wine names the Windows user after $USER: an empty one would put the
	// profile at C:\users\AppData.
	if u := os.Getenv("USER"); u != "" {
		env = append(env, "USER="+u)
	}
	return append(env, w.extra...)
}

func (w *wineMachine) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, w.loader, append([]string{w.exe}, args...)...)
	cmd.Env = w.environ()
	return cmd
}

// run runs difyctl.exe; unless secret is set, what it printed goes to the
// hygiene check.
func (w *wineMachine) run(secret bool, args ...string) result {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := w.command(ctx, args...)
	cmd.Stdin = strings.NewReader("")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	if !secret {
		noteText(w.t.Name()+": output of difyctl.exe "+strings.Join(args, " "), r.stdout+r.stderr)
	}
	if ctx.Err() != nil {
		w.t.Fatalf("difyctl.exe %s: timed out\n%s", strings.Join(args, " "), r)
	}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		w.t.Fatalf("difyctl.exe %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// login signs difyctl.exe in to f, approving the code as email.
func (w *wineMachine) login(f *fakeServer, email, name string) (result, string) {
	w.t.Helper()
	seen := pendingCodes(f)
	cmd := w.command(context.Background(), "auth", "login", "--host", f.url, "--insecure", "--no-browser")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	id := f.approve(f.waitPending(seen), email, name, nil)
	return waitResult(w.t, cmd, &out, &errb), id
}

func pendingCodes(f *fakeServer) map[string]bool {
	var p struct {
		UserCodes []string `json:"user_codes"`
	}
	f.ctl("GET", "pending", nil, &p)
	seen := map[string]bool{}
	for _, c := range p.UserCodes {
		seen[c] = true
	}
	return seen
}

// probeCred asks the Windows test binary (DIFYCTL_WINE_TEST_EXE, built by
// .ci/wine-test.sh) what Credential Manager holds under target: user
// name, comment and the SHA-256 of the value, or "missing".
func (w *wineMachine) probeCred(target string) string {
	w.t.Helper()
	exe := os.Getenv("DIFYCTL_WINE_TEST_EXE")
	if exe == "" {
		w.t.Fatal("DIFYCTL_WINE_TEST_EXE is not set: build the Windows test binary (GOOS=windows go test -c) and name it there")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, w.loader, exe, "-test.run=^TestWindowsCredentialProbe$")
	cmd.Env = append(w.environ(), "DIFYCTL_WIN_CRED_PROBE="+target)
	out, err := cmd.Output()
	if err != nil {
		w.t.Fatalf("probing Credential Manager: %v\n%s", err, out)
	}
	// Drop the test runner's own closing line.
	return strings.TrimSuffix(string(out), "PASS\n")
}

// userDir is the Wine user's profile dir on the Linux side.
func (w *wineMachine) userDir() string {
	w.t.Helper()
	m, _ := filepath.Glob(filepath.Join(w.prefix, "drive_c", "users", "*", "AppData", "Roaming"))
	for _, p := range m {
		if !strings.Contains(p, string(filepath.Separator)+"Public"+string(filepath.Separator)) {
			return filepath.Dir(filepath.Dir(p))
		}
	}
	w.t.Fatalf("no user profile in %s", w.prefix)
	return ""
}

var (
	wineTimeRE = regexp.MustCompile(`\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?`)
	wineIDRE   = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
)

// normalize makes two runs against different fakes comparable.
func normalize(s string, hosts ...string) string {
	// Longest first: 127.0.0.1:4000 must not eat into 127.0.0.1:40001.
	order := make([]int, len(hosts))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return len(hosts[order[a]]) > len(hosts[order[b]]) })
	for _, i := range order {
		s = strings.ReplaceAll(s, hosts[i], fmt.Sprintf("HOST%d", i+1))
	}
	s = wineTimeRE.ReplaceAllString(s, "TIME")
	return wineIDRE.ReplaceAllString(s, "ID")
}

func TestWineBlackBox(t *testing.T) {
	w := newWineMachine(t)
	lin := newCLIEnv(t)
	wl1, wl2 := fastFake(t), fastFake(t) // the Linux binary's servers
	ww1, ww2 := fastFake(t), fastFake(t) // difyctl.exe's servers
	appData := filepath.Join(w.userDir(), "AppData", "Roaming", "difyctl")
	t.Cleanup(func() { noteFiles(t, w.userDir()) })
	if _, err := os.Stat(appData); err == nil {
		t.Fatalf("%s exists before the first login: the prefix is not fresh", appData)
	}

	// same runs one step on both and compares stdout and exit code.
	same := func(wantCode int, args ...string) (result, result) {
		t.Helper()
		rl := lin.run(args...)
		rw := w.run(false, args...)
		gotL := normalize(rl.stdout, wl1.host, wl2.host)
		gotW := normalize(rw.stdout, ww1.host, ww2.host)
		if rl.code != wantCode || rw.code != wantCode || gotL != gotW {
			t.Fatalf("difyctl %s: Linux and Windows differ (want exit %d)\n--- Linux ---\n%s\n--- Windows (Wine) ---\n%s",
				strings.Join(args, " "), wantCode, rl, rw)
		}
		if (rl.stderr == "") != (rw.stderr == "") {
			t.Fatalf("difyctl %s: stderr differs\n--- Linux ---\n%s\n--- Windows (Wine) ---\n%s", strings.Join(args, " "), rl, rw)
		}
		return rl, rw
	}
	sameLogin := func(fl, fw *fakeServer, email, name string) string {
		t.Helper()
		rl, _ := lin.login(fl, email, name, nil, "--no-browser")
		rw, id := w.login(fw, email, name)
		gotL := normalize(rl.stdout, wl1.host, wl2.host)
		gotW := normalize(rw.stdout, ww1.host, ww2.host)
		if rl.code != 0 || rw.code != 0 || gotL != gotW {
			t.Fatalf("login %s: Linux and Windows differ\n--- Linux ---\n%s\n--- Windows (Wine) ---\n%s", email, rl, rw)
		}
		if !strings.Contains(rw.stderr, "Copy this one-time code") {
			t.Fatalf("login on Windows did not show the code:\n%s", rw)
		}
		return id
	}

	idA := sameLogin(wl1, ww1, "alice@x.io", "Alice")
	sameLogin(wl1, ww1, "bob@x.io", "Bob")
	sameLogin(wl2, ww2, "carol@例え.jp", "Carol")

	same(0, "auth", "whoami")
	same(0, "auth", "whoami", "--json")
	same(0, "auth", "list")
	same(0, "auth", "list", "-o", "json")
	same(0, "auth", "list", "-o", "yaml")
	same(0, "auth", "list", "-o", "name")
	same(2, "auth", "list", "-o", "wide")

	// Config in %APPDATA%\difyctl; tokens in Credential Manager, not on disk.
	hosts, err := os.ReadFile(filepath.Join(appData, "hosts.yml"))
	if err != nil {
		t.Fatalf("hosts.yml is not in the Wine user's %%APPDATA%%\\difyctl: %v", err)
	}
	if !strings.Contains(string(hosts), "token_storage: keychain") || strings.Contains(string(hosts), "token_storage: sealed") {
		t.Fatalf("difyctl.exe did not keep its tokens in Credential Manager:\n%s", hosts)
	}
	for _, f := range []*fakeServer{ww1, ww2} {
		for _, tk := range f.tokens() {
			if strings.Contains(string(hosts), tk.Token) {
				t.Fatal("a token is in hosts.yml")
			}
		}
	}
	if _, err := os.Stat(filepath.Join(appData, sealedFileName)); err == nil {
		t.Fatal("difyctl.exe wrote tokens.sealed although Credential Manager works")
	}
	// Credential Manager holds alice's token under the official name.
	alice := "tokens." + ww1.host + ".alice@x.io"
	sum := sha256.Sum256([]byte(`"` + ww1.tokenByID(idA).Token + `"`))
	want := "user=" + alice + "\ncomment=difyctl: alice@x.io on " + ww1.host + "\nsha256=" + hex.EncodeToString(sum[:]) + "\n"
	if got := w.probeCred(alice + ".difyctl"); got != want {
		t.Fatalf("Credential Manager entry %s.difyctl:\n%s\nwant:\n%s", alice, got, want)
	}
	carol := "tokens." + ww2.host + ".carol@例え.jp.difyctl"
	if got := w.probeCred(carol); !strings.HasPrefix(got, "user=") {
		t.Fatalf("no Credential Manager entry %s: %s", carol, got)
	}

	// Switching hosts: the domain names differ per side, one call each.
	useHost1 := func() {
		t.Helper()
		rl := lin.run("use", "host", "--domain", wl1.host)
		rw := w.run(false, "use", "host", "--domain", ww1.host)
		if rl.code != 0 || rw.code != 0 || normalize(rl.stdout, wl1.host, wl2.host) != normalize(rw.stdout, ww1.host, ww2.host) {
			t.Fatalf("use host differs\n--- Linux ---\n%s\n--- Windows (Wine) ---\n%s", rl, rw)
		}
	}
	useHost1()
	same(0, "auth", "whoami")
	same(0, "use", "account", "--email", "alice@x.io")
	same(0, "auth", "whoami")
	same(2, "use", "account", "--email", "nobody@x.io")
	same(2, "use", "host", "--domain", "unknown.example")

	// Devices: the same seeded sessions on both sides.
	for _, f := range []*fakeServer{wl1, ww1} {
		f.seed("alice@x.io", 2, "difyctl on laptop", "web console")
	}
	same(0, "auth", "devices", "list")
	same(0, "auth", "devices", "list", "--json")
	same(0, "auth", "devices", "revoke", "web console", "-y")
	same(2, "auth", "devices", "revoke", "no such device", "-y")
	same(0, "auth", "devices", "revoke", "--all", "-y")
	same(0, "auth", "devices", "list")

	// Logout revokes the session and drops the token and the context.
	same(0, "auth", "logout")
	if tk := ww1.tokenByID(idA); tk.Live {
		t.Fatal("logout on Windows did not revoke the session")
	}
	if got := w.probeCred(alice + ".difyctl"); got != "missing\n" {
		t.Fatalf("alice's Credential Manager entry is still there after logout: %s", got)
	}
	same(4, "auth", "whoami")
	same(0, "auth", "list")
	same(4, "use", "account", "--email", "bob@x.io")
	useHost1()
	same(0, "use", "account", "--email", "bob@x.io")
	same(0, "auth", "whoami")
	same(0, "auth", "logout")
}

// winPath is path as Wine shows it to Windows programs (drive Z: is /).
func winPath(p string) string { return `Z:` + strings.ReplaceAll(p, "/", `\`) }

// TestWineBrokenPipe: `difyctl.exe auth list | head -1` exits 0 and
// prints nothing on stderr, as on Linux, when the reader goes away
// while difyctl is still writing.
func TestWineBrokenPipe(t *testing.T) {
	w := newWineMachine(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "cfg")
	if err := os.MkdirAll(cfg, 0o700); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("current_host: h0.example\nhosts:\n")
	for h := 0; h < 200; h++ {
		fmt.Fprintf(&b, "  h%d.example:\n    current_account: u0@x.io\n    accounts:\n", h)
		for a := 0; a < 20; a++ {
			fmt.Fprintf(&b, "      u%d@x.io:\n        account:\n          id: id%d\n          email: u%d@x.io\n          name: User %d\n", a, a, a, a)
		}
	}
	if err := os.WriteFile(filepath.Join(cfg, hostsFileName), []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"table", "json", "yaml", "name"} {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		cmd := w.command(ctx, "auth", "list", "-o", format)
		if format == "table" {
			cmd = w.command(ctx, "auth", "list")
		}
		cmd.Env = append(cmd.Env, "DIFY_CONFIG_DIR="+winPath(cfg))
		var errb bytes.Buffer
		cmd.Stderr = &errb
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		first := make([]byte, 64)
		if _, err := io.ReadFull(out, first); err != nil {
			t.Fatalf("-o %s: reading the first bytes: %v", format, err)
		}
		out.Close() // what head does after its first line
		err = cmd.Wait()
		cancel()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil && ctx.Err() != nil {
			t.Fatalf("-o %s: timed out", format)
		}
		if code != 0 || errb.Len() != 0 {
			t.Fatalf("-o %s with the reader gone: exit %d, stderr %q (want exit 0, no stderr)", format, code, errb.String())
		}
	}
}

// TestWineSealedFallbackPaths: with the sealed file forced, difyctl.exe
// keeps tokens.sealed in %APPDATA%\difyctl and its DPAPI-wrapped key in
// %LOCALAPPDATA%\difyctl, and signs in and out through them.
func TestWineSealedFallbackPaths(t *testing.T) {
	w := newWineMachine(t)
	w.extra = []string{"DIFY_TOKEN_STORAGE=sealed"}
	f := fastFake(t)
	t.Cleanup(func() { noteFiles(t, w.userDir()) })
	r, id := w.login(f, "dave@x.io", "Dave")
	if r.code != 0 {
		t.Fatalf("login with the sealed file:\n%s", r)
	}
	roaming := filepath.Join(w.userDir(), "AppData", "Roaming", "difyctl")
	local := filepath.Join(w.userDir(), "AppData", "Local", "difyctl")
	sealed, err := os.ReadFile(filepath.Join(roaming, sealedFileName))
	if err != nil {
		t.Fatalf("tokens.sealed is not in %%APPDATA%%\\difyctl: %v", err)
	}
	key, err := os.ReadFile(filepath.Join(local, sealedKeyName))
	if err != nil {
		t.Fatalf("tokens.key is not in %%LOCALAPPDATA%%\\difyctl: %v", err)
	}
	if !strings.HasPrefix(string(key), "difyctl-key 1 dpapi ") {
		t.Fatalf("the key secret is not DPAPI-wrapped: %.24q", key)
	}
	if _, err := os.Stat(filepath.Join(roaming, sealedKeyName)); err == nil {
		t.Fatal("the key secret is in the config dir")
	}
	tok := f.tokenByID(id).Token
	if strings.Contains(string(sealed), tok) {
		t.Fatal("tokens.sealed holds the token in clear")
	}
	hosts, _ := os.ReadFile(filepath.Join(roaming, hostsFileName))
	if !strings.Contains(string(hosts), "token_storage: sealed") || strings.Contains(string(hosts), tok) {
		t.Fatalf("hosts.yml does not record the sealed file, or holds the token:\n%s", hosts)
	}
	// The token opens: a network command authenticates with it.
	if r := w.run(false, "auth", "devices", "list"); r.code != 0 || !strings.Contains(r.stdout, "*") {
		t.Fatalf("devices list with the sealed token:\n%s", r)
	}
	if r := w.run(false, "auth", "logout"); r.code != 0 {
		t.Fatalf("logout:\n%s", r)
	}
	if f.tokenByID(id).Live {
		t.Fatal("logout did not revoke the session")
	}
	if b, _ := os.ReadFile(filepath.Join(roaming, sealedFileName)); strings.Contains(string(b), "ZGF2ZUB4Lmlv") {
		t.Fatal("dave's sealed line is still there after logout")
	}
}
