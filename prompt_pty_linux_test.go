package main

// prompt_pty_linux_test.go: drives the interactive parts — the pickers and the
// revoke confirmation — through a real pseudo-terminal, as a person would,
// and checks the terminal mode is restored afterwards.

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// ptyPair is an open pseudo-terminal: the test holds the master, the
// command gets the slave as its terminal.
type ptyPair struct {
	master, slave *os.File
	mu            sync.Mutex
	screen        bytes.Buffer
}

func openPTY(t *testing.T) *ptyPair {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skip("no pseudo-terminals here:", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	p := &ptyPair{master: m, slave: s}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := m.Read(buf)
			p.mu.Lock()
			p.screen.Write(buf[:n])
			p.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		s.Close()
		m.Close()
		noteText(t.Name()+": terminal", p.shown())
	})
	return p
}

func (p *ptyPair) termios(t *testing.T) *unix.Termios {
	t.Helper()
	tio, err := unix.IoctlGetTermios(int(p.slave.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	return tio
}

// waitFor waits until the terminal shows s.
func (p *ptyPair) waitFor(t *testing.T, s string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		p.mu.Lock()
		ok := strings.Contains(p.screen.String(), s)
		p.mu.Unlock()
		if ok {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	t.Fatalf("terminal never showed %q; it shows:\n%q", s, p.screen.String())
}

func (p *ptyPair) shown() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.screen.String()
}

// clear forgets what the terminal showed so far.
func (p *ptyPair) clear() {
	p.mu.Lock()
	p.screen.Reset()
	p.mu.Unlock()
}

func (p *ptyPair) typeKeys(t *testing.T, keys string) {
	t.Helper()
	if _, err := p.master.Write([]byte(keys)); err != nil {
		t.Fatal(err)
	}
}

// startInPTY runs difyctl with stdin and stderr on the terminal and stdout
// on a pipe, so data and prompts stay apart as they would for a user.
func (e *cliEnv) startInPTY(p *ptyPair, args ...string) (*exec.Cmd, *bytes.Buffer) {
	e.t.Helper()
	cmd := exec.Command(difyctlBin, args...)
	cmd.Env = append(e.environ(), "TERM=xterm")
	cmd.Stdin, cmd.Stderr = p.slave, p.slave
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { noteText(e.t.Name()+": stdout of difyctl "+strings.Join(args, " "), out.String()) })
	return cmd, &out
}

func exitOf(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("difyctl did not exit")
	}
	return -1
}

func sameMode(a, b *unix.Termios) bool {
	return a.Iflag == b.Iflag && a.Oflag == b.Oflag && a.Cflag == b.Cflag && a.Lflag == b.Lflag
}

func TestPickerChoosesWithArrows(t *testing.T) {
	p := openPTY(t)
	e := newCLIEnv(t)
	e.writeHosts(fixture(t, "official.yml"))
	before := p.termios(t)
	cmd, out := e.startInPTY(p, "use", "host")
	p.waitFor(t, "Select a host")
	p.waitFor(t, "127.0.0.1:5001  (1 account)")
	p.typeKeys(t, "\x1b[B")
	time.Sleep(50 * time.Millisecond)
	p.typeKeys(t, "\r")
	if code := exitOf(t, cmd); code != 0 {
		t.Fatalf("exit %d; terminal:\n%q", code, p.shown())
	}
	if out.String() != "✓ Active host is now 127.0.0.1:5001\n" {
		t.Fatalf("stdout %q", out.String())
	}
	if !strings.Contains(e.readHosts(), "current_host: 127.0.0.1:5001\n") {
		t.Fatal("the choice was not saved")
	}
	if !sameMode(before, p.termios(t)) {
		t.Fatal("the terminal mode was not restored")
	}
}

func TestPickerJKAndAccountPicker(t *testing.T) {
	p := openPTY(t)
	e := newCLIEnv(t)
	e.writeHosts(fixture(t, "varied.yml"))
	cmd, out := e.startInPTY(p, "use", "host")
	p.waitFor(t, "dify.internal.acme.com")
	p.typeKeys(t, "j")
	time.Sleep(30 * time.Millisecond)
	p.typeKeys(t, "j")
	time.Sleep(30 * time.Millisecond)
	p.typeKeys(t, "k")
	time.Sleep(30 * time.Millisecond)
	p.typeKeys(t, "\r")
	if code := exitOf(t, cmd); code != 0 || out.String() != "✓ Active host is now dify.internal.acme.com\n" {
		t.Fatalf("exit %d stdout %q", code, out.String())
	}
	if strings.Contains(p.shown(), "\x1b]0;") || strings.Contains(p.shown(), "\u202e") {
		t.Fatal("a stored name reached the terminal raw")
	}
}

