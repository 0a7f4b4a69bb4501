//go:build !windows

package main

// keyring_secrettool.go: the Secret Service on Linux and the BSDs, through
// secret-tool (libsecret-tools). Items carry the official client's
// attributes service=difyctl and username=tokens.<host>.<email>, in the
// default collection (no --collection), so the official client finds
// them. `search` is never used: it prints secrets.

import (
	"bytes"
	"context"
	"net"
	"net/url"
	"strings"
	"time"
)

// newSecretToolKeyring finds secret-tool on PATH (absolute entries only)
// and remembers the session bus it will talk to.
func newSecretToolKeyring(getenv func(string) string, timeout time.Duration) *secretToolKeyring {
	return &secretToolKeyring{
		path: lookPathIn("secret-tool", getenv("PATH")),
		bus:  getenv("DBUS_SESSION_BUS_ADDRESS"),
		// What libsecret needs to reach the session bus and show a
		// prompt, nothing of ours.
		env:     childEnv(getenv, "PATH", "HOME", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "DISPLAY", "WAYLAND_DISPLAY", "LANG"),
		timeout: timeout,
	}
}

// secretToolKeyring is the Secret Service through the secret-tool binary.
type secretToolKeyring struct {
	path    string // "" when secret-tool is not on PATH
	bus     string // DBUS_SESSION_BUS_ADDRESS
	env     []string
	timeout time.Duration
}

func (k *secretToolKeyring) name() string { return "Secret Service (secret-tool)" }

// usable skips the store without starting anything when there is no
// session bus (libsecret would try X11 autolaunch, or hang) or no
// secret-tool.
func (k *secretToolKeyring) usable() error {
	if k.bus == "" {
		return &keyringError{store: k.name(), kind: keyringAbsent, reason: "DBUS_SESSION_BUS_ADDRESS is not set",
			hint: "run difyctl inside a desktop or D-Bus session with a Secret Service (such as gnome-keyring), or set DIFY_TOKEN_STORAGE=sealed"}
	}
	if k.path == "" {
		if busLive(k.bus) {
			return &keyringError{store: k.name(), kind: keyringAbsent,
				install: "install secret-tool (the libsecret-tools package on Debian/Ubuntu)",
				reason:  "secret-tool is not installed, though a D-Bus session is running; install the libsecret-tools package (Debian/Ubuntu) to use the keyring",
				hint:    secretToolMissingHint}
		}
		return &keyringError{store: k.name(), kind: keyringAbsent, reason: "secret-tool is not installed",
			hint: "install libsecret-tools (secret-tool), or set DIFY_TOKEN_STORAGE=sealed"}
	}
	return nil
}

// secretToolMissingHint is the hint when a keyring may hold a token that
// difyctl cannot reach without secret-tool.
const secretToolMissingHint = "a D-Bus session is running, so the token may be in the keyring, which difyctl reads with secret-tool: install it (the libsecret-tools package on Debian/Ubuntu) and retry"

// busLive reports whether a D-Bus address names a unix socket (path= or
// abstract=) that accepts a connection now; the connection is closed at
// once, nothing is sent.
func busLive(addr string) bool {
	for _, a := range strings.Split(addr, ";") {
		params, ok := strings.CutPrefix(strings.TrimSpace(a), "unix:")
		if !ok {
			continue
		}
		for _, kv := range strings.Split(params, ",") {
			key, val, _ := strings.Cut(kv, "=")
			val, err := url.PathUnescape(val)
			if err != nil || val == "" {
				continue
			}
			switch key {
			case "path":
			case "abstract":
				val = "@" + val
			default:
				continue
			}
			if c, err := net.DialTimeout("unix", val, 500*time.Millisecond); err == nil {
				c.Close()
				return true
			}
		}
	}
	return false
}

// call runs `secret-tool <cmd…> service difyctl username <account>`, the
// official client's attributes.
func (k *secretToolKeyring) call(ctx context.Context, account string, stdin []byte, cmd ...string) (toolResult, error) {
	args := append(cmd, "service", keyringService, "username", account)
	return runTool(ctx, toolCall{store: k.name(), op: cmd[0], path: k.path, args: args, env: k.env, stdin: stdin, timeout: k.timeout})
}

// write stores value; secret-tool reads stdin to EOF as the exact secret
// (no newline is added or stripped).
func (k *secretToolKeyring) write(ctx context.Context, account, label string, value []byte) error {
	r, err := k.call(ctx, account, value, "store", "--label="+label)
	if err != nil {
		return err
	}
	if r.exit != 0 {
		return k.failure("store", r, value)
	}
	// Past 8 KiB secret-tool says "password is too long", stores a cut
	// value and exits 0; the read-back in keyringPut catches that.
	return nil
}

// read looks the item up; exit 1 with nothing on stderr is "no such item".
func (k *secretToolKeyring) read(ctx context.Context, account string) ([]byte, error) {
	r, err := k.call(ctx, account, nil, "lookup")
	if err != nil {
		return nil, err
	}
	switch {
	case r.exit == 0 && len(r.stdout) == 0:
		return nil, errKeyringNotFound
	case r.exit == 0:
		return r.stdout, nil
	case r.exit == 1 && len(bytes.TrimSpace(r.stderr)) == 0:
		return nil, errKeyringNotFound
	}
	return nil, k.failure("lookup", r, r.stdout)
}

// remove clears the item; exit 1 with nothing on stderr means nothing
// matched.
func (k *secretToolKeyring) remove(ctx context.Context, account string) error {
	r, err := k.call(ctx, account, nil, "clear")
	if err != nil {
		return err
	}
	switch {
	case r.exit == 0:
		return nil
	case r.exit == 1 && len(bytes.TrimSpace(r.stderr)) == 0:
		return errKeyringNotFound
	}
	return k.failure("clear", r)
}

// failure describes a failed run; a message about a locked collection or
// a dismissed prompt is reported as locked.
func (k *secretToolKeyring) failure(op string, r toolResult, secrets ...[]byte) error {
	e := &keyringError{store: k.name(), op: op, reason: exitReason(r, secrets...)}
	if msg := bytes.ToLower(r.stderr); bytes.Contains(msg, []byte("locked")) || bytes.Contains(msg, []byte("dismissed")) {
		e.kind = keyringLocked
		e.hint = "unlock the login keyring (sign in to the desktop session) and retry, or set DIFY_TOKEN_STORAGE=sealed"
	}
	return e
}

// secretToolClearCommand is the command line that deletes the entry name
// by hand.
func secretToolClearCommand(name string) string {
	return shellQuote("secret-tool", "clear", "service", keyringService, "username", name)
}
