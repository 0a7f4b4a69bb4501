package main

// keyring_windows_test.go: the Windows Credential Manager store through
// the real advapi32 calls (run under Wine in CI by .ci/wine-test.sh).
// Every test uses its own host names, so entries never collide, and
// removes what it wrote.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

var procCredEnumerateW = modAdvapi32.NewProc("CredEnumerateW")

// storedCred is what Credential Manager holds for a target, read with
// CredReadW independently of wincredKeyring.read.
type storedCred struct {
	typ      uint32
	target   string
	comment  string
	userName string
	persist  uint32
	blob     []byte
}

func readStoredCred(t *testing.T, target string) (storedCred, bool) {
	t.Helper()
	p, err := windows.UTF16PtrFromString(target)
	if err != nil {
		t.Fatal(err)
	}
	var cred *credentialW
	r, _, e := procCredReadW.Call(uintptr(unsafe.Pointer(p)), credTypeGeneric, 0, uintptr(unsafe.Pointer(&cred)))
	if r == 0 {
		if errors.Is(e, windows.ERROR_NOT_FOUND) {
			return storedCred{}, false
		}
		t.Fatalf("CredReadW(%q): %v", target, e)
	}
	defer procCredFree.Call(uintptr(unsafe.Pointer(cred)))
	s := storedCred{
		typ:      cred.Type,
		target:   windows.UTF16PtrToString(cred.TargetName),
		comment:  windows.UTF16PtrToString(cred.Comment),
		userName: windows.UTF16PtrToString(cred.UserName),
		persist:  cred.Persist,
	}
	if cred.CredentialBlobSize > 0 {
		s.blob = append([]byte(nil), unsafe.Slice(cred.CredentialBlob, cred.CredentialBlobSize)...)
	}
	return s, true
}

// enumerateTargets lists the generic credentials whose target matches
// filter (a CredEnumerateW pattern such as "tokens.x.*").
func enumerateTargets(t *testing.T, filter string) []string {
	t.Helper()
	p, _ := windows.UTF16PtrFromString(filter)
	var count uint32
	var list **credentialW
	r, _, e := procCredEnumerateW.Call(uintptr(unsafe.Pointer(p)), 0, uintptr(unsafe.Pointer(&count)), uintptr(unsafe.Pointer(&list)))
	if r == 0 {
		if errors.Is(e, windows.ERROR_NOT_FOUND) {
			return nil
		}
		t.Fatalf("CredEnumerateW(%q): %v", filter, e)
	}
	defer procCredFree.Call(uintptr(unsafe.Pointer(list)))
	creds := unsafe.Slice(list, count)
	var out []string
	for _, c := range creds {
		out = append(out, windows.UTF16PtrToString(c.TargetName))
	}
	return out
}

func newTestWincred() *wincredKeyring {
	return newOSKeyring(func(string) string { return "" }, 10*time.Second).(*wincredKeyring)
}

