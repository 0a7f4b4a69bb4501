package main

// sys_linux_test.go: core dumps off, read from /proc.

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func nobodyAttr(uid int) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid)}}
}

// chownTree gives dir and everything under it (and its parent, the test's
// temp dir) to uid.
func chownTree(dir string, uid int) error {
	if err := os.Chown(filepath.Dir(dir), uid, uid); err != nil {
		return err
	}
	return filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, uid)
	})
}

func fileOwner(path string) (int, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return int(fi.Sys().(*syscall.Stat_t).Uid), nil
}

// TestHardeningNoCoreDumps: the running process has RLIMIT_CORE 0 and is
// not dumpable (its /proc files belong to root, not to its user).
func TestHardeningNoCoreDumps(t *testing.T) {
	f := startFake(t) // 5 s interval: the login waits long enough to look at it
	e := newCLIEnv(t)
	args := []string{"auth", "login", "--host", f.url, "--insecure", "--no-browser"}
	bin := difyctlBin
	uid := os.Geteuid()
	if uid == 0 {
		// As root, every /proc file is root's anyway: run as nobody, so a
		// root owner can only mean "not dumpable". Nobody needs its own
		// copy of the binary and the HOME.
		uid = 65534
		bin = filepath.Join(e.home, "difyctl")
		data, err := os.ReadFile(difyctlBin)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(bin, data, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := chownTree(e.home, uid); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = e.environ()
	if uid != os.Geteuid() {
		cmd.SysProcAttr = nobodyAttr(uid)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	f.waitPending(nil) // the process is past start-up and waiting
	pid := cmd.Process.Pid
	limits, err := os.ReadFile(fmt.Sprintf("/proc/%d/limits", pid))
	if err != nil {
		t.Fatal(err)
	}
	var soft, hard string
	for _, l := range strings.Split(string(limits), "\n") {
		if strings.HasPrefix(l, "Max core file size") {
			fs := strings.Fields(strings.TrimPrefix(l, "Max core file size"))
			if len(fs) >= 2 {
				soft, hard = fs[0], fs[1]
			}
		}
	}
	if soft != "0" || hard != "0" {
		t.Errorf("core file size limit %q/%q, want 0/0:\n%s", soft, hard, limits)
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(status), fmt.Sprintf("\nUid:\t%d\t", uid)) {
		t.Fatalf("the process does not run as uid %d:\n%s\n%s", uid, status, errb.String())
	}
	owner, err := fileOwner(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	if owner != 0 {
		t.Errorf("/proc/%d/status belongs to uid %d: the process is dumpable", pid, owner)
	}
}
