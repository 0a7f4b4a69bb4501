package main

// keyring.go: what every OS credential store has in common: the names the
// official client uses, the stored value's encoding, size limits, the
// write-then-read-back rule, typed errors that never carry the secret, and
// the bounded, killable child process behind the command-line stores.
// The stores themselves are siblings with the same methods:
// keyring_security.go (macOS), keyring_secrettool.go (Linux, the BSDs) and
// keyring_windows.go. Each OS's file (keyring_darwin.go, keyring_linux.go,
// keyring_windows.go, keyring_other.go) has its newOSKeyring.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
	"unicode/utf8"
)

const (
	// keyringService is the service name the official client uses.
	keyringService = "difyctl"

	// defaultKeyringTimeout bounds every OS-store call: a locked
	// collection waiting on a prompt that nobody will answer must not hang
	// the CLI.
	defaultKeyringTimeout = 10 * time.Second

	// keyringTimeoutEnv shortens or lengthens that bound, as a Go duration
	// ("250ms", "30s"). Undocumented for users; the tests use it to check a
	// hanging store without waiting 10 s.
	keyringTimeoutEnv = "DIFYCTL_KEYRING_TIMEOUT"

	// maxKeyringValue caps the encoded value we hand to an OS store, well
	// below every store's own limit (secret-tool silently truncates past
	// 8 KiB, wincred stops at 2560 bytes, `security -i` at ~4 KiB lines).
	maxKeyringValue = 2048

	// maxToolOutput caps what we keep of a helper's stdout or stderr, so a
	// misbehaving helper cannot make us allocate without bound.
	maxToolOutput = 64 << 10
)

// errKeyringNotFound means the store answered and holds no such item.
var errKeyringNotFound = errors.New("no such item in the OS credential store")

// osKeyring is one OS credential store, addressed by account name
// (`tokens.<host>.<email>`) under the service `difyctl`. Values are opaque
// bytes here; encoding is the caller's job (encodeKeyringValue).
type osKeyring interface {
	// name says which store, for messages ("Secret Service (secret-tool)").
	name() string
	// usable returns nil, or a *keyringError of kind keyringAbsent saying
	// why this store cannot be used on this machine at all. It is cheap and
	// starts no process.
	usable() error
	// read returns the stored value, or errKeyringNotFound.
	read(ctx context.Context, account string) ([]byte, error)
	// write creates or replaces the item. label is a human description.
	write(ctx context.Context, account, label string, value []byte) error
	// remove deletes the item, or returns errKeyringNotFound.
	remove(ctx context.Context, account string) error
}

// keyringAccount is the official client's account name for a context.
// Nothing is escaped, as there: `tokens.cloud.dify.ai.tester@dify.ai`.
func keyringAccount(host, email string) string { return "tokens." + host + "." + email }

// keyringLabel is the label shown by keychain browsers.
func keyringLabel(host, email string) string { return "difyctl: " + email + " on " + host }

// keyringErrKind sorts store failures by what the caller should do.
type keyringErrKind int

const (
	keyringFailed   keyringErrKind = iota // the store answered with an error
	keyringAbsent                         // no store to talk to: no bus, no helper binary, no credential manager in this logon session
	keyringLocked                         // the store is there but locked
	keyringTimeout                        // the store did not answer within the deadline
	keyringRejected                       // refused before calling the store: too long, or characters it cannot hold
)

// keyringError is a store failure. It carries the store, the operation
// and a reason, never the secret: reasons built from a helper's stderr go
// through toolMessage, which withholds any text that echoes the value.
type keyringError struct {
	store  string
	op     string
	reason string
	kind   keyringErrKind
	// hint overrides the generic "unlock and retry" hint.
	hint string
	// install is set when a keyring may be running (a live session bus)
	// but the helper that reaches it is not installed: how to install it.
	install string
}

