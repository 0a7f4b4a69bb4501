package main

// hostile3_test.go: issue 19 — hostile input, round 3.

import (
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
