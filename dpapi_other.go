//go:build !windows

package main

// dpapi_other.go: outside Windows the key secret is stored as is, 0600 in
// a 0700 data dir; the separation from the config dir is what keeps a copy
// of the config dir from opening tokens.sealed.

import "errors"

const keyWrapName = "raw"

func wrapKeySecret(secret []byte) (wrap string, blob []byte, err error) {
	return keyWrapName, append([]byte(nil), secret...), nil
}

func unwrapKeySecret(wrap string, blob []byte) ([]byte, error) {
	switch wrap {
	case "raw":
		return blob, nil
	case "dpapi":
		return nil, errors.New("it is DPAPI-wrapped and opens only on Windows, for the user who created it")
	}
	return nil, errors.New("unknown key wrapping " + wrap)
}
