package main

// sys_lock_windows_test.go: LockFileEx through lockDir between real
// processes (run under Wine in CI by .ci/wine-test.sh).

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/windows"
)

// lockDir takes LockFileEx on <dir>/.difyctl-mutex, waiting as long as it
// takes: shared or exclusive.
func lockDir(dir string, exclusive bool) (func(), error) {
	var how uint32
	if exclusive {
		how = windows.LOCKFILE_EXCLUSIVE_LOCK
	}
	unlock, ok, err := lockDirHow(dir, how)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errors.New("lock not taken")
	}
	return unlock, nil
}

const winLockHelperEnv = "DIFYCTL_WIN_LOCK_HELPER"

// TestWindowsLockHelper is not a test: run with DIFYCTL_WIN_LOCK_HELPER set
// to a directory, it is the second process that takes lockDir's exclusive
// lock, says LOCKED on stdout and then holds the lock until stdin closes
// or it is killed.
func TestWindowsLockHelper(t *testing.T) {
	dir := os.Getenv(winLockHelperEnv)
	if dir == "" {
		return // an ordinary run: nothing to do
	}
	unlock, err := lockDir(dir, true)
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	fmt.Println("LOCKED")
	bufio.NewReader(os.Stdin).ReadString('\n')
	unlock()
	fmt.Println("UNLOCKED")
	os.Exit(0)
}

// startLockHolder starts a process holding the exclusive lock on dir and
// waits until it has it. Writing a line to the returned pipe releases it.
func startLockHolder(t *testing.T, dir string) (*exec.Cmd, *os.File, *bufio.Reader) {
	t.Helper()
	var cmd *exec.Cmd
	var stdinW *os.File
	var out io.ReadCloser
	for attempt := 1; ; attempt++ {
		cmd = exec.Command(os.Args[0], "-test.run=^TestWindowsLockHelper$")
		cmd.Env = append(os.Environ(), winLockHelperEnv+"="+dir)
		var stdinR *os.File
		var err error
		stdinR, stdinW, err = os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdin = stdinR
		if out, err = cmd.StdoutPipe(); err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		err = cmd.Start()
		stdinR.Close()
		if err == nil {
			break
		}
		stdinW.Close()
		if !wineSpawnFlake(err) || attempt == 3 {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Cleanup(func() {
		stdinW.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	rd := bufio.NewReader(out)
	line, err := readLineWithin(rd, 60*time.Second)
	if err != nil || line != "LOCKED" {
		t.Fatalf("the holder did not take the lock: %q %v", line, err)
	}
	return cmd, stdinW, rd
}

func readLineWithin(rd *bufio.Reader, d time.Duration) (string, error) {
	type res struct {
		s   string
		err error
	}
	ch := make(chan res, 1)
	go func() {
		s, err := rd.ReadString('\n')
		ch <- res{strings.TrimSpace(s), err}
	}()
	select {
	case r := <-ch:
		return r.s, r.err
	case <-time.After(d):
		return "", fmt.Errorf("no line within %s", d)
	}
}

// lockInBackground calls lockDir(dir, exclusive) on its own goroutine; the
// channel yields its unlock func once it has the lock.
func lockInBackground(t *testing.T, dir string, exclusive bool) <-chan func() {
	got := make(chan func(), 1)
	go func() {
		unlock, err := lockDir(dir, exclusive)
		if err != nil {
			t.Errorf("lockDir: %v", err)
			close(got)
			return
		}
		got <- unlock
	}()
	return got
}

// stillWaiting checks that the lock has not been granted: it gives the
// waiter a moment to (wrongly) get through.
func stillWaiting(t *testing.T, got <-chan func(), while string) {
	t.Helper()
	select {
	case unlock, ok := <-got:
		if ok {
			unlock()
		}
		t.Fatalf("the lock was granted %s", while)
	case <-time.After(500 * time.Millisecond):
	}
}

func waitGranted(t *testing.T, got <-chan func(), after string) func() {
	t.Helper()
	select {
	case unlock, ok := <-got:
		if !ok {
			t.FailNow()
		}
		return unlock
	case <-time.After(30 * time.Second):
		t.Fatalf("the lock was not granted after %s", after)
	}
	return nil
}

func TestWindowsLockExcludesAnotherProcess(t *testing.T) {
	dir := winTempDir(t)
	holder, release, rd := startLockHolder(t, dir)

	writer := lockInBackground(t, dir, true)
	stillWaiting(t, writer, "for writing while another process holds it")

	release.Write([]byte("\n"))
	if line, err := readLineWithin(rd, 30*time.Second); line != "UNLOCKED" {
		t.Fatalf("the holder did not release: %q %v", line, err)
	}
	unlock := waitGranted(t, writer, "the holder released it")
	holder.Wait()

	// Now this process holds it: a second process has to wait.
	var cmd *exec.Cmd
	var out io.ReadCloser
	var stdin io.WriteCloser
	for attempt := 1; ; attempt++ {
		cmd = exec.Command(os.Args[0], "-test.run=^TestWindowsLockHelper$")
		cmd.Env = append(os.Environ(), winLockHelperEnv+"="+dir)
		out, _ = cmd.StdoutPipe()
		stdin, _ = cmd.StdinPipe()
		err := cmd.Start()
		if err == nil {
			break
		}
		if !wineSpawnFlake(err) || attempt == 3 {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	rd2 := bufio.NewReader(out)
	lines := make(chan string, 1)
	go func() { s, _ := rd2.ReadString('\n'); lines <- strings.TrimSpace(s) }()
	select {
	case l := <-lines:
		t.Fatalf("the second process got through while this one holds the lock: %q", l)
	case <-time.After(500 * time.Millisecond):
	}
	unlock()
	select {
	case l := <-lines:
		if l != "LOCKED" {
			t.Fatalf("the second process: %q", l)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the second process did not get the lock after this one released it")
	}
	stdin.Close()
}

func TestWindowsLockKilledHolderReleases(t *testing.T) {
	dir := winTempDir(t)
	holder, _, _ := startLockHolder(t, dir)

	writer := lockInBackground(t, dir, true)
	stillWaiting(t, writer, "while the holder is alive")

	// TerminateProcess: no unlock ever runs in the holder.
	if err := holder.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	holder.Wait()
	unlock := waitGranted(t, writer, "the holder was killed")
	unlock()

	// And the lock is usable again afterwards, by anyone.
	unlock2, err := lockDir(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	unlock2()
}

// wineSpawnFlake reports the process-creation failure Wine 8 sometimes
// gives under load ("Internal error", ERROR_INTERNAL_ERROR); the tests
// retry that one, a few times, and fail at once on anything else.
func wineSpawnFlake(err error) bool {
	return strings.Contains(err.Error(), "Internal error")
}
