package main

// helpers_windows_test.go: helpers for the Windows tests, which run under
// Wine in CI (.ci/wine-test.sh) and on real Windows alike.

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"golang.org/x/sys/windows"
)

// winTempDir is t.TempDir for the Windows tests. Wine 8 does not
// implement the POSIX-semantics delete that Go's os.RemoveAll uses, so
// t.TempDir's cleanup fails there with "unlinkat …: Invalid function".
// This cleanup removes the tree with plain DeleteFile/RemoveDirectory
// (os.Remove) when RemoveAll hits that one error, and fails the test on
// any other: a handle we left open shows up as a sharing violation.
func winTempDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "difyctl-wintest-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		err := os.RemoveAll(dir)
		if err == nil {
			return
		}
		if !errors.Is(err, windows.ERROR_INVALID_FUNCTION) {
			t.Errorf("removing the temp dir: %v", err)
			return
		}
		if err := removeTreePlain(dir); err != nil {
			t.Errorf("removing the temp dir: %v", err)
		}
	})
	return dir
}

// removeTreePlain removes dir and everything under it, deepest first,
// one os.Remove at a time.
func removeTreePlain(dir string) error {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		paths = append(paths, p)
		return nil
	})
	if err != nil {
		return err
	}
	sort.Sort(sort.Reverse(sort.StringSlice(paths)))
	for _, p := range paths {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}