func TestPickerEscCancels(t *testing.T) {
	p := openPTY(t)
	e := newCLIEnv(t)
	e.writeHosts(fixture(t, "official.yml"))
	before := p.termios(t)
	hosts := e.readHosts()
	cmd, out := e.startInPTY(p, "use", "host")
	p.waitFor(t, "Select a host")
	p.typeKeys(t, "\x1b")
	if code := exitOf(t, cmd); code != 2 {
		t.Fatalf("Esc: exit %d", code)
	}
	p.waitFor(t, "selection cancelled")
	if out.String() != "" || e.readHosts() != hosts {
		t.Fatal("a cancelled pick changed something")
	}
	if !sameMode(before, p.termios(t)) {
		t.Fatal("the terminal mode was not restored after Esc")
	}

	p.clear()
	cmd, _ = e.startInPTY(p, "use", "host")
	p.waitFor(t, "Select a host")
	time.Sleep(50 * time.Millisecond)
	p.typeKeys(t, "\x03") // Ctrl-C arrives as a byte in raw mode
	if code := exitOf(t, cmd); code != 130 {
		t.Fatalf("Ctrl-C: exit %d", code)
	}
	if !sameMode(before, p.termios(t)) {
		t.Fatal("the terminal mode was not restored after Ctrl-C")
	}
}

func TestPickerRestoresTerminalOnSIGTERM(t *testing.T) {
	p := openPTY(t)
	e := newCLIEnv(t)
	e.writeHosts(fixture(t, "official.yml"))
	before := p.termios(t)
	cmd, _ := e.startInPTY(p, "use", "account")
	p.waitFor(t, "Select an account on cloud.dify.ai")
	cmd.Process.Signal(syscall.SIGTERM)
	if code := exitOf(t, cmd); code != 130 {
		t.Fatalf("SIGTERM: exit %d", code)
	}
	if !sameMode(before, p.termios(t)) {
		t.Fatal("the terminal mode was not restored after SIGTERM")
	}
}

func TestRevokeConfirmationInTerminal(t *testing.T) {
	f, e, _ := signedIn(t)
	ids := f.seed("tester@dify.ai", 0, "old laptop")
	p := openPTY(t)

	cmd, out := e.startInPTY(p, "auth", "devices", "revoke", "old laptop")
	p.waitFor(t, "Revoke 1 session(s)? [y/N] ")
	p.typeKeys(t, "n\r")
	if code := exitOf(t, cmd); code != 2 {
		t.Fatalf("declined: exit %d", code)
	}
	p.waitFor(t, "aborted by user")
	p.waitFor(t, "pass --yes")
	if out.String() != "" || !f.tokenByID(ids[0]).Live {
		t.Fatal("a declined prompt revoked the session")
	}

	p.clear()
	cmd, out = e.startInPTY(p, "auth", "devices", "revoke", "old laptop")
	p.waitFor(t, "Revoke 1 session(s)? [y/N] ")
	p.typeKeys(t, "y\r")
	if code := exitOf(t, cmd); code != 0 || out.String() != "✓ Revoked 1 session(s)\n" {
		t.Fatalf("confirmed: exit %d stdout %q", code, out.String())
	}
	if f.tokenByID(ids[0]).Live {
		t.Fatal("the confirmed revoke did not happen")
	}
}

func TestLoginPromptsForHostInTerminal(t *testing.T) {
	f := fastFake(t)
	p := openPTY(t)
	e := newCLIEnv(t)
	cmd, out := e.startInPTY(p, "auth", "login", "--insecure")
	p.waitFor(t, "Enter Dify host URL")
	p.typeKeys(t, "ftp://nope\r")
	p.waitFor(t, "✗")
	p.typeKeys(t, f.url+"\r")
	code := f.waitPending(nil)
	f.approve(code, "tester@dify.ai", "Test Tester", nil)
	if c := exitOf(t, cmd); c != 0 {
		t.Fatalf("exit %d; terminal:\n%s", c, p.shown())
	}
	if !strings.HasPrefix(out.String(), "✓ Logged in to "+f.host+" as tester@dify.ai") {
		t.Fatalf("stdout %q", out.String())
	}
}