// uniqueHost is a host name no other test (or earlier run in the same
// Wine prefix) uses.
func uniqueHost(t *testing.T) string {
	return fmt.Sprintf("%s-%d.example", strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-")), time.Now().UnixNano())
}

func TestWindowsCredentialManagerUsable(t *testing.T) {
	if err := newTestWincred().usable(); err != nil {
		t.Fatalf("Credential Manager reported unusable: %v", err)
	}
}

func TestWindowsCredentialRoundTrip(t *testing.T) {
	k := newTestWincred()
	ctx := context.Background()
	host, email := uniqueHost(t), "tester@dify.ai"
	tok := newToken("dfoa_" + strings.Repeat("a1B2", 10))

	if _, err := keyringGet(ctx, k, host, email); !errors.Is(err, errKeyringNotFound) {
		t.Fatalf("read before any write: want not found, got %v", err)
	}
	if err := keyringPut(ctx, k, host, email, tok); err != nil {
		t.Fatalf("write: %v", err)
	}
	t.Cleanup(func() { keyringDelete(ctx, k, host, email) })

	got, err := keyringGet(ctx, k, host, email)
	if err != nil || got.reveal() != tok.reveal() {
		t.Fatalf("read back: err %v, same token %v", err, got.reveal() == tok.reveal())
	}

	// The entry as the official client (keyring-rs) names and reads it:
	// a generic credential, target tokens.<host>.<email>.difyctl, user
	// name tokens.<host>.<email>, the JSON-quoted token in UTF-16LE.
	account := "tokens." + host + "." + email
	c, ok := readStoredCred(t, account+".difyctl")
	if !ok {
		t.Fatalf("no credential with target %q; targets for this host: %q",
			account+".difyctl", enumerateTargets(t, "tokens."+host+"*"))
	}
	if c.typ != credTypeGeneric {
		t.Errorf("credential type %d, want CRED_TYPE_GENERIC", c.typ)
	}
	if c.target != account+".difyctl" {
		t.Errorf("target %q", c.target)
	}
	if c.userName != account {
		t.Errorf("user name %q, want %q", c.userName, account)
	}
	if want := "difyctl: " + email + " on " + host; c.comment != want {
		t.Errorf("comment %q, want %q", c.comment, want)
	}
	if c.persist != credPersistLocalMachine {
		t.Errorf("persist %d, want CRED_PERSIST_LOCAL_MACHINE", c.persist)
	}
	wantBlob := utf16le(`"` + tok.reveal() + `"`)
	if string(c.blob) != string(wantBlob) {
		t.Errorf("blob is not the JSON-quoted token in UTF-16LE (%d bytes, want %d)", len(c.blob), len(wantBlob))
	}
}

func TestWindowsCredentialOverwriteKeepsOneEntry(t *testing.T) {
	k := newTestWincred()
	ctx := context.Background()
	host, email := uniqueHost(t), "a@x.io"
	t.Cleanup(func() { keyringDelete(ctx, k, host, email) })
	for _, s := range []string{"dfoa_first_token_value", "dfoa_second", "dfoa_third_and_longest_of_them_all"} {
		if err := keyringPut(ctx, k, host, email, newToken(s)); err != nil {
			t.Fatalf("write %d bytes: %v", len(s), err)
		}
		got, err := keyringGet(ctx, k, host, email)
		if err != nil || got.reveal() != s {
			t.Fatalf("after overwrite: err %v, got the new token %v", err, got.reveal() == s)
		}
	}
	if got := enumerateTargets(t, "tokens."+host+"*"); len(got) != 1 {
		t.Fatalf("want one entry after three writes, got %q", got)
	}
}

func TestWindowsCredentialDelete(t *testing.T) {
	k := newTestWincred()
	ctx := context.Background()
	host := uniqueHost(t)
	if err := keyringPut(ctx, k, host, "a@x.io", newToken("dfoa_a")); err != nil {
		t.Fatal(err)
	}
	if err := keyringPut(ctx, k, host, "b@x.io", newToken("dfoa_b")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { keyringDelete(ctx, k, host, "b@x.io") })
	if err := keyringDelete(ctx, k, host, "a@x.io"); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := keyringGet(ctx, k, host, "a@x.io"); !errors.Is(err, errKeyringNotFound) {
		t.Fatalf("read after delete: want not found, got %v", err)
	}
	if _, ok := readStoredCred(t, "tokens."+host+".a@x.io.difyctl"); ok {
		t.Fatal("the credential is still there after delete")
	}
	// The other context on the same host keeps its token.
	if got, err := keyringGet(ctx, k, host, "b@x.io"); err != nil || got.reveal() != "dfoa_b" {
		t.Fatalf("the other context lost its token: %v", err)
	}
	// Deleting again, or deleting what never existed, says not found.
	if err := keyringDelete(ctx, k, host, "a@x.io"); !errors.Is(err, errKeyringNotFound) {
		t.Fatalf("second delete: want not found, got %v", err)
	}
}

func TestWindowsCredentialMissingEntry(t *testing.T) {
	k := newTestWincred()
	ctx := context.Background()
	host := uniqueHost(t)
	if _, err := k.read(ctx, keyringAccount(host, "nobody@x.io")); !errors.Is(err, errKeyringNotFound) {
		t.Fatalf("read: want errKeyringNotFound, got %v", err)
	}
	if err := k.remove(ctx, keyringAccount(host, "nobody@x.io")); !errors.Is(err, errKeyringNotFound) {
		t.Fatalf("remove: want errKeyringNotFound, got %v", err)
	}
}

func TestWindowsCredentialBlobLimit(t *testing.T) {
	k := newTestWincred()
	ctx := context.Background()
	host := uniqueHost(t)
	account := keyringAccount(host, "big@x.io")
	t.Cleanup(func() { k.remove(ctx, account) })

	// 1280 characters are 2560 bytes of UTF-16: exactly the blob limit.
	atLimit := []byte(strings.Repeat("x", maxCredBlob/2))
	if err := k.write(ctx, account, "label", atLimit); err != nil {
		t.Fatalf("a value at the blob limit: %v", err)
	}
	got, err := k.read(ctx, account)
	if err != nil || string(got) != string(atLimit) {
		t.Fatalf("read back at the limit: err %v, %d bytes (want %d)", err, len(got), len(atLimit))
	}
	c, _ := readStoredCred(t, credTarget(account))
	if len(c.blob) != maxCredBlob {
		t.Fatalf("stored blob is %d bytes, want %d", len(c.blob), maxCredBlob)
	}

	// One more character is refused before Credential Manager is called,
	// and the entry written before is left as it was.
	err = k.write(ctx, account, "label", append(atLimit, 'y'))
	var ke *keyringError
	if !errors.As(err, &ke) || ke.kind != keyringRejected {
		t.Fatalf("a value over the limit: want a rejection, got %v", err)
	}
	if got, err := k.read(ctx, account); err != nil || string(got) != string(atLimit) {
		t.Fatalf("the refused write changed the entry: %v", err)
	}

	// The largest token the OS store takes goes through keyringPut.
	tok := newToken("dfoa_" + strings.Repeat("t", maxCredBlob/2-2-5))
	if err := keyringPut(ctx, k, host, "big@x.io", tok); err != nil {
		t.Fatalf("a token whose quoted form fills the blob: %v", err)
	}
	if back, err := keyringGet(ctx, k, host, "big@x.io"); err != nil || back.reveal() != tok.reveal() {
		t.Fatalf("read back the largest token: %v", err)
	}
	if err := keyringPut(ctx, k, host, "big@x.io", newToken(tok.reveal()+"t")); !errors.As(err, &ke) || ke.kind != keyringRejected {
		t.Fatalf("a token one byte too large: want a rejection, got %v", err)
	}
}

func TestWindowsCredentialNonASCIINames(t *testing.T) {
	k := newTestWincred()
	ctx := context.Background()
	suffix := fmt.Sprintf("%d", time.Now().UnixNano())
	cases := []struct{ host, email string }{
		{"bücher-" + suffix + ".example", "jörg@bücher.example"},
		{"例え-" + suffix + ".jp", "ユーザー@例え.jp"},
		// An astral-plane character takes a UTF-16 surrogate pair.
		{"emoji-" + suffix + ".example:8443", "😀.smile@x.io"},
	}
	for i, c := range cases {
		tok := newToken(fmt.Sprintf("dfoa_nonascii_%d_%s", i, suffix))
		if err := keyringPut(ctx, k, c.host, c.email, tok); err != nil {
			t.Fatalf("%s / %s: write: %v", c.host, c.email, err)
		}
		t.Cleanup(func() { keyringDelete(ctx, k, c.host, c.email) })
		got, err := keyringGet(ctx, k, c.host, c.email)
		if err != nil || got.reveal() != tok.reveal() {
			t.Fatalf("%s / %s: read back: err %v", c.host, c.email, err)
		}
		target := "tokens." + c.host + "." + c.email + ".difyctl"
		sc, ok := readStoredCred(t, target)
		if !ok {
			t.Fatalf("no credential under the UTF-16 target %q", target)
		}
		if sc.target != target || sc.userName != "tokens."+c.host+"."+c.email {
			t.Fatalf("names did not survive UTF-16: target %q, user %q", sc.target, sc.userName)
		}
		if want := "difyctl: " + c.email + " on " + c.host; sc.comment != want {
			t.Fatalf("comment %q, want %q", sc.comment, want)
		}
	}
	// Same name apart from one character: separate entries.
	if _, err := keyringGet(ctx, k, "bucher-"+suffix+".example", "jörg@bücher.example"); !errors.Is(err, errKeyringNotFound) {
		t.Fatalf("a look-alike host found an entry: %v", err)
	}
}

// utf16le encodes s as keyring-rs stores a password.
func utf16le(s string) []byte {
	u := windows.StringToUTF16(s)
	u = u[:len(u)-1] // no NUL
	b := make([]byte, 2*len(u))
	for i, c := range u {
		b[2*i], b[2*i+1] = byte(c), byte(c>>8)
	}
	return b
}

// TestWindowsCredentialProbe is not a test: run with DIFYCTL_WIN_CRED_PROBE
// set to a target name (by TestWineBlackBox, from the Linux side), it
// prints the generic credential's user name, comment and the SHA-256 of
// its decoded value — never the value — or "missing".
func TestWindowsCredentialProbe(t *testing.T) {
	target := os.Getenv("DIFYCTL_WIN_CRED_PROBE")
	if target == "" {
		return // an ordinary run: nothing to do
	}
	c, ok := readStoredCred(t, target)
	if !ok {
		fmt.Println("missing")
		return
	}
	sum := sha256.Sum256(decodeCredBlob(c.blob))
	fmt.Printf("user=%s\ncomment=%s\nsha256=%s\n", c.userName, c.comment, hex.EncodeToString(sum[:]))
}

// The blob is UTF-16LE, as keyring-rs writes it, and the target is the
// official client's name.
func TestWindowsCredBlob(t *testing.T) {
	if got := credTarget(keyringAccount("127.0.0.1:5001", "a@b")); got != "tokens.127.0.0.1:5001.a@b.difyctl" {
		t.Errorf("target %q", got)
	}
	b, err := encodeCredBlob([]byte(`"dfoa_x"`))
	if err != nil || !bytes.Equal(b, []byte("\"\x00d\x00f\x00o\x00a\x00_\x00x\x00\"\x00")) {
		t.Fatalf("blob %q, %v (want UTF-16LE, as keyring-rs writes)", b, err)
	}
	if got := decodeCredBlob(b); string(got) != `"dfoa_x"` {
		t.Errorf("decode UTF-16 = %q", got)
	}
	for _, raw := range []string{"dfoa_odd", "dfoa_even1", `"dfoa_utf8"`} {
		if got := decodeCredBlob([]byte(raw)); string(got) != raw {
			t.Errorf("decode raw %q = %q", raw, got)
		}
	}
	if _, err := encodeCredBlob(bytes.Repeat([]byte("a"), maxCredBlob/2)); err != nil {
		t.Errorf("1280 characters: %v", err)
	}
	if _, err := encodeCredBlob(bytes.Repeat([]byte("a"), maxCredBlob/2+1)); keyringKind(err) != keyringRejected {
		t.Errorf("1281 characters: %v, want rejected", err)
	}
}
