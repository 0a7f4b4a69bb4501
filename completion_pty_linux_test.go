package main

// completion_pty_linux_test.go: the bash completion script in a real
// interactive bash on a pseudo-terminal, as a person presses Tab.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Issue 19 item 1: Tab on a hostile email or host from hosts.yml inserts
// it as one escaped word, and Enter runs nothing but difyctl.
func TestBashTabQuotesHostileCandidates(t *testing.T) {
	needShell(t, "bash")
	dir := t.TempDir()
	fileX, fileY := filepath.Join(dir, "X"), filepath.Join(dir, "y")
	email := "eve@example.com;touch${IFS}" + fileX + ";#"
	// use host lower-cases the value and cuts it at a slash: this one
	// creates ./y in bash's working directory, dir.
	host := "e$(>y)x"
	e := newCLIEnv(t)
	e.writeHosts(fmt.Sprintf(`current_host: cloud.dify.ai
hosts:
  cloud.dify.ai:
    current_account: a@dify.ai
    accounts:
      a@dify.ai:
        account:
          id: acct-1
          email: a@dify.ai
          name: A
      %q:
        account:
          id: acct-2
          email: %q
          name: Eve
  %q:
    current_account: z@z.test
    accounts:
      z@z.test:
        account:
          id: acct-3
          email: z@z.test
          name: Z
`, email, email, host))
	script := completionScript(t, e, "bash")

	p := startBash(t, e, script, dir)

	// The email: bash completes the one account starting with "e".
	shown := p.tabThenEnter(t, "difyctl use account --email e", "ve@example.com", "1+2", "DONE-3")
	if _, err := os.Stat(fileX); err == nil {
		t.Fatalf("Tab then Enter ran the shell code in the email:\n%q", shown)
	}
	if want := `--email eve@example.com\;touch\$\{IFS\}` + fileX + `\;#`; !strings.Contains(shown, want) {
		t.Fatalf("Tab did not insert the email as one escaped word %q:\n%q", want, shown)
	}
	// difyctl got the whole email as one argument.
	if !strings.Contains(shown, "no credential stored for "+email+" on cloud.dify.ai") {
		t.Fatalf("difyctl did not get the email as one argument:\n%q", shown)
	}

	// The host key, with a command substitution in it.
	shown = p.tabThenEnter(t, "difyctl use host --domain e", "x ", "2+2", "DONE-4")
	if _, err := os.Stat(fileY); err == nil {
		t.Fatalf("Tab then Enter ran the shell code in the host:\n%q", shown)
	}
	if want := `--domain e\$\(\>y\)x `; !strings.Contains(shown, want) {
		t.Fatalf("Tab did not insert the host as one escaped word %q:\n%q", want, shown)
	}
	if !strings.Contains(shown, "Active host is now "+host) {
		t.Fatalf("difyctl did not get the host as one argument:\n%q", shown)
	}
	if !strings.HasPrefix(e.readHosts(), "current_host: "+host+"\n") {
		t.Fatalf("the hostile host was not made active:\n%s", e.readHosts())
	}
}

// startBash starts an interactive bash in a pty, in dir, with difyctl on
// its PATH and the completion script sourced.
func startBash(t *testing.T, e *cliEnv, script, dir string) *ptyPair {
	t.Helper()
	p := openPTY(t)
	// Wide enough that bash never scrolls the line being edited.
	if err := unix.IoctlSetWinsize(int(p.slave.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 50, Col: 1000}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "--norc", "--noprofile", "-i")
	cmd.Env = append(e.environ(), "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"),
		"TERM=dumb", "PS1=$ ", "INPUTRC=/dev/null", "HISTFILE=/dev/null")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = p.slave, p.slave, p.slave
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })

	p.typeKeys(t, "bind 'set enable-bracketed-paste off' 2>/dev/null; source "+script+"; echo READY-$((40+2))\r")
	p.waitFor(t, "READY-42")
	return p
}

// tabThenEnter types line and a Tab, waits for the completion to show
// completed, then presses Enter and runs an echo of sum (shown as done,
// e.g. "DONE-3") to know the command line has run; it returns what the
// terminal showed.
func (p *ptyPair) tabThenEnter(t *testing.T, line, completed, sum, done string) string {
	t.Helper()
	p.clear()
	p.typeKeys(t, line+"\t")
	p.waitFor(t, completed)
	time.Sleep(300 * time.Millisecond) // bash redraws the line after the match
	p.typeKeys(t, "\r")
	p.typeKeys(t, "echo DONE-$(("+sum+"))\r")
	p.waitFor(t, done)
	return p.shown()
}

// bash splits a word at ':' and '=' for completion; Tab right after one
// inserts the rest of the host, not the separator again
// ("127.0.0.1::5001").
func TestBashTabAfterColonOrEquals(t *testing.T) {
	needShell(t, "bash")
	e := newCLIEnv(t)
	e.writeHosts(`current_host: cloud.dify.ai
hosts:
  cloud.dify.ai:
    current_account: a@dify.ai
    accounts:
      a@dify.ai:
        account:
          id: acct-1
          email: a@dify.ai
          name: A
  127.0.0.1:5001:
    scheme: http
    current_account: b@dify.ai
    accounts:
      b@dify.ai:
        account:
          id: acct-2
          email: b@dify.ai
          name: B
`)
	p := startBash(t, e, completionScript(t, e, "bash"), t.TempDir())
	for i, line := range []string{"difyctl use host --domain 127.0.0.1:", "difyctl use host --domain=127.0.0.1:", "difyctl use host --domain=1"} {
		done := fmt.Sprintf("DONE-%d", 10+i)
		shown := p.tabThenEnter(t, line, "5001 ", fmt.Sprintf("10+%d", i), done)
		if !strings.Contains(shown, "Active host is now 127.0.0.1:5001") || strings.Contains(shown, "::") || strings.Contains(shown, "==") {
			t.Errorf("Tab after %q:\n%q", line, shown)
		}
		e.writeHosts(strings.Replace(e.readHosts(), "current_host: 127.0.0.1:5001", "current_host: cloud.dify.ai", 1))
	}
}
