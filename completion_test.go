package main

// completion_test.go: the completion scripts, checked by the shells
// themselves and driven the way bash drives them, and the __complete
// command behind them.

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const completionHosts = `current_host: 127.0.0.1:5001
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
    current_account: dev@local.test
    accounts:
      dev@local.test:
        account:
          id: acct-2
          email: dev@local.test
          name: Dev
      ops@local.test:
        account:
          id: acct-3
          email: ops@local.test
          name: Ops
`

// completionScript writes `difyctl completion <shell>` to a file.
func completionScript(t *testing.T, e *cliEnv, shell string) string {
	t.Helper()
	r := e.run("completion", shell)
	wantExit(t, r, 0)
	p := filepath.Join(t.TempDir(), "difyctl."+shell)
	if err := os.WriteFile(p, []byte(r.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func needShell(t *testing.T, shell string) string {
	t.Helper()
	p, err := exec.LookPath(shell)
	if err != nil {
		t.Skipf("%s is not installed (apt install %s): its completion script is not checked", shell, shell)
	}
	return p
}

func TestCompletionScriptsParse(t *testing.T) {
	e := newCLIEnv(t)
	for _, sh := range []struct{ name, flag string }{{"bash", "-n"}, {"zsh", "-n"}, {"fish", "--no-execute"}} {
		t.Run(sh.name, func(t *testing.T) {
			bin := needShell(t, sh.name)
			script := completionScript(t, e, sh.name)
			out, err := exec.Command(bin, sh.flag, script).CombinedOutput()
			if err != nil {
				t.Fatalf("%s %s: %v\n%s", sh.name, sh.flag, err, out)
			}
			if !strings.Contains(string(must(os.ReadFile(script))), "difyctl __complete") {
				t.Fatal("the script does not call difyctl __complete")
			}
		})
	}
	r := e.run("completion", "tcsh")
	wantExit(t, r, 2)
	wantExit(t, e.run("completion"), 2)
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// bashComplete loads the bash script and runs its completion function with
// COMP_WORDS set to words and COMP_CWORD to the last one, as bash does on
// Tab, and returns COMPREPLY.
func bashComplete(t *testing.T, e *cliEnv, script string, words ...string) []string {
	t.Helper()
	var quoted []string
	for _, w := range words {
		quoted = append(quoted, "'"+strings.ReplaceAll(w, "'", `'\''`)+"'")
	}
	prog := "source " + script + "\n" +
		"COMP_WORDS=(" + strings.Join(quoted, " ") + ")\n" +
		"COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n" +
		"COMP_LINE=\"${COMP_WORDS[*]}\"; COMP_POINT=${#COMP_LINE}\n" +
		"_difyctl\n" +
		`printf '%s\n' "${COMPREPLY[@]}"` + "\n"
	cmd := exec.Command("bash", "--norc", "--noprofile", "-c", prog)
	cmd.Env = append(e.environ(), "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		if l != "" {
			got = append(got, l)
		}
	}
	return got
}

func TestBashCompletion(t *testing.T) {
	needShell(t, "bash")
	e := newCLIEnv(t)
	e.writeHosts(completionHosts)
	script := completionScript(t, e, "bash")
	for _, tc := range []struct {
		words []string
		want  []string
	}{
		{[]string{"difyctl", "au"}, []string{"auth"}},
		{[]string{"difyctl", ""}, []string{"auth", "completion", "use", "version"}},
		{[]string{"difyctl", "auth", "to"}, []string{"token"}},
		{[]string{"difyctl", "auth", "devices", ""}, []string{"list", "revoke"}},
		{[]string{"difyctl", "auth", "list", "-o", ""}, []string{"json", "yaml", "name"}},
		{[]string{"difyctl", "auth", "list", "--output", "y"}, []string{"yaml"}},
		{[]string{"difyctl", "auth", "list", "--output", "=", "j"}, []string{"json"}},
		// Right after the '=' bash replaces the empty piece after it
		// (TestBashTabAfterColonOrEquals has the real bash).
		{[]string{"difyctl", "auth", "list", "--output", "="}, []string{"json", "yaml", "name"}},
		{[]string{"difyctl", "auth", "list", "--ou"}, []string{"--output"}},
		{[]string{"difyctl", "auth", "devices", "list", "--l"}, []string{"--limit"}},
		{[]string{"difyctl", "use", "host", "--domain", ""}, []string{"cloud.dify.ai", "127.0.0.1:5001"}},
		{[]string{"difyctl", "use", "host", "--domain", "c"}, []string{"cloud.dify.ai"}},
		// bash splits 127.0.0.1:5001 at the colon; only the piece after it
		// is replaced.
		{[]string{"difyctl", "use", "host", "--domain", "127.0.0.1", ":", "5"}, []string{"5001"}},
		{[]string{"difyctl", "use", "host", "--domain", "127.0.0.1", ":"}, []string{"5001"}},
		{[]string{"difyctl", "use", "account", "--email", ""}, []string{"dev@local.test", "ops@local.test"}},
		{[]string{"difyctl", "auth", "token", "--host", "cloud.dify.ai", "--email", ""}, []string{"a@dify.ai"}},
		{[]string{"difyctl", "completion", ""}, []string{"bash", "zsh", "fish"}},
		{[]string{"difyctl", "nosuch", ""}, nil},
	} {
		if got := bashComplete(t, e, script, tc.words...); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: got %q, want %q", tc.words, got, tc.want)
		}
	}
}

func TestCompleteCommand(t *testing.T) {
	e := newCLIEnv(t)
	e.writeHosts(completionHosts)
	r := e.run("__complete", "auth", "")
	wantExit(t, r, 0)
	if !strings.Contains(r.stdout, "status\tCheck with the server that the active sign-in still works\n") || !strings.HasSuffix(r.stdout, "\n:4\n") {
		t.Fatalf("__complete auth:\n%s", r)
	}
	r = e.run("__complete", "auth", "devices", "revoke", "-")
	for _, want := range []string{"--all\t", "--yes\t", "-y\t", "--help\t"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("revoke flags lack %q:\n%s", want, r.stdout)
		}
	}
	// The hidden command is not listed in help or completed.
	if strings.Contains(e.run("--help").stdout, "__complete") || strings.Contains(e.run("__complete", "_").stdout, "__complete") {
		t.Fatal("__complete should be hidden")
	}
	// Hosts from hosts.yml with a control character never reach the shell.
	e.writeHosts(strings.Replace(completionHosts, "cloud.dify.ai:\n", "\"evil\\e[2Jhost\":\n", 1))
	r = e.run("__complete", "use", "host", "--domain", "")
	if strings.Contains(r.stdout, "\x1b") || !strings.Contains(r.stdout, "127.0.0.1:5001\n") {
		t.Fatalf("control characters in completions:\n%q", r.stdout)
	}
	// Neither do accounts with a tab (the shell would complete the part
	// before it) or a bidi control (it reorders the command line).
	e.writeHosts(strings.Replace(strings.Replace(completionHosts, "      ops@local.test:\n", "      \"ops\\there@local.test\":\n", 1),
		"      dev@local.test:\n", "      \"dev\\u202e@local.test\":\n", 1))
	r = e.run("__complete", "use", "account", "--email", "")
	if r.stdout != ":4\n" {
		t.Fatalf("accounts with a tab or a bidi control completed:\n%q", r.stdout)
	}
	if r = e.run("auth", "list", "-o", "name"); !strings.Contains(r.stdout, "here@local.test") {
		t.Fatalf("the test's hosts.yml lost the accounts:\n%s", r)
	}
	// Under DIFY_TOKEN nothing is read from the config dir.
	e.vars["DIFY_TOKEN"] = "dfoa_x"
	if r = e.run("__complete", "use", "host", "--domain", ""); r.stdout != ":4\n" {
		t.Fatalf("__complete read hosts.yml under DIFY_TOKEN:\n%s", r)
	}
}

// shellRun runs a shell program with difyctl first on PATH.
func shellRun(t *testing.T, e *cliEnv, shell string, args ...string) string {
	t.Helper()
	cmd := exec.Command(shell, args...)
	cmd.Env = append(e.environ(), "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", shell, err, out)
	}
	return string(out)
}

