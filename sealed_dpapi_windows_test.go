package main

// sealed_dpapi_windows_test.go: the sealed file with its DPAPI-wrapped key secret,
// through the real CryptProtectData/CryptUnprotectData (run under Wine in
// CI by .ci/wine-test.sh).

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func newWinSealedStore(t *testing.T) *sealedStore {
	t.Helper()
	root := winTempDir(t)
	return &sealedStore{dir: filepath.Join(root, "config"), keyDir: filepath.Join(root, "data")}
}

// keyFileFields reads tokens.key: magic, version, wrap, decoded blob.
func keyFileFields(t *testing.T, s *sealedStore) (raw []byte, wrap string, blob []byte) {
	t.Helper()
	raw, err := os.ReadFile(s.keyPath())
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(raw))
	if len(f) != 4 || f[0] != sealedKeyMagic || f[1] != "1" {
		t.Fatalf("tokens.key is not a key file: %q", raw)
	}
	blob, err = base64.StdEncoding.DecodeString(f[3])
	if err != nil {
		t.Fatal(err)
	}
	return raw, f[2], blob
}

func writeKeyFile(t *testing.T, s *sealedStore, wrap string, blob []byte) []byte {
	t.Helper()
	content := []byte(sealedKeyMagic + " 1 " + wrap + " " + base64.StdEncoding.EncodeToString(blob) + "\n")
	if err := os.WriteFile(s.keyPath(), content, 0o600); err != nil {
		t.Fatal(err)
	}
	return content
}

// wantUnreadable checks that err is credential_unreadable naming the
// sealed file.
func wantUnreadable(t *testing.T, err error, what string) *cliError {
	t.Helper()
	var ce *cliError
	if !errors.As(err, &ce) || ce.Code != "credential_unreadable" {
		t.Fatalf("%s: want credential_unreadable, got %v", what, err)
	}
	if !strings.Contains(ce.Message, "tokens.sealed") {
		t.Fatalf("%s: the message does not name the file: %q", what, ce.Message)
	}
	return ce
}

func TestWindowsSealedDPAPIRoundTrip(t *testing.T) {
	s := newWinSealedStore(t)
	tok := newToken("dfoa_" + strings.Repeat("Zx9", 12))
	if err := s.putIn(nil, "cloud.dify.ai", "tester@dify.ai", hostLogin("cloud.dify.ai"), tok); err != nil {
		t.Fatalf("put: %v", err)
	}
	if err := s.putIn(nil, "cloud.dify.ai", "ünïcode@dify.ai", hostLogin("cloud.dify.ai"), newToken("dfoa_second")); err != nil {
		t.Fatalf("put: %v", err)
	}
	_, wrap, blob := keyFileFields(t, s)
	if wrap != "dpapi" {
		t.Fatalf("the key secret is wrapped %q, want dpapi", wrap)
	}
	// The DPAPI blob is not the 32-byte secret, and only DPAPI opens it.
	secret, err := unwrapKeySecret("dpapi", blob)
	if err != nil || len(secret) != sealedSecretSize {
		t.Fatalf("DPAPI does not unwrap the key it wrapped: %v (%d bytes)", err, len(secret))
	}
	if bytes.Contains(blob, secret) {
		t.Fatal("the secret is in the key file in clear")
	}
	// A new process (no cached key) opens both tokens.
	r := s.reopen()
	if got, err := r.get("cloud.dify.ai", "tester@dify.ai", hostLogin("cloud.dify.ai")); err != nil || got.reveal() != tok.reveal() {
		t.Fatalf("get after reopen: %v", err)
	}
	if got, err := r.get("cloud.dify.ai", "ünïcode@dify.ai", hostLogin("cloud.dify.ai")); err != nil || got.reveal() != "dfoa_second" {
		t.Fatalf("get after reopen: %v", err)
	}
	// And the token is nowhere in the config dir or data dir in clear.
	for _, p := range []string{s.path(), s.keyPath()} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(tok.reveal())) {
			t.Fatalf("%s holds the token in clear", p)
		}
	}
}

