//go:build windows

package main

// dpapi_windows.go: the sealed file's key secret is wrapped with DPAPI
// (CryptProtectData, current user), so the data dir alone, copied to
// another machine or read by another user, does not open tokens.sealed.

import (
	"bytes"
	"errors"
	"unsafe"

	"golang.org/x/sys/windows"
)

const keyWrapName = "dpapi"

func wrapKeySecret(secret []byte) (wrap string, blob []byte, err error) {
	if len(secret) == 0 {
		return "", nil, errors.New("empty key secret")
	}
	desc, _ := windows.UTF16PtrFromString("difyctl sealed-file key")
	in := windows.DataBlob{Size: uint32(len(secret)), Data: &secret[0]}
	var out windows.DataBlob
	if err := windows.CryptProtectData(&in, desc, nil, 0, nil, windows.CRYPTPROTECT_UI_FORBIDDEN, &out); err != nil {
		return "", nil, err
	}
	defer windows.LocalFree(windows.Handle(unsafe.Pointer(out.Data)))
	return keyWrapName, bytes.Clone(unsafe.Slice(out.Data, out.Size)), nil
}

func unwrapKeySecret(wrap string, blob []byte) ([]byte, error) {
	switch wrap {
	case "raw":
		// Only a key this user's DPAPI wrapped is trusted here. A raw one
		// was planted or copied from another OS; accepting it would let
		// whoever wrote it read every token sealed from now on.
		return nil, errors.New("it is not DPAPI-wrapped; the Windows build accepts only a key wrapped for this user (remove it and sign in again)")
	case keyWrapName:
	default:
		return nil, errors.New("unknown key wrapping " + wrap)
	}
	if len(blob) == 0 {
		return nil, errors.New("empty DPAPI blob")
	}
	in := windows.DataBlob{Size: uint32(len(blob)), Data: &blob[0]}
	var out windows.DataBlob
	if err := windows.CryptUnprotectData(&in, nil, nil, 0, nil, windows.CRYPTPROTECT_UI_FORBIDDEN, &out); err != nil {
		return nil, errors.New("DPAPI cannot unwrap it (another user or machine?): " + err.Error())
	}
	defer windows.LocalFree(windows.Handle(unsafe.Pointer(out.Data)))
	return bytes.Clone(unsafe.Slice(out.Data, out.Size)), nil
}