func (e *keyringError) Error() string {
	if e.op == "" {
		return e.store + ": " + e.reason
	}
	return e.store + " " + e.op + ": " + e.reason
}

// keyringUnavailable turns a store failure into the keyring_unavailable
// error commands print (exit 1).
func keyringUnavailable(err error) *cliError {
	hint := "unlock the keychain (or the login session) and retry"
	if ke, ok := errors.AsType[*keyringError](err); ok && ke.hint != "" {
		hint = ke.hint
	}
	return newError(codeKeyringUnavailable, "OS credential store is unreachable: "+err.Error(), hint)
}

// keyringTimeoutFrom reads DIFYCTL_KEYRING_TIMEOUT; a missing or bad value
// gives the 10 s default. The bound is clamped to [10ms, 5m].
func keyringTimeoutFrom(getenv func(string) string) time.Duration {
	d, err := time.ParseDuration(getenv(keyringTimeoutEnv))
	if err != nil || d <= 0 {
		return defaultKeyringTimeout
	}
	return min(max(d, 10*time.Millisecond), 5*time.Minute)
}

// encodeKeyringValue is the stored form of a token: a JSON string
// (`"dfoa_…"`), as the official client writes it. Only printable ASCII is
// accepted: real tokens are, and it keeps every store's quirks (security's
// hex dumps of non-ASCII, secret-tool's UTF-8 check, wincred's UTF-16) out
// of play. A token we refuse here goes to the sealed file instead.
func encodeKeyringValue(t token) ([]byte, error) {
	rejected := func(reason string) error {
		return &keyringError{store: "OS credential store", reason: reason, kind: keyringRejected}
	}
	s := t.reveal()
	if s == "" {
		return nil, rejected("empty token")
	}
	if shapeOf(s) == shapeNone {
		return nil, rejected("the token has characters other than printable ASCII")
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // JSON.stringify does not escape <, >, &
	if err := enc.Encode(s); err != nil {
		return nil, rejected("cannot encode the token")
	}
	v := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	if len(v) > maxKeyringValue {
		return nil, rejected(fmt.Sprintf("the token is %d bytes, over the %d-byte limit for OS stores", len(s), maxKeyringValue-2))
	}
	return v, nil
}

// decodeKeyringValue reads a stored value: the official JSON string, or a
// raw token written by something else. Surrounding whitespace (a newline
// from a helper) is dropped. An empty value reads as not found.
func decodeKeyringValue(v []byte) (token, error) {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return token{}, errKeyringNotFound
	}
	if v[0] == '"' {
		var s string
		if err := json.Unmarshal(v, &s); err == nil {
			if s == "" {
				return token{}, errKeyringNotFound
			}
			return newToken(s), nil
		}
	}
	if !utf8.Valid(v) {
		return token{}, errors.New("the stored value is not text")
	}
	return newToken(string(v)), nil
}

// keyringPut stores t for a context and reads it back; a store that
// truncates or drops the value (secret-tool past 8 KiB, `security -i` at
// 4096 bytes) is caught here. A copy that did not pass the check, or
// whose write or check Ctrl-C cut short, is removed: the caller seals the
// token instead, or stops, and says nothing of one left here. The removal
// is not cut short by Ctrl-C (the helper's timeout still bounds it).
func keyringPut(ctx context.Context, k osKeyring, host, email string, t token) error {
	if err := k.usable(); err != nil {
		return err
	}
	value, err := encodeKeyringValue(t)
	if err != nil {
		return err
	}
	account := keyringAccount(host, email)
	// removeCopy takes back out what a failed put may have left (a short
	// step that Ctrl-C does not stop); when that fails too, the error says
	// a copy may be there.
	removeCopy := func(err error) error {
		rerr := k.remove(context.WithoutCancel(ctx), account)
		if rerr == nil || errors.Is(rerr, errKeyringNotFound) {
			return err
		}
		return &copyLeftError{err: err, account: account}
	}
	if err := k.write(ctx, account, keyringLabel(host, email), value); err != nil {
		if errors.Is(err, errInterrupted) {
			return removeCopy(err)
		}
		return err
	}
	got, err := k.read(ctx, account)
	if err == nil {
		if back, derr := decodeKeyringValue(got); derr == nil && back.reveal() == t.reveal() {
			return nil
		}
		err = &keyringError{store: k.name(), op: "read-back", reason: "the value read back differs from the one written"}
	} else if errors.Is(err, errKeyringNotFound) {
		err = &keyringError{store: k.name(), op: "read-back", reason: "the item was not there after writing it"}
	}
	return removeCopy(err)
}