// Issue 12 item 2: before the question the terminal names what goes, and
// yes in any case confirms.
func TestRevokeListsSessionsBeforeAsking(t *testing.T) {
	f, e, _ := signedIn(t)
	ids := f.seed("tester@dify.ai", 0, "old laptop")
	p := openPTY(t)
	cmd, out := e.startInPTY(p, "auth", "devices", "revoke", "laptop")
	p.waitFor(t, "Revoke 1 session(s)? [y/N] ")
	shown := p.shown()
	list := "About to revoke:\r\n  old laptop (" + ids[0] + ")\r\n"
	if i := strings.Index(shown, list); i < 0 || i > strings.Index(shown, "Revoke 1 session(s)?") {
		t.Fatalf("the session was not listed before the question:\n%q", shown)
	}
	p.typeKeys(t, "YES\r")
	if code := exitOf(t, cmd); code != 0 || out.String() != "✓ Revoked 1 session(s)\n" {
		t.Fatalf("YES: exit %d stdout %q", code, out.String())
	}
	if f.tokenByID(ids[0]).Live {
		t.Fatal("YES did not revoke")
	}

	more := f.seed("tester@dify.ai", 12)
	p.clear()
	cmd, out = e.startInPTY(p, "auth", "devices", "revoke", "--all")
	p.waitFor(t, "Revoke 12 session(s)? [y/N] ")
	shown = p.shown()
	if strings.Count(shown, "\r\n  ") != 11 || !strings.Contains(shown, "\r\n  and 2 more\r\n") {
		t.Fatalf("want ten sessions and 'and 2 more':\n%q", shown)
	}
	p.typeKeys(t, "yep\r")
	if code := exitOf(t, cmd); code != 2 || out.String() != "" {
		t.Fatalf("yep: exit %d stdout %q", code, out.String())
	}
	for _, id := range more {
		if !f.tokenByID(id).Live {
			t.Fatal("a declined prompt revoked a session")
		}
	}
}

// Issue 12 item 5: Ctrl-C in the account picker is an interrupt too.
func TestAccountPickerCtrlCExits130(t *testing.T) {
	p := openPTY(t)
	e := newCLIEnv(t)
	e.writeHosts(fixture(t, "official.yml"))
	before := p.termios(t)
	hosts := e.readHosts()
	cmd, out := e.startInPTY(p, "use", "account")
	p.waitFor(t, "Select an account on cloud.dify.ai")
	time.Sleep(50 * time.Millisecond)
	p.typeKeys(t, "\x03")
	if code := exitOf(t, cmd); code != 130 {
		t.Fatalf("Ctrl-C: exit %d", code)
	}
	if out.String() != "" || e.readHosts() != hosts || strings.Contains(p.shown(), "selection cancelled") {
		t.Fatalf("Ctrl-C changed something or printed a usage error:\n%q", p.shown())
	}
	if !sameMode(before, p.termios(t)) {
		t.Fatal("the terminal mode was not restored after Ctrl-C")
	}
}

// Issue 12 item 12: a credential store that hangs is named on the
// terminal after about a second; a script's stderr stays quiet.
func TestHangingStoreIsNamedOnTerminal(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("testdata", "fake-secret-tool", "secret-tool"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "secret-tool"), src, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "hang"), nil, 0o600)
	e := newCLIEnv(t)
	e.writeHosts(fixture(t, "official.yml"))
	e.vars["PATH"] = dir + string(os.PathListSeparator) + os.Getenv("PATH")
	e.vars["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=" + filepath.Join(dir, "no-such-bus")
	e.vars["DIFY_TOKEN_STORAGE"] = "keychain"
	e.vars["DIFYCTL_KEYRING_TIMEOUT"] = "3s"
	notice := "waiting for the Secret Service (secret-tool) to read the token"

	p := openPTY(t)
	cmd, out := e.startInPTY(p, "use", "account", "--email", "tester@dify.ai")
	p.waitFor(t, notice)
	if code := exitOf(t, cmd); code == 0 || out.String() != "" {
		t.Fatalf("a hanging store: exit %d stdout %q", code, out.String())
	}

	r := e.run("use", "account", "--email", "tester@dify.ai")
	if r.code == 0 || strings.Contains(r.stderr, "waiting for") {
		t.Fatalf("not a terminal:\n%s", r)
	}
}

