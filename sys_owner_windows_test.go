//go:build windows

package main

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/windows"
)

// A file this user made is not refused. Wine derives a file's owner from
// its Unix uid and ignores SetNamedSecurityInfo, so a file owned by
// another account cannot be made here; the decision itself is checked on
// real SIDs below.
func TestWindowsOwnerCheckAcceptsOurFiles(t *testing.T) {
	dir := winTempDir(t)
	path := filepath.Join(dir, "hosts.yml")
	if err := os.WriteFile(path, []byte("hosts: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dir, path} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if problem, fix := ownerProblem(p, fi); problem != "" || fix != "" {
			t.Fatalf("%s refused: %s (%s)", p, problem, fix)
		}
	}
}

// This user, Administrators and SYSTEM may own the config files; Guests
// and other users may not.
func TestWindowsTrustedOwners(t *testing.T) {
	u, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		t.Fatal(err)
	}
	if !trustedOwner(u.User.Sid) {
		t.Error("this user is not trusted")
	}
	for kind, want := range map[windows.WELL_KNOWN_SID_TYPE]bool{
		windows.WinBuiltinAdministratorsSid: true,
		windows.WinLocalSystemSid:           true,
		windows.WinBuiltinGuestsSid:         false,
		windows.WinBuiltinUsersSid:          false,
		windows.WinWorldSid:                 false,
	} {
		sid, err := windows.CreateWellKnownSid(kind)
		if err != nil {
			t.Fatal(err)
		}
		if got := trustedOwner(sid); got != want {
			t.Errorf("%s trusted = %v, want %v", sid, got, want)
		}
	}
	other, err := windows.StringToSid("S-1-5-21-1-2-3-1234")
	if err != nil {
		t.Fatal(err)
	}
	if trustedOwner(other) {
		t.Error("another user's SID is trusted")
	}
}