func TestWindowsSealedTamperedWrappedKey(t *testing.T) {
	s := newWinSealedStore(t)
	if err := s.putIn(nil, "cloud.dify.ai", "tester@dify.ai", hostLogin("cloud.dify.ai"), newToken("dfoa_tamper_me")); err != nil {
		t.Fatal(err)
	}
	sealedBefore, _ := os.ReadFile(s.path())
	_, _, blob := keyFileFields(t, s)
	// A DPAPI blob ends with the encrypted secret, a 4-byte length and a
	// 20-byte HMAC-SHA1: flip a byte in the ciphertext, then one in the
	// HMAC. (Windows also authenticates the header fields; Wine 8 checks
	// only these, so a flip in the header is not tried here.)
	for _, at := range []int{len(blob) - 20 - 4 - 10, len(blob) - 1} {
		bad := bytes.Clone(blob)
		bad[at] ^= 0x01
		tampered := writeKeyFile(t, s, "dpapi", bad)

		r := s.reopen()
		_, err := r.get("cloud.dify.ai", "tester@dify.ai", hostLogin("cloud.dify.ai"))
		ce := wantUnreadable(t, err, "get with a tampered key")
		if !strings.Contains(ce.Message, "tokens.key") {
			t.Fatalf("the message does not name the key file: %q", ce.Message)
		}
		// A write must not replace the key (which would orphan every
		// sealed token) nor touch tokens.sealed.
		if err := s.reopen().putIn(nil, "cloud.dify.ai", "other@dify.ai", hostLogin("cloud.dify.ai"), newToken("dfoa_other")); err == nil {
			t.Fatal("put succeeded with a tampered key")
		}
		if now, _ := os.ReadFile(s.keyPath()); !bytes.Equal(now, tampered) {
			t.Fatal("the tampered key file was rewritten")
		}
		if now, _ := os.ReadFile(s.path()); !bytes.Equal(now, sealedBefore) {
			t.Fatal("tokens.sealed changed")
		}
	}
	// Put back, the original key opens the token again: nothing was lost.
	writeKeyFile(t, s, "dpapi", blob)
	if got, err := s.reopen().get("cloud.dify.ai", "tester@dify.ai", hostLogin("cloud.dify.ai")); err != nil || got.reveal() != "dfoa_tamper_me" {
		t.Fatalf("the original key no longer opens the token: %v", err)
	}
}

func TestWindowsSealedRefusesRawKey(t *testing.T) {
	s := newWinSealedStore(t)
	if err := s.putIn(nil, "cloud.dify.ai", "tester@dify.ai", hostLogin("cloud.dify.ai"), newToken("dfoa_raw_key")); err != nil {
		t.Fatal(err)
	}
	_, _, blob := keyFileFields(t, s)
	secret, err := unwrapKeySecret("dpapi", blob)
	if err != nil {
		t.Fatal(err)
	}
	// The right secret, stored unwrapped (as the Linux build writes it, or
	// as someone with write access to the data dir could plant it).
	raw := writeKeyFile(t, s, "raw", secret)

	_, err = s.reopen().get("cloud.dify.ai", "tester@dify.ai", hostLogin("cloud.dify.ai"))
	ce := wantUnreadable(t, err, "get with a raw key")
	if !strings.Contains(ce.Message, "not DPAPI-wrapped") {
		t.Fatalf("the message does not say why: %q", ce.Message)
	}
	if err := s.reopen().putIn(nil, "cloud.dify.ai", "new@dify.ai", hostLogin("cloud.dify.ai"), newToken("dfoa_new")); err == nil {
		t.Fatal("put sealed a token under a raw key")
	}
	if now, _ := os.ReadFile(s.keyPath()); !bytes.Equal(now, raw) {
		t.Fatal("the raw key file was rewritten")
	}

	// A fresh data dir with only a raw key: never used for a new token.
	fresh := newWinSealedStore(t)
	if err := os.MkdirAll(fresh.keyDir, 0o700); err != nil {
		t.Fatal(err)
	}
	writeKeyFile(t, fresh, "raw", bytes.Repeat([]byte{7}, sealedSecretSize))
	if err := fresh.putIn(nil, "cloud.dify.ai", "tester@dify.ai", hostLogin("cloud.dify.ai"), newToken("dfoa_x")); err == nil {
		t.Fatal("put sealed a token under a planted raw key")
	}
	if _, err := os.Stat(fresh.path()); err == nil {
		t.Fatal("tokens.sealed was written under a planted raw key")
	}
}