// Issue 12 item 3: in a terminal, switching to a host whose accounts have
// none current offers the account picker.
func TestUseHostOffersAccountPicker(t *testing.T) {
	p := openPTY(t)
	e := newCLIEnv(t)
	e.writeHosts(twoHostsNoCurrent)
	cmd, out := e.startInPTY(p, "use", "host", "--domain", "many.example")
	p.waitFor(t, "No active account on many.example; select one")
	p.waitFor(t, "y@many.example  (Y)")
	p.typeKeys(t, "j")
	time.Sleep(50 * time.Millisecond)
	p.typeKeys(t, "\r")
	if code := exitOf(t, cmd); code != 0 || out.String() != "✓ Active host is now many.example\n" {
		t.Fatalf("exit %d stdout %q", code, out.String())
	}
	r := e.run("auth", "whoami")
	wantExit(t, r, 0)
	if r.stdout != "y@many.example (Y)\n" {
		t.Fatalf("whoami: %s", r)
	}
}

// With no current host, or no current account on the host, the picker
// marks no row as current (the cursor starts on the first).
func TestPickerMarksNothingWhenNoneIsCurrent(t *testing.T) {
	for _, c := range []struct {
		args  []string
		hosts string
		row   string
	}{
		{[]string{"use", "host"}, strings.Replace(twoHostsNoCurrent, "current_host: a.example\n", "", 1), "many.example  (2 accounts)"},
		{[]string{"use", "account"}, strings.Replace(twoHostsNoCurrent, "current_host: a.example", "current_host: many.example", 1), "y@many.example  (Y)"},
	} {
		p := openPTY(t)
		e := newCLIEnv(t)
		e.writeHosts(c.hosts)
		cmd, _ := e.startInPTY(p, c.args...)
		p.waitFor(t, c.row)
		shown := p.shown()
		p.typeKeys(t, "\x1b")
		exitOf(t, cmd)
		if strings.Contains(shown, "* ") {
			t.Errorf("%v: a row is marked current:\n%s", c.args, shown)
		}
	}
}

// The picker redraws itself by moving the cursor up over its lines, so on
// a narrow, short terminal no line it draws may wrap and it may not be
// taller than the screen: else each key leaves another copy on screen.
func TestPickerFitsASmallTerminal(t *testing.T) {
	p := openPTY(t)
	const cols, rows = 40, 8
	if err := unix.IoctlSetWinsize(int(p.slave.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: rows, Col: cols}); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("current_host: h0.a-rather-long-host-name.example\nhosts:\n")
	for i := range 12 {
		fmt.Fprintf(&b, "  h%d.a-rather-long-host-name.example:\n    current_account: a@x.io\n    accounts:\n      a@x.io:\n        account:\n          id: '%d'\n          email: a@x.io\n          name: A\n", i, i)
	}
	e := newCLIEnv(t)
	e.writeHosts(b.String())
	cmd, out := e.startInPTY(p, "use", "host")
	p.waitFor(t, "Select a host")
	for range 10 {
		p.typeKeys(t, "\x1b[B")
		time.Sleep(30 * time.Millisecond)
	}
	p.typeKeys(t, "\r")
	if code := exitOf(t, cmd); code != 0 || out.String() != "✓ Active host is now h10.a-rather-long-host-name.example\n" {
		t.Fatalf("exit %d stdout %q; terminal:\n%q", code, out.String(), p.shown())
	}
	shown := p.shown()
	for _, m := range regexp.MustCompile(`\x1b\[(\d+)A`).FindAllStringSubmatch(shown, -1) {
		if n, _ := strconv.Atoi(m[1]); n > rows-1 {
			t.Fatalf("the picker moves up %d lines on a %d-line screen:\n%q", n, rows, shown)
		}
	}
	plain := regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`).ReplaceAllString(shown, "")
	for _, line := range strings.Split(strings.ReplaceAll(plain, "\r", "\n"), "\n") {
		if displayWidth(line) >= cols {
			t.Fatalf("a line of %d columns wraps on a %d-column screen: %q", displayWidth(line), cols, line)
		}
	}
	if !strings.Contains(plain, ">   h10.a-rather-long-host-name.exampl…") {
		t.Errorf("the selected host is not shown:\n%q", plain)
	}
}