func TestFishCompletion(t *testing.T) {
	needShell(t, "fish")
	e := newCLIEnv(t)
	e.writeHosts(completionHosts)
	script := completionScript(t, e, "fish")
	// complete -C asks fish what Tab would offer.
	got := shellRun(t, e, "fish", "--no-config", "-c",
		"source "+script+`; complete -C "difyctl au"; echo sep; complete -C "difyctl use host --domain "; echo sep; complete -C "difyctl auth list -o "`)
	want := "auth\tSign in, sign out, and inspect your contexts\nsep\n127.0.0.1:5001\ncloud.dify.ai\nsep\njson\nname\nyaml\n"
	if got != want {
		t.Fatalf("fish completions:\n%q\nwant\n%q", got, want)
	}
}

func TestZshCompletion(t *testing.T) {
	needShell(t, "zsh")
	e := newCLIEnv(t)
	e.writeHosts(completionHosts)
	script := completionScript(t, e, "zsh")
	// Without compinit: compdef is a no-op and _describe prints what it
	// was given, so this checks the words the script hands to zsh.
	got := shellRun(t, e, "zsh", "-f", "-c", `compdef() { :; }; _describe() { print -rl -- "${(@P)${@[-1]}}"; }
source `+script+`
words=(difyctl au); CURRENT=2; _difyctl; print -- --
words=(difyctl use host --domain ""); CURRENT=5; _difyctl`)
	want := "auth:Sign in, sign out, and inspect your contexts\n--\ncloud.dify.ai\n127.0.0.1\\:5001\n"
	if got != want {
		t.Fatalf("zsh completions:\n%q\nwant\n%q", got, want)
	}
}
