package main

// login_identity_test.go: issue 19 — hostile input, round 3.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 19 item 1: a server email holding whitespace or shell
// metacharacters is refused at sign-in, and nothing is kept.
func TestLoginRefusesShellHostileEmail(t *testing.T) {
	for _, email := range []string{
		"eve@example.com;touch${IFS}/tmp/PWNED;#",
		"eve$(id)@example.com",
		"eve`id`@example.com",
		"eve smith@example.com",
		"eve\u00a0@example.com",
		"eve|x@example.com",
		"'eve'@example.com",
	} {
		t.Run(email, func(t *testing.T) {
			f := fastFake(t)
			e := newCLIEnv(t)
			r, id := e.login(f, email, "Eve", nil)
			wantExit(t, r, 1)
			if !strings.Contains(r.stderr, "server_bad_response: the server returned the email ") ||
				!strings.Contains(r.stderr, "refuses an email holding whitespace or shell metacharacters") ||
				!strings.Contains(r.stderr, "hint: ") || r.stdout != "" {
				t.Fatalf("want a clear server_bad_response:\n%s", r)
			}
			if _, err := os.Stat(e.hostsPath()); err == nil {
				t.Fatalf("hosts.yml was written:\n%s", e.readHosts())
			}
			if _, err := os.Stat(filepath.Join(e.config, sealedFileName)); err == nil {
				t.Fatal("a token was stored")
			}
			if f.tokenByID(id).Live {
				t.Fatal("the refused sign-in's session was left live at the server")
			}
		})
	}
	// Ordinary emails, with + and a dash, still sign in.
	f := fastFake(t)
	e := newCLIEnv(t)
	r, _ := e.login(f, "first.last+ci-bot@sub.example.com", "Bot", nil)
	wantExit(t, r, 0)
}

// Issue 19 item 1: a host holding shell metacharacters is refused as a
// usage error (exit 2).
func TestLoginRefusesShellHostileHost(t *testing.T) {
	e := newCLIEnv(t)
	for _, host := range []string{"e$(id)x.example", "e;id.example", "e`id`.example", "e x.example", "https://e{a,b}.example"} {
		r := e.run("auth", "login", "--host", host, "--no-browser")
		wantExit(t, r, 2)
		if !strings.Contains(r.stderr, "usage_invalid_flag: ") {
			t.Fatalf("%q:\n%s", host, r)
		}
	}
	if _, err := os.Stat(e.config); err == nil {
		t.Fatal("a refused host created the config dir")
	}
}

// Issue 19 item 8: an email or name holding a C1 control or an invisible
// or format character is shown escaped in human output, never raw and
// never silently dropped, so it cannot pass for a plain email.
func TestLookalikeIdentitiesShownEscaped(t *testing.T) {
	for _, c := range []rune{0x85, 0x9c, 0x200b, 0x202e, 0x00ad, 0x2060, 0xfeff, 0x034f, 0x3164, 0xfff9, 0xfe0f, 0x110bd} {
		esc := fmt.Sprintf(`\u%04x`, c)
		if c > 0xffff {
			esc = fmt.Sprintf(`\U%08x`, c)
		}
		t.Run(esc, func(t *testing.T) {
			e := newCLIEnv(t)
			e.writeHosts(fmt.Sprintf(`current_host: cloud.dify.ai
hosts:
  cloud.dify.ai:
    current_account: "eve%[1]s@example.com"
    accounts:
      "eve%[1]s@example.com":
        account:
          id: acct-1
          email: "eve%[1]s@example.com"
          name: "Eve%[1]s"
`, esc))
			raw := string(c)
			for _, tc := range []struct {
				args []string
				want string
			}{
				{[]string{"auth", "whoami"}, "eve" + esc + "@example.com (Eve" + esc + ")\n"},
				{[]string{"auth", "list", "-o", "name"}, "eve" + esc + "@example.com\n"},
				{[]string{"auth", "list"}, "eve" + esc + "@example.com"},
				{[]string{"use", "account", "--email", "nobody@example.com"}, "eve" + esc + "@example.com"},
			} {
				r := e.run(tc.args...)
				out := r.stdout + r.stderr
				if !strings.Contains(out, tc.want) || strings.ContainsRune(out, c) {
					t.Errorf("%v: want %q shown, never %U raw:\n%s", tc.args, tc.want, c, r)
				}
			}
			// JSON escapes it by encoding, and keeps the value.
			r := e.run("auth", "whoami", "--json")
			var got struct{ Email string }
			if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || got.Email != "eve"+raw+"@example.com" || strings.Contains(r.stdout, raw) {
				t.Errorf("JSON does not escape %U:\n%s", c, r)
			}
		})
	}
}

// Issue 19 item 8: a sign-in whose server email or name holds a format
// character prints it escaped.
func TestLoginShowsFormatCharactersEscaped(t *testing.T) {
	f := fastFake(t)
	e := newCLIEnv(t)
	r, _ := e.login(f, "eve\ufff9@example.com", "Eve\u034f", map[string]any{"workspace_name": "WS\u0085x"})
	wantExit(t, r, 0)
	want := "✓ Logged in to " + f.host + ` as eve\ufff9@example.com (Eve\u034f)` + "\n" + `  Workspace: WS\u0085x` + "\n"
	if r.stdout != want {
		t.Fatalf("stdout %q, want %q", r.stdout, want)
	}
}
