//go:build windows

package main

// keyring_windows.go: Windows Credential Manager through advapi32's
// CredWriteW/CredReadW/CredDeleteW/CredFree (x/sys/windows has no
// wrappers, so the procs are declared here as wincred does). A generic
// credential with the official client's (keyring-rs) target name
// `tokens.<host>.<email>.difyctl`, persisted on the local machine, the
// value stored UTF-16LE as keyring-rs stores it.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/sys/windows"
)

var (
	modAdvapi32             = windows.NewLazySystemDLL("advapi32.dll")
	procCredWriteW          = modAdvapi32.NewProc("CredWriteW")
	procCredReadW           = modAdvapi32.NewProc("CredReadW")
	procCredDeleteW         = modAdvapi32.NewProc("CredDeleteW")
	procCredFree            = modAdvapi32.NewProc("CredFree")
	procCredGetSessionTypes = modAdvapi32.NewProc("CredGetSessionTypes")
)

const (
	wincredStoreName = "Windows Credential Manager"
	// maxCredBlob is CRED_MAX_CREDENTIAL_BLOB_SIZE (5 × 512).
	maxCredBlob             = 2560
	credTypeGeneric         = 1
	credPersistLocalMachine = 2
	// credTypeSlots is how many credential types CredGetSessionTypes
	// reports on; CRED_TYPE_GENERIC is index 1.
	credTypeSlots = 5
)

// credentialW mirrors CREDENTIALW; Go's layout matches the C one on both
// 32- and 64-bit Windows.
type credentialW struct {
	Flags              uint32
	Type               uint32
	TargetName         *uint16
	Comment            *uint16
	LastWritten        windows.Filetime
	CredentialBlobSize uint32
	CredentialBlob     *byte
	Persist            uint32
	AttributeCount     uint32
	Attributes         uintptr
	TargetAlias        *uint16
	UserName           *uint16
}

// newOSKeyring returns this platform's OS store.
func newOSKeyring(getenv func(string) string, timeout time.Duration) osKeyring {
	return &wincredKeyring{timeout: timeout}
}

type wincredKeyring struct{ timeout time.Duration }

func (k *wincredKeyring) name() string { return wincredStoreName }

// usable checks that advapi32 has the Cred* functions and that this logon
// session can persist generic credentials on the machine: over SSH or a
// network logon it cannot (ERROR_NO_SUCH_LOGON_SESSION on write), as Git
// Credential Manager documents.
func (k *wincredKeyring) usable() error {
	if err := procCredWriteW.Find(); err != nil {
		return &keyringError{store: k.name(), kind: keyringAbsent, reason: "advapi32.dll has no CredWriteW"}
	}
	if procCredGetSessionTypes.Find() != nil {
		return nil
	}
	var persist [credTypeSlots]uint32
	r, _, e := procCredGetSessionTypes.Call(uintptr(len(persist)), uintptr(unsafe.Pointer(&persist[0])))
	if r == 0 {
		return &keyringError{store: k.name(), kind: keyringAbsent, reason: "CredGetSessionTypes failed: " + e.Error()}
	}
	if persist[credTypeGeneric] < credPersistLocalMachine {
		return &keyringError{store: k.name(), kind: keyringAbsent,
			reason: "this logon session (SSH or network) cannot keep credentials"}
	}
	return nil
}

// within runs a Cred* call under the deadline. The call cannot be
// cancelled; on timeout it is left to finish on its own goroutine and the
// command moves on.
func (k *wincredKeyring) within(ctx context.Context, op string, call func() ([]byte, error)) ([]byte, error) {
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := call()
		done <- result{b, err}
	}()
	timer := time.NewTimer(k.timeout)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.b, r.err
	case <-ctx.Done():
		return nil, errInterrupted
	case <-timer.C:
		return nil, &keyringError{store: k.name(), op: op, kind: keyringTimeout,
			reason: fmt.Sprintf("no answer within %s", k.timeout)}
	}
}

// callError maps what a Cred* function returned: r is 0 on failure, with
// e saying why. (The Call stays at each use, where its pointer arguments
// are converted in the call itself, as the unsafe.Pointer rules ask.)
func (k *wincredKeyring) callError(op string, r uintptr, e error) error {
	switch {
	case r != 0:
		return nil
	case errors.Is(e, windows.ERROR_NOT_FOUND):
		return errKeyringNotFound
	case errors.Is(e, windows.ERROR_NO_SUCH_LOGON_SESSION):
		return &keyringError{store: k.name(), op: op, kind: keyringAbsent, reason: "this logon session cannot keep credentials"}
	}
	return &keyringError{store: k.name(), op: op, reason: e.Error()}
}