// copyLeftError is a failed put whose item could not be taken back out:
// the OS store may still hold the token under account.
type copyLeftError struct {
	err     error
	account string
}

func (e *copyLeftError) Error() string {
	return e.err.Error() + "; " + e.leftText()
}

func (e *copyLeftError) Unwrap() error { return e.err }

// leftText says where the copy may be and how to remove it.
func (e *copyLeftError) leftText() string {
	return "the token written may still be in the OS credential store, entry " + e.account + ": remove it by hand with " + keyringRemoveCommand(e.account)
}

// keyringGet returns the token stored for a context, or errKeyringNotFound.
func keyringGet(ctx context.Context, k osKeyring, host, email string) (token, error) {
	if err := k.usable(); err != nil {
		return token{}, err
	}
	v, err := k.read(ctx, keyringAccount(host, email))
	if err != nil {
		return token{}, err
	}
	t, err := decodeKeyringValue(v)
	if err != nil && !errors.Is(err, errKeyringNotFound) {
		return token{}, &keyringError{store: k.name(), op: "read", reason: err.Error()}
	}
	return t, err
}

// keyringDelete removes a context's item; errKeyringNotFound when absent.
func keyringDelete(ctx context.Context, k osKeyring, host, email string) error {
	if err := k.usable(); err != nil {
		return err
	}
	return k.remove(ctx, keyringAccount(host, email))
}

// ---------------------------------------------------------------------------
// Child processes

// toolCall is one run of a store's command-line helper.
type toolCall struct {
	store   string // for errors: "Secret Service (secret-tool)"
	op      string // "store", "lookup", "clear", …
	path    string
	args    []string
	env     []string
	stdin   []byte
	timeout time.Duration
}

// toolResult is what a helper printed and how it ended.
type toolResult struct {
	stdout, stderr []byte
	exit           int
}

// toolWaitKey carries, in the command's context, the function that tells
// a person at a terminal what a slow credential-store helper is waiting on.
type toolWaitKey struct{}

// runTool runs a helper under its deadline with a minimal environment and
// the secret, if any, on stdin. On timeout the child (on Unix its process
// group) is killed; WaitDelay stops us waiting on pipes a grandchild holds.
func runTool(parent context.Context, c toolCall) (toolResult, error) {
	ctx, cancel := context.WithTimeout(parent, c.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.path, c.args...)
	cmd.Env = c.env
	if cmd.Env == nil {
		cmd.Env = []string{}
	}
	cmd.Stdin = bytes.NewReader(c.stdin)
	var stdout, stderr cappedBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = time.Second
	killProcessGroupOnCancel(cmd)
	if notice, ok := parent.Value(toolWaitKey{}).(func(string)); ok {
		// A locked store may sit on a prompt: after a second, say on the
		// terminal what we are waiting for.
		t := time.AfterFunc(time.Second, func() {
			verb := map[string]string{"store": "store", "write": "store", "lookup": "read", "read": "read", "clear": "delete", "delete": "delete"}[c.op]
			notice(fmt.Sprintf("waiting for the %s to %s the token (a locked keyring may be asking to be unlocked; giving up after %s)", c.store, orDefault(verb, c.op), c.timeout))
		})
		defer t.Stop()
	}
	err := cmd.Run()
	res := toolResult{stdout: stdout.b, stderr: stderr.b, exit: -1}
	if cmd.ProcessState != nil {
		res.exit = cmd.ProcessState.ExitCode()
	}
	switch {
	case parent.Err() != nil:
		return res, errInterrupted
	case ctx.Err() != nil:
		return res, &keyringError{store: c.store, op: c.op, kind: keyringTimeout,
			reason: fmt.Sprintf("no answer within %s, so it was stopped (a locked store may be waiting on a prompt)", c.timeout)}
	case err != nil && cmd.ProcessState == nil:
		return res, &keyringError{store: c.store, op: c.op, kind: keyringAbsent,
			reason: "cannot run " + filepath.Base(c.path) + ": " + unwrapPathErr(err).Error()}
	}
	return res, nil
}

