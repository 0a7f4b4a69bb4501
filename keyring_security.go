// keyring_security.go is untagged, though only macOS uses it, so the Linux tests can drive it
// against a fake security (testdata/fakesecurity) that splits lines as the real tool does.

package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"time"
)

// securityKeyring drives the macOS login keychain through /usr/bin/security,
// run by its absolute path: a `security` found on PATH would get the token.
// Writes go through `security -i` with the command on stdin, so the secret
// never appears in argv; reads and deletes carry only service and account.
//
// An item written by /usr/bin/security trusts that binary in its ACL, so
// any process running as the user can read it back without a prompt: it
// protects against other users, backups and disk theft, not your own code.
type securityKeyring struct {
	path    string // /usr/bin/security; tests point it at a fake
	env     []string
	timeout time.Duration
}

const securityStoreName = "macOS keychain (security)"

// maxSecurityLine is the longest command line, newline included, that we
// feed to `security -i`: its readline keeps at most 4095 bytes, runs the
// rest of a longer line as a second command, and at the boundary reports
// a false success.
const maxSecurityLine = 4000

func newSecurityKeyring(getenv func(string) string, timeout time.Duration) *securityKeyring {
	return &securityKeyring{
		path:    "/usr/bin/security",
		env:     childEnv(getenv, securityEnvNames...),
		timeout: timeout,
	}
}

func (k *securityKeyring) name() string { return securityStoreName }

func (k *securityKeyring) usable() error {
	if fi, err := os.Stat(k.path); err != nil || !fi.Mode().IsRegular() {
		return &keyringError{store: k.name(), kind: keyringAbsent, reason: k.path + " is missing"}
	}
	return nil
}

// securityWriteLine is the `security -i` command that stores value:
//
//	add-generic-password -U -s difyctl -l difyctl -a <account> -w <value>
//
// The label is the service name, as on the official client's items, so
// Keychain Access shows both alike. A line over maxSecurityLine bytes is
// refused before any process starts.
func securityWriteLine(account string, value []byte) (string, error) {
	parts := []string{"add-generic-password", "-U", "-s", keyringService, "-l", keyringService, "-a", account, "-w", string(value)}
	var b strings.Builder
	for i, p := range parts {
		q, err := securityQuote(p)
		if err != nil {
			return "", err
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(q)
	}
	b.WriteByte('\n')
	if b.Len() > maxSecurityLine {
		return "", &keyringError{store: securityStoreName, op: "write", kind: keyringRejected,
			reason: fmt.Sprintf("the command line would be %d bytes, over the %d-byte limit of security -i", b.Len(), maxSecurityLine)}
	}
	return b.String(), nil
}

// securityQuote quotes one field for the line splitter of `security -i`
// (split_line in Apple's security.c), which is not a shell: words end at
// space, \t, \v, \f or \r; ' or " opens a quote only as a word's first
// byte; a backslash keeps the next byte and drops itself everywhere. So a
// field of safe bytes is written bare, any other as "…" with \ and "
// backslashed. Control bytes would end or corrupt the line: refused.
func securityQuote(s string) (string, error) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return "", &keyringError{store: securityStoreName, op: "write", kind: keyringRejected,
				reason: "a name contains a line break or control character"}
		}
	}
	if isSecuritySafe(s) {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' || s[i] == '"' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String(), nil
}

// isSecuritySafe reports a non-empty word that means itself bare on a
// `security -i` line: ASCII letters, digits and @%+=:,./_- only (no
// whitespace, quote or backslash; bytes >= 0x80 are quoted too, to keep
// the rule simple).
func isSecuritySafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("@%+=:,./_-", c) >= 0) {
			return false
		}
	}
	return s != ""
}

// security exit codes are the low byte of the OSStatus.
const (
	securityExitNotFound   = 44 // errSecItemNotFound (-25300)
	securityExitNoUI       = 36 // errSecInteractionNotAllowed (-25308)
	securityExitAuthFailed = 51 // errSecAuthFailed (-25293): wrong password / locked
)

// securityLocked reports a locked keychain from the exit code or the text
// security prints (over SSH the login keychain is locked).
func securityLocked(r toolResult) bool {
	if r.exit == securityExitNoUI || r.exit == securityExitAuthFailed {
		return true
	}
	s := string(r.stderr)
	return strings.Contains(s, "User interaction is not allowed") || strings.Contains(s, "-25308") || strings.Contains(s, "-25293")
}

// securityError maps a finished `security` run to nil, errKeyringNotFound,
// or a typed failure.
func (k *securityKeyring) securityError(op string, r toolResult, secrets ...[]byte) error {
	switch {
	case r.exit == 0 && !securityLocked(r):
		return nil
	case r.exit == securityExitNotFound:
		return errKeyringNotFound
	case securityLocked(r):
		return &keyringError{store: k.name(), op: op, kind: keyringLocked, hint: "run 'security unlock-keychain' and retry",
			reason: "the keychain is locked (" + exitReason(r, secrets...) + ")"}
	}
	return &keyringError{store: k.name(), op: op, reason: exitReason(r, secrets...)}
}

// call runs security and maps how it ended (securityError), withholding
// a message that repeats one of secrets.
func (k *securityKeyring) call(ctx context.Context, op string, args []string, stdin []byte, secrets ...[]byte) (toolResult, error) {
	r, err := runTool(ctx, toolCall{store: k.name(), op: op, path: k.path, args: args, env: k.env, stdin: stdin, timeout: k.timeout})
	if err != nil {
		return r, err
	}
	return r, k.securityError(op, r, secrets...)
}

func (k *securityKeyring) read(ctx context.Context, account string) ([]byte, error) {
	r, err := k.call(ctx, "read", []string{"find-generic-password", "-s", keyringService, "-a", account, "-w"}, nil)
	if err != nil {
		return nil, err
	}
	return securityPassword(r.stdout), nil
}

// securityPassword undoes `security -w` output: the value and a newline,
// or a hex dump when the value holds non-printable bytes. A hex dump is
// only decoded when it gives the JSON string the official client writes,
// so a raw token made of hex digits stays as it is.
func securityPassword(out []byte) []byte {
	out = bytes.TrimSuffix(out, []byte("\n"))
	if len(out) >= 4 && len(out)%2 == 0 {
		if dec, err := hex.DecodeString(string(out)); err == nil && len(dec) >= 2 && dec[0] == '"' && dec[len(dec)-1] == '"' {
			return dec
		}
	}
	return out
}

// write ignores label: the item is labelled with the service name, as the
// official client's items are (see securityWriteLine).
func (k *securityKeyring) write(ctx context.Context, account, _ string, value []byte) error {
	line, err := securityWriteLine(account, value)
	if err != nil {
		return err
	}
	// `security -i` exits with the status of the last line it ran, but a
	// line it split differently from ours could still succeed; the
	// read-back in keyringPut is the real check.
	_, err = k.call(ctx, "write", []string{"-i"}, []byte(line), value)
	return err
}

func (k *securityKeyring) remove(ctx context.Context, account string) error {
	_, err := k.call(ctx, "delete", []string{"delete-generic-password", "-s", keyringService, "-a", account}, nil)
	return err
}

// securityEnvNames are the variables `security` gets: enough to find the
// user's default keychain, nothing of ours.
var securityEnvNames = []string{"PATH", "HOME", "USER", "LOGNAME", "TMPDIR", "LANG"}