func (k *wincredKeyring) read(ctx context.Context, account string) ([]byte, error) {
	target, err := windows.UTF16PtrFromString(credTarget(account))
	if err != nil {
		return nil, &keyringError{store: k.name(), op: "read", kind: keyringRejected, reason: "the name contains NUL"}
	}
	return k.within(ctx, "read", func() ([]byte, error) {
		var cred *credentialW
		r, _, e := procCredReadW.Call(uintptr(unsafe.Pointer(target)), credTypeGeneric, 0, uintptr(unsafe.Pointer(&cred)))
		if err := k.callError("read", r, e); err != nil {
			return nil, err
		}
		defer procCredFree.Call(uintptr(unsafe.Pointer(cred)))
		if cred.CredentialBlobSize > maxCredBlob || cred.CredentialBlob == nil {
			if cred.CredentialBlobSize == 0 {
				return nil, errKeyringNotFound
			}
			return nil, &keyringError{store: k.name(), op: "read", reason: "the stored value is larger than a credential blob may be"}
		}
		blob := bytes.Clone(unsafe.Slice(cred.CredentialBlob, cred.CredentialBlobSize))
		return decodeCredBlob(blob), nil
	})
}

func (k *wincredKeyring) write(ctx context.Context, account, label string, value []byte) error {
	blob, err := encodeCredBlob(value)
	if err != nil {
		return err
	}
	target, err1 := windows.UTF16PtrFromString(credTarget(account))
	user, err2 := windows.UTF16PtrFromString(account)
	comment, err3 := windows.UTF16PtrFromString(label)
	if err1 != nil || err2 != nil || err3 != nil || len(blob) == 0 {
		return &keyringError{store: k.name(), op: "write", kind: keyringRejected, reason: "a name contains NUL"}
	}
	_, err = k.within(ctx, "write", func() ([]byte, error) {
		cred := credentialW{
			Type:               credTypeGeneric,
			TargetName:         target,
			Comment:            comment,
			CredentialBlobSize: uint32(len(blob)),
			CredentialBlob:     &blob[0],
			Persist:            credPersistLocalMachine,
			UserName:           user,
		}
		r, _, e := procCredWriteW.Call(uintptr(unsafe.Pointer(&cred)), 0)
		return nil, k.callError("write", r, e)
	})
	return err
}

func (k *wincredKeyring) remove(ctx context.Context, account string) error {
	target, err := windows.UTF16PtrFromString(credTarget(account))
	if err != nil {
		return &keyringError{store: k.name(), op: "delete", kind: keyringRejected, reason: "the name contains NUL"}
	}
	_, err = k.within(ctx, "delete", func() ([]byte, error) {
		r, _, e := procCredDeleteW.Call(uintptr(unsafe.Pointer(target)), credTypeGeneric, 0)
		return nil, k.callError("delete", r, e)
	})
	return err
}

// encodeCredBlob is the CredentialBlob for a value: UTF-16LE, as the
// official client's keyring-rs writes and reads it.
func encodeCredBlob(value []byte) ([]byte, error) {
	u := utf16.Encode([]rune(string(value)))
	if len(u)*2 > maxCredBlob {
		return nil, &keyringError{store: wincredStoreName, op: "write", kind: keyringRejected,
			reason: fmt.Sprintf("the value needs %d bytes, over the %d-byte credential blob limit", len(u)*2, maxCredBlob)}
	}
	b := make([]byte, 2*len(u))
	for i, c := range u {
		b[2*i], b[2*i+1] = byte(c), byte(c>>8)
	}
	return b, nil
}

// decodeCredBlob reads a CredentialBlob: UTF-16LE as keyring-rs writes
// it (even length, and either every high byte zero or not valid UTF-8),
// else the raw UTF-8 bytes other tools (go-keyring/wincred) store.
func decodeCredBlob(b []byte) []byte {
	if len(b) == 0 || len(b)%2 != 0 {
		return b
	}
	ascii := true
	for i := 1; i < len(b); i += 2 {
		if b[i] != 0 {
			ascii = false
			break
		}
	}
	if !ascii && utf8.Valid(b) {
		return b
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
	}
	return []byte(string(utf16.Decode(u)))
}

// keyringRemoveCommand is the command that deletes the Credential Manager
// entry name by hand.
func keyringRemoveCommand(name string) string {
	return `cmdkey "/delete:` + credTarget(name) + `"`
}