// cappedBuffer keeps the first maxToolOutput bytes written to it and
// discards the rest, so a chatty child neither blocks nor bloats us.
type cappedBuffer struct{ b []byte }

func (c *cappedBuffer) Write(p []byte) (int, error) {
	if room := maxToolOutput - len(c.b); room > 0 {
		c.b = append(c.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// childEnv builds a helper's environment from the named variables only, so
// no DIFY_* value (or anything else of ours) reaches the child.
func childEnv(getenv func(string) string, names ...string) []string {
	env := []string{}
	for _, n := range names {
		if v := getenv(n); v != "" {
			env = append(env, n+"="+v)
		}
	}
	return env
}

// lookPathIn finds an executable on the given PATH value, searching only
// absolute directories: a relative entry (or "", ".") would run whatever
// the current directory holds. The result is an absolute path, or "".
func lookPathIn(name, pathList string) string {
	for _, dir := range filepath.SplitList(pathList) {
		if dir == "" || !filepath.IsAbs(dir) {
			continue
		}
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && (runtime.GOOS == "windows" || fi.Mode().Perm()&0o111 != 0) {
			return p
		}
	}
	return ""
}

// toolMessage is a helper's stderr made fit for an error message: the
// first non-empty line, sanitized and shortened. If any 8-byte run of a
// secret shows up anywhere in the output, also with whitespace and
// controls squeezed out (a secret repeated in pieces), it is withheld.
func toolMessage(stderr []byte, secrets ...[]byte) string {
	squeezed := squeeze(stderr)
	for _, s := range secrets {
		if echoesSecret(stderr, s) || echoesSecret(squeezed, s) {
			return "(its message is withheld because it repeats the secret)"
		}
	}
	for _, line := range strings.Split(string(stderr), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		return truncate(redactText(sanitize(line)), 200)
	}
	return ""
}

// squeeze drops whitespace and control bytes, which a helper may put
// between the pieces of a secret it repeats.
func squeeze(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c > ' ' && c != 0x7f {
			out = append(out, c)
		}
	}
	return out
}

// echoesSecret reports whether out contains any min(8, len) byte run of
// secret.
func echoesSecret(out, secret []byte) bool {
	if len(secret) == 0 || len(out) == 0 {
		return false
	}
	w := min(8, len(secret))
	for i := 0; i+w <= len(secret); i++ {
		if bytes.Contains(out, secret[i:i+w]) {
			return true
		}
	}
	return false
}

// exitReason describes a helper's failure from its exit code and stderr.
func exitReason(r toolResult, secrets ...[]byte) string {
	msg := toolMessage(r.stderr, secrets...)
	if msg == "" {
		return fmt.Sprintf("exit status %d", r.exit)
	}
	return fmt.Sprintf("exit status %d: %s", r.exit, msg)
}

// credTarget is the official client's (keyring-rs) Windows target name:
// `<user>.<service>`. Untagged: the hint of a logout that could not delete
// the entry (keyringRemoveCommand) names it too.
func credTarget(account string) string { return account + "." + keyringService }
