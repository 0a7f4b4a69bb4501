package main

// sys_linux.go: PR_SET_DUMPABLE and POSIX ACLs as Linux keeps them.

import (
	"encoding/binary"
	"os"
	"os/user"
	"strconv"

	"golang.org/x/sys/unix"
)

// markNotDumpable clears the process's dumpable flag: no core dump, no
// ptrace attach and no /proc/<pid>/mem for other processes of the user.
func markNotDumpable() { unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0) }

// The tags and the read bit of a POSIX ACL entry in the
// system.posix_acl_access attribute (linux/posix_acl_xattr.h).
const (
	aclUserObj  = 0x01
	aclUser     = 0x02
	aclGroupObj = 0x04
	aclGroup    = 0x08
	aclMask     = 0x10
	aclOther    = 0x20
	aclRead     = 0x04
)

// aclReaders reads path's access ACL from its system.posix_acl_access
// attribute, as getfacl does, and lists who other than us it lets read
// the file (named users and groups and the owning group, each through the
// mask; others). hasACL is false when the file has no extended ACL (its
// mode bits then tell it all) or it cannot be read.
func aclReaders(path string) (readers []string, hasACL bool) {
	buf := make([]byte, 4096)
	n, err := unix.Getxattr(path, "system.posix_acl_access", buf)
	if err != nil || n < 4 || (n-4)%8 != 0 || binary.LittleEndian.Uint32(buf) != 2 {
		return nil, false
	}
	type entry struct {
		tag, perm uint16
		id        uint32
	}
	var entries []entry
	mask := uint16(aclRead)
	for i := 4; i+8 <= n; i += 8 {
		e := entry{binary.LittleEndian.Uint16(buf[i:]), binary.LittleEndian.Uint16(buf[i+2:]), binary.LittleEndian.Uint32(buf[i+4:])}
		if e.tag == aclMask {
			mask = e.perm
		}
		entries = append(entries, e)
	}
	me := uint32(os.Getuid())
	for _, e := range entries {
		if e.perm&aclRead == 0 {
			continue
		}
		switch {
		case e.tag == aclUser && e.id != me && mask&aclRead != 0:
			readers = append(readers, "user "+idName("uid", e.id, func(id string) string {
				if u, err := user.LookupId(id); err == nil {
					return u.Username
				}
				return ""
			}))
		case e.tag == aclGroup && mask&aclRead != 0:
			readers = append(readers, "group "+idName("gid", e.id, func(id string) string {
				if g, err := user.LookupGroupId(id); err == nil {
					return g.Name
				}
				return ""
			}))
		case e.tag == aclGroupObj && mask&aclRead != 0:
			readers = append(readers, "the file's group")
		case e.tag == aclOther:
			readers = append(readers, "everyone")
		}
	}
	return readers, true
}

// idName shows a numeric user or group id as "name (uid 1001)", or as
// "uid 1001" when lookup finds no name.
func idName(kind string, id uint32, lookup func(string) string) string {
	n := strconv.FormatUint(uint64(id), 10)
	if name := lookup(n); name != "" {
		return name + " (" + kind + " " + n + ")"
	}
	return kind + " " + n
}
