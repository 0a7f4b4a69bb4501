package main

// store.go: where difyctl keeps its files, the hosts.yml model, the locks,
// and the one locked read-modify-write every change goes through.
//
// Two locks, for two different jobs:
//
//   - <file>.lock is the official client's protocol (the npm lockfile
//     package): created with O_CREAT|O_EXCL, removed right after the
//     write, held only for the read-modify-write itself. The official
//     client never retries and treats an existing one as held until its
//     ctime is 30 s old, so ours is never left behind, never held across a
//     network call, a prompt or an OS-store call. Ours carries a marker
//     and our PID; a lock with our marker whose process is gone (a
//     SIGKILLed difyctl) is broken at once.
//   - osLockName (tryLockDir, flock/LockFileEx) keeps our own processes
//     exclusive: twenty sign-ins at once lose nothing, a stale <file>.lock
//     is broken by one of us at a time, and a sign-in that stores a token
//     and then records its context holds it across both. It lives in the
//     data dir (store.lockDir), not in the config dir the official client
//     owns: a lock file cannot safely be removed while others may wait on
//     it, so it stays, and it stays out of the official client's way.
//
// storeTx is a held OS lock, passed explicitly to the code that needs it.
// Reads take no lock: every write is an atomic rename.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	hostsFileName = "hosts.yml"
	// lockFileName is the official client's lock of hosts.yml, which we
	// obey and create the same way (see lockName).
	lockFileName = hostsFileName + ".lock"
)

// configDir resolves the config directory. It never falls back to a
// shared temporary directory, where another user could plant hosts.yml.
func configDir(getenv func(string) string) (string, error) {
	if d := getenv("DIFY_CONFIG_DIR"); d != "" {
		return d, nil
	}
	switch runtime.GOOS {
	case "windows":
		for _, v := range []string{"APPDATA", "LOCALAPPDATA"} {
			if d := getenv(v); d != "" {
				return filepath.Join(d, "difyctl"), nil
			}
		}
		return "", newError(codeConfigDirUnresolved, "cannot resolve %APPDATA% on Windows", "set DIFY_CONFIG_DIR")
	case "darwin":
	default:
		if x := getenv("XDG_CONFIG_HOME"); x != "" {
			return filepath.Join(x, "difyctl"), nil
		}
	}
	home := getenv("HOME")
	if home == "" {
		return "", newError(codeConfigDirUnresolved, "cannot resolve the config directory: HOME is not set", "set DIFY_CONFIG_DIR or HOME")
	}
	return filepath.Join(home, ".config", "difyctl"), nil
}

// dataDir resolves the user data directory that holds the sealed file's key
// secret, kept apart from the config dir so a copy of the config dir alone
// opens nothing.
func dataDir(getenv func(string) string) (string, error) {
	if d := getenv("DIFY_DATA_DIR"); d != "" {
		return d, nil
	}
	switch runtime.GOOS {
	case "windows":
		if d := getenv("LOCALAPPDATA"); d != "" {
			return filepath.Join(d, "difyctl"), nil
		}
		return "", newError(codeConfigDirUnresolved, "cannot resolve %LOCALAPPDATA% on Windows", "set DIFY_DATA_DIR")
	case "darwin":
		if home := getenv("HOME"); home != "" {
			return filepath.Join(home, "Library", "Application Support", "difyctl"), nil
		}
	default:
		if x := getenv("XDG_DATA_HOME"); x != "" {
			return filepath.Join(x, "difyctl"), nil
		}
		if home := getenv("HOME"); home != "" {
			return filepath.Join(home, ".local", "share", "difyctl"), nil
		}
	}
	return "", newError(codeConfigDirUnresolved, "cannot resolve the data directory: HOME is not set", "set DIFY_DATA_DIR or HOME")
}

// hostsFile is hosts.yml: the official client's schema plus our fields.
// Each level keeps the node it was read from, so keys we do not know
// survive a rewrite.
type hostsFile struct {
	TokenStorage string // global key the official client reads: keychain|file
	CurrentHost  string
	Hosts        []*hostEntry
	node         *yamlNode
	// raw is the file as read, so an update that changes nothing is seen
	// without encoding the model twice.
	raw string
}

type hostEntry struct {
	Host           string // hostname[:port], lower case
	Scheme         string // only when not https
	Path           string // path prefix such as /dify; ours
	InsecureTLS    bool
	CurrentAccount string
	Accounts       []*contextEntry
	node           *yamlNode
}

// contextEntry is one host+account sign-in.
type contextEntry struct {
	Email          string // the key under accounts
	Account        accountInfo
	Workspace      *workspaceInfo
	TokenID        string
	TokenExpiresAt string
	External       *externalSubject
	TokenStorage   string // ours: keychain|sealed, where this context's token lives
	node           *yamlNode
	accountNode    *yamlNode
}

// accountInfo and workspaceInfo are also the JSON the server sends and
// whoami and auth status print.
type accountInfo struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

type workspaceInfo struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
}

type externalSubject struct{ Email, Issuer string }

// host returns the entry for a host key, or nil.
func (h *hostsFile) host(name string) *hostEntry {
	for _, e := range h.Hosts {
		if e.Host == name {
			return e
		}
	}
	return nil
}

// account returns the context for an email on this host, or nil.
func (e *hostEntry) account(email string) *contextEntry {
	if e == nil {
		return nil
	}
	for _, c := range e.Accounts {
		if c.Email == email {
			return c
		}
	}
	return nil
}

// emails lists the host's accounts in file order.
func (e *hostEntry) emails() []string {
	out := make([]string, len(e.Accounts))
	for i, c := range e.Accounts {
		out[i] = c.Email
	}
	return out
}

// active returns the active context and its host, or nils when any link of
// current_host → host → current_account → account is missing.
func (h *hostsFile) active() (*hostEntry, *contextEntry) {
	e := h.host(h.CurrentHost)
	if e == nil || h.CurrentHost == "" {
		return nil, nil
	}
	c := e.account(e.CurrentAccount)
	if c == nil || e.CurrentAccount == "" {
		return nil, nil
	}
	return e, c
}

// upsert adds or replaces the context for host+email, creating the host.
func (h *hostsFile) upsert(host string, c *contextEntry) *hostEntry {
	e := h.host(host)
	if e == nil {
		e = &hostEntry{Host: host}
		h.Hosts = append(h.Hosts, e)
	}
	for i, old := range e.Accounts {
		if old.Email == c.Email {
			c.node, c.accountNode = old.node, old.accountNode
			e.Accounts[i] = c
			return e
		}
	}
	e.Accounts = append(e.Accounts, c)
	return e
}

// remove deletes a context with the official client's pointer rules: the
// host's current_account is unset if it pointed there, an empty host is
// removed, and current_host is unset if the removed context was active. No
// other context is made active.
func (h *hostsFile) remove(host, email string) {
	e := h.host(host)
	if e == nil {
		return
	}
	wasActive := h.CurrentHost == host && e.CurrentAccount == email
	if i := slices.IndexFunc(e.Accounts, func(c *contextEntry) bool { return c.Email == email }); i >= 0 {
		e.Accounts = slices.Delete(e.Accounts, i, i+1)
	}
	if e.CurrentAccount == email {
		e.CurrentAccount = ""
	}
	if len(e.Accounts) == 0 {
		h.Hosts = slices.DeleteFunc(h.Hosts, func(x *hostEntry) bool { return x == e })
		if h.CurrentHost == host {
			h.CurrentHost = ""
		}
	} else if wasActive {
		h.CurrentHost = ""
	}
}

// count returns how many contexts the file holds.
func (h *hostsFile) count() int {
	n := 0
	for _, e := range h.Hosts {
		n += len(e.Accounts)
	}
	return n
}

// decodeHosts maps a parsed document onto the model. A document whose known
// keys have the wrong shape is as unreadable as one that does not parse.
func decodeHosts(root *yamlNode) (*hostsFile, error) {
	h := &hostsFile{node: root}
	if root.isNull() {
		h.node = nil
		return h, nil
	}
	if root.Kind != yamlMap {
		return nil, shapeError(root, "the document must be a mapping")
	}
	if err := scalarsAt(root, []string{"token_storage", "current_host"}, &h.TokenStorage, &h.CurrentHost); err != nil {
		return nil, err
	}
	hosts, err := mappingAt(root, "hosts")
	if hosts == nil || err != nil {
		return h, err
	}
	for i, name := range hosts.Keys {
		e, err := decodeHost(name, hosts.Vals[i])
		if err != nil {
			return nil, err
		}
		h.Hosts = append(h.Hosts, e)
	}
	return h, nil
}

func decodeHost(name string, n *yamlNode) (*hostEntry, error) {
	e := &hostEntry{Host: name, node: n}
	if n.isNull() {
		e.node = nil
		return e, nil
	}
	if n.Kind != yamlMap {
		return nil, shapeError(n, fmt.Sprintf("hosts.%s must be a mapping", name))
	}
	var insecure string
	if err := scalarsAt(n, []string{"scheme", "path", "insecure_tls", "current_account"}, &e.Scheme, &e.Path, &insecure, &e.CurrentAccount); err != nil {
		return nil, err
	}
	e.InsecureTLS = insecure == "true" || insecure == "True" || insecure == "TRUE"
	accounts, err := mappingAt(n, "accounts")
	if accounts == nil || err != nil {
		return e, err
	}
	e.Accounts = make([]*contextEntry, 0, len(accounts.Keys))
	for i, email := range accounts.Keys {
		c, err := decodeContext(email, accounts.Vals[i])
		if err != nil {
			return nil, err
		}
		e.Accounts = append(e.Accounts, c)
	}
	return e, nil
}

func decodeContext(email string, n *yamlNode) (*contextEntry, error) {
	c := &contextEntry{Email: email, node: n}
	if n.isNull() {
		c.node = nil
		return c, nil
	}
	if n.Kind != yamlMap {
		return nil, shapeError(n, fmt.Sprintf("accounts.%s must be a mapping", email))
	}
	if err := scalarsAt(n, []string{"token_id", "token_expires_at", "token_storage"}, &c.TokenID, &c.TokenExpiresAt, &c.TokenStorage); err != nil {
		return nil, err
	}
	var err error
	if c.accountNode, err = scalarsIn(n, "account", []string{"id", "email", "name"}, &c.Account.ID, &c.Account.Email, &c.Account.Name); err != nil {
		return nil, err
	}
	w, x := &workspaceInfo{}, &externalSubject{}
	wn, err := scalarsIn(n, "workspace", []string{"id", "name", "role"}, &w.ID, &w.Name, &w.Role)
	if err != nil {
		return nil, err
	}
	xn, err := scalarsIn(n, "external_subject", []string{"email", "issuer"}, &x.Email, &x.Issuer)
	if err != nil {
		return nil, err
	}
	if wn != nil {
		c.Workspace = w
	}
	if xn != nil {
		c.External = x
	}
	return c, nil
}

// scalarsIn reads scalar keys of the optional mapping at key into dsts
// (scalarsAt) and returns the mapping; nil when it is absent or null.
func scalarsIn(n *yamlNode, key string, keys []string, dsts ...*string) (*yamlNode, error) {
	m, err := mappingAt(n, key)
	if m == nil || err != nil {
		return nil, err
	}
	return m, scalarsAt(m, keys, dsts...)
}

// scalarsAt reads optional scalar keys into dsts, in order; a mapping or
// sequence at one of them is a shape error.
func scalarsAt(n *yamlNode, keys []string, dsts ...*string) error {
	for i, key := range keys {
		v := n.get(key)
		if v.isNull() {
			*dsts[i] = ""
			continue
		}
		if v.Kind != yamlScalar {
			return shapeError(v, key+" must be a string")
		}
		*dsts[i] = v.Value
	}
	return nil
}

// mappingAt returns the mapping at key; nil when it is absent or null.
func mappingAt(n *yamlNode, key string) (*yamlNode, error) {
	v := n.get(key)
	if v.isNull() {
		return nil, nil
	}
	if v.Kind != yamlMap {
		return nil, shapeError(v, key+" must be a mapping")
	}
	return v, nil
}

func shapeError(n *yamlNode, msg string) error {
	line, col := 1, 1
	if n != nil {
		line, col = n.Line, n.Col
	}
	return &yamlSyntaxError{Line: line, Col: col, Msg: msg}
}

// encodeHosts renders the model, starting from the nodes it was read from
// so unknown keys keep their place. Empty optional fields are removed.
func encodeHosts(h *hostsFile) []byte {
	root := mapOrNew(h.node)
	setOrDel(root, "token_storage", h.TokenStorage)
	setOrDel(root, "current_host", h.CurrentHost)
	hosts := &yamlNode{Kind: yamlMap, Keys: make([]string, len(h.Hosts)), Vals: make([]*yamlNode, len(h.Hosts))}
	for i, e := range h.Hosts {
		hosts.Keys[i], hosts.Vals[i] = e.Host, encodeHost(e)
	}
	root.set("hosts", hosts)
	h.node = root
	return marshalYAML(root)
}

func encodeHost(e *hostEntry) *yamlNode {
	n := mapOrNew(e.node)
	setOrDel(n, "scheme", e.Scheme)
	if e.InsecureTLS {
		n.set("insecure_tls", yamlBool(true))
	} else {
		n.del("insecure_tls")
	}
	setOrDel(n, "path", e.Path)
	setOrDel(n, "current_account", e.CurrentAccount)
	accounts := &yamlNode{Kind: yamlMap, Keys: make([]string, len(e.Accounts)), Vals: make([]*yamlNode, len(e.Accounts))}
	for i, c := range e.Accounts {
		accounts.Keys[i], accounts.Vals[i] = c.Email, encodeContext(c)
	}
	n.set("accounts", accounts)
	e.node = n
	return n
}

func encodeContext(c *contextEntry) *yamlNode {
	n := mapOrNew(c.node)
	a := mapOrNew(c.accountNode)
	// The official client writes all three account fields, but reads an
	// account without an id (its schema's id is optional) and keeps it so:
	// an id is not added to an account it reads without one.
	if c.Account.ID != "" || a.get("id") != nil || c.accountNode == nil {
		setString(a, "id", c.Account.ID)
	}
	setString(a, "email", c.Account.Email)
	setString(a, "name", c.Account.Name)
	n.set("account", a)
	if c.Workspace != nil {
		w := mapAt(n, "workspace")
		setString(w, "id", c.Workspace.ID)
		setString(w, "name", c.Workspace.Name)
		setString(w, "role", c.Workspace.Role)
	} else {
		n.del("workspace")
	}
	setOrDel(n, "token_id", c.TokenID)
	setOrDel(n, "token_expires_at", c.TokenExpiresAt)
	if c.External != nil {
		x := mapAt(n, "external_subject")
		setString(x, "email", c.External.Email)
		setString(x, "issuer", c.External.Issuer)
	} else {
		n.del("external_subject")
	}
	setOrDel(n, "token_storage", c.TokenStorage)
	c.node, c.accountNode = n, a
	return n
}

func setOrDel(n *yamlNode, key, value string) {
	if value == "" {
		n.del(key)
		return
	}
	setString(n, key, value)
}

// mapOrNew returns n when it is a mapping, else a new empty one.
func mapOrNew(n *yamlNode) *yamlNode {
	if n == nil || n.Kind != yamlMap {
		return yamlNewMap()
	}
	return n
}

// mapAt returns the mapping under key, putting a new one there when the
// key is missing or holds something else.
func mapAt(n *yamlNode, key string) *yamlNode {
	m := mapOrNew(n.get(key))
	n.set(key, m)
	return m
}

// setString sets key to a string scalar, keeping the node already there
// when it holds the same string: rewriting 10 000 contexts then allocates
// almost nothing.
func setString(n *yamlNode, key, value string) {
	if old := n.get(key); old != nil && old.Kind == yamlScalar && old.Value == value {
		return
	}
	n.set(key, yamlString(value))
}

// store is the config directory and how to warn about it.
type store struct {
	dir string
	// dataDir holds our OS lock; empty when it could not be resolved,
	// and then the lock is in dir (see lockDir).
	dataDir string
	warn    func(string) // one line to stderr; called at most once per path
	// warned remembers which paths were already reported; a file reported
	// here is rewritten (0600) by the next update even if unchanged.
	warned map[string]bool
	// ctx is the command's context: Ctrl-C ends a wait for a lock. Nil
	// (or returning nil) means no cancellation.
	ctx func() context.Context
	// home is the user's home directory: the parent check (parentProblem)
	// stops there. Empty means it goes up to the root.
	home string
}

func (s *store) hostsPath() string { return filepath.Join(s.dir, hostsFileName) }

// load reads hosts.yml. It takes no lock: every write is an atomic rename.
// A missing directory or file is an empty registry; nothing is created.
func (s *store) load() (*hostsFile, error) {
	if _, err := os.Lstat(s.dir); errors.Is(err, fs.ErrNotExist) {
		return &hostsFile{}, nil
	}
	if err := s.checkDir(); err != nil {
		return nil, err
	}
	return s.read()
}

// update is the one way hosts.yml changes (see storeTx.update). change
// runs while hosts.yml.lock exists: it must not call the network, a prompt
// or an OS store.
func (s *store) update(change func(h *hostsFile) error) error {
	tx, err := s.exclusive()
	if err != nil {
		return err
	}
	defer tx.release()
	return tx.update(change)
}

// read parses hosts.yml, keeping the tree and the text so update can write
// back unknown keys and skip a write that would change nothing.
func (s *store) read() (*hostsFile, error) {
	text, err := s.readText(hostsFileName)
	if errors.Is(err, fs.ErrNotExist) {
		return &hostsFile{}, nil
	}
	if err != nil {
		return nil, err
	}
	root, err := parseYAMLText(text)
	var h *hostsFile
	if err == nil {
		h, err = decodeHosts(root)
	}
	if err != nil {
		return nil, configInvalid(s.hostsPath(), err)
	}
	h.raw = text
	return h, nil
}

// readText reads a file in the config dir (readRegular), with errors that
// name it.
func (s *store) readText(name string) (string, error) {
	path := filepath.Join(s.dir, name)
	data, err := readRegular(path, maxConfigFile, s.warnIfOpen)
	var ce *cliError
	switch {
	case err == nil:
		return string(data), nil
	case errors.As(err, &ce), errors.Is(err, fs.ErrNotExist):
		return "", err
	case errors.Is(err, errTooLarge):
		return "", newError(codeConfigInvalid, fmt.Sprintf("%s is larger than %d MiB; difyctl does not read it", path, maxConfigFile>>20),
			"fix or move "+path+" to reset")
	case errors.Is(err, errNotRegular):
		return "", newError(codeConfigInvalid, path+" is not a regular file", "fix or move "+path+" to reset")
	}
	return "", fileError("cannot read", path, err)
}

// Marks of a file readRegular does not read.
var (
	errTooLarge   = errors.New("file too large")
	errNotRegular = errors.New("not a regular file")
)

// readRegular reads the regular file at path, at most limit bytes
// (errTooLarge beyond), without following a symlink (symlinkRefused). warn,
// when set, is told the file's mode once it is open, to say when others can
// read it.
func readRegular(path string, limit int64, warn func(path string, mode fs.FileMode)) ([]byte, error) {
	f, err := openNoFollow(path)
	if err != nil {
		if isSymlinkErr(path, err) {
			return nil, symlinkRefused(path)
		}
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, errNotRegular
	}
	if fi.Size() > limit {
		return nil, errTooLarge
	}
	if warn != nil {
		warn(path, fi.Mode())
	}
	var b bytes.Buffer
	b.Grow(int(fi.Size()) + 1) // only a hint: a file may grow
	if _, err := b.ReadFrom(io.LimitReader(f, limit+1)); err != nil {
		return nil, err
	}
	if int64(b.Len()) > limit {
		return nil, errTooLarge
	}
	return b.Bytes(), nil
}

// checkSecure refuses (config_insecure) when another user could have
// changed the config dir, one of its parents or a file that decides where
// a token goes or which token is sent: the dir, hosts.yml, tokens.yml,
// tokens.sealed and the key file; or could read the key file or
// tokens.sealed, which together open every sealed token. Like ssh with its
// keys (StrictModes); run before any token is read. notDone ends the
// message, saying what was not done.
func (s *store) checkSecure(keyFile, notDone string) error {
	sealed := filepath.Join(s.dir, sealedFileName)
	decisive := []string{s.dir, s.hostsPath(), filepath.Join(s.dir, plaintextTokensName), sealed}
	secrets := []string{sealed}
	if keyFile != "" {
		decisive = append(decisive, keyFile)
		secrets = append(secrets, keyFile)
	}
	if problem, fix := firstProblem(decisive, ownerProblem); problem != "" {
		return newError(codeConfigInsecure, problem+": another user could make difyctl send your token elsewhere; "+notDone, fix)
	}
	if problem, fix := parentProblem(s.dir, s.home); problem != "" {
		return newError(codeConfigInsecure, problem+": another user could replace the config directory "+s.dir+" and make difyctl send your token elsewhere; "+notDone, fix)
	}
	if problem, fix := firstProblem(secrets, readProblem); problem != "" {
		return newError(codeConfigInsecure, problem+": the key file and tokens.sealed together open every sealed token; "+notDone, fix)
	}
	return nil
}

// firstProblem runs check on each path that exists, in order, and returns
// the first problem it finds.
func firstProblem(paths []string, check func(string, fs.FileInfo) (problem, fix string)) (problem, fix string) {
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil {
			if problem, fix := check(p, fi); problem != "" {
				return problem, fix
			}
		}
	}
	return "", ""
}

// checkDir makes sure the config dir is a directory and reports once when
// others can read it. A symlinked directory is allowed (a common dotfiles
// setup); the files inside are still refused when they are symlinks.
func (s *store) checkDir() error {
	fi, err := os.Stat(s.dir)
	if err != nil {
		return fileError("cannot open the config directory", s.dir, err)
	}
	if !fi.IsDir() {
		return newError(codeConfigInvalid, s.dir+" is not a directory", "set DIFY_CONFIG_DIR to a directory")
	}
	s.warnIfOpen(s.dir, fi.Mode())
	return nil
}

// warnIfOpen prints one warning per path whose mode lets group or others
// read it. Windows modes say nothing useful and are skipped.
func (s *store) warnIfOpen(path string, mode fs.FileMode) {
	if runtime.GOOS == "windows" || mode.Perm()&0o077 == 0 || s.warn == nil {
		return
	}
	if s.warned == nil {
		s.warned = map[string]bool{}
	}
	if s.warned[path] {
		return
	}
	s.warned[path] = true
	want := "600"
	if mode.IsDir() {
		want = "700"
	}
	s.warn(fmt.Sprintf("%s is accessible by other users (mode %04o); run 'chmod %s %s'", path, mode.Perm(), want, path))
}

func configInvalid(path string, err error) *cliError {
	msg := "cannot parse " + path
	var se *yamlSyntaxError
	if errors.As(err, &se) {
		msg = fmt.Sprintf("cannot parse %s: line %d, column %d: %s", path, se.Line, se.Col, se.Msg)
	}
	return newError(codeConfigInvalid, msg, "fix or move "+path+" to reset")
}

func symlinkRefused(path string) *cliError {
	return newError(codeConfigInvalid, "refusing to follow the symlink at "+path,
		"replace "+path+" with a regular file (difyctl never follows symlinks for its files)")
}

func fileError(what, path string, err error) *cliError {
	return newError(codeConfigIO, fmt.Sprintf("%s %s: %v", what, path, unwrapPathErr(err)), "")
}

// writeFileAtomic replaces dir/name with data: a new temp file (O_EXCL,
// 0600) in the same directory, fsync, rename over the target, fsync the
// directory. A crash leaves the old file or the new one, never a part. The
// caller holds our OS lock (storeTx), and for a file the official client
// shares, its <file>.lock.
func writeFileAtomic(dir, name string, data []byte) error {
	target := filepath.Join(dir, name)
	if fi, err := os.Lstat(target); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return symlinkRefused(target)
	}
	tmp := filepath.Join(dir, tempPrefix(name)+randomSuffix())
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fileError("cannot write", tmp, err)
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return fileError("cannot write", tmp, err)
	}
	if err := f.Sync(); err != nil {
		return fileError("cannot write", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fileError("cannot write", tmp, err)
	}
	if err := os.Rename(tmp, target); err != nil {
		return fileError("cannot replace", target, err)
	}
	ok = true
	syncDir(dir)
	return nil
}

// tempPrefix names the temp files of one target. In the config dir only a
// writer holding our OS lock creates them, so any found while holding it
// were left by a process that died. (Key temps in the data dir are judged
// by age: removeStaleKeyTemps.)
func tempPrefix(name string) string { return "." + name + ".tmp-" }

func randomSuffix() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// removeStaleTemps deletes temp files left by killed writers in the config
// dir; exclusive runs it once the OS lock is taken.
func removeStaleTemps(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, ".") && strings.Contains(n, ".tmp-") && e.Type().IsRegular() {
			os.Remove(filepath.Join(dir, n))
		}
	}
}

const (
	// osLockName is our OS lock, in the data dir (see store.lockDir).
	osLockName = ".difyctl-mutex"
	// lockMarker starts the content of every <file>.lock we create.
	lockMarker = "difyctl-lock"
	// lockStaleAge is when the official client breaks a lock (by ctime).
	lockStaleAge = 30 * time.Second
	lockPoll     = 25 * time.Millisecond
	// lockNotice is how long a wait lasts before stderr says so.
	lockNotice = time.Second
	// maxConfigFile caps hosts.yml and tokens.yml (~80 000 contexts).
	maxConfigFile = 16 << 20
)

// lockWait bounds the wait for <file>.lock; osLockWait the wait for our
// own OS lock, whose holder may be in an OS-store call (10 s deadline).
var (
	lockWait   = 10 * time.Second
	osLockWait = 30 * time.Second
)

// storeTx is this process's exclusive hold of the config dir's OS lock.
type storeTx struct {
	s      *store
	unlock func()
}

// exclusive takes the OS lock of the config dir, creating the dir. The
// wait is bounded and ends at once on Ctrl-C (errInterrupted, exit 130).
func (s *store) exclusive() (*storeTx, error) {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return nil, fileError("cannot create the config directory", s.dir, err)
	}
	if err := s.checkDir(); err != nil {
		return nil, err
	}
	lockDir := s.lockDir()
	if err := os.MkdirAll(lockDir, 0o700); err != nil {
		return nil, fileError("cannot create the data directory", lockDir, err)
	}
	path := filepath.Join(lockDir, osLockName)
	ctx := s.context()
	deadline := time.Now().Add(osLockWait)
	for {
		unlock, ok, err := tryLockDir(lockDir)
		if err != nil {
			if errors.Is(err, errReadOnlyLock) {
				return nil, newError(codeConfigIO, "cannot write in "+lockDir+": it is read-only", "")
			}
			return nil, err
		}
		if ok {
			removeStaleTemps(s.dir)
			s.removeOldLock()
			return &storeTx{s: s, unlock: unlock}, nil
		}
		if time.Now().After(deadline) {
			return nil, newError(codeConfigLocked,
				fmt.Sprintf("another difyctl has held %s for over %s", path, osLockWait),
				"wait for the other difyctl command to finish, then retry")
		}
		select {
		case <-ctx.Done():
			return nil, errInterrupted
		case <-time.After(lockPoll):
		}
	}
}

// lockDir is where our OS lock lives: the data dir, or the config dir
// when no data dir could be resolved (no HOME, no DIFY_DATA_DIR).
func (s *store) lockDir() string {
	if s.dataDir != "" {
		return s.dataDir
	}
	return s.dir
}

// removeOldLock removes the .difyctl-mutex that versions before the data
// dir held it left in the config dir, when no such version holds it now.
func (s *store) removeOldLock() {
	if s.lockDir() == s.dir {
		return
	}
	old := filepath.Join(s.dir, osLockName)
	if fi, err := os.Lstat(old); err != nil || !fi.Mode().IsRegular() {
		return
	}
	if unlock, ok, err := tryLockDir(s.dir); err == nil && ok {
		unlock()
		os.Remove(old)
	}
}

// release gives the OS lock back; safe to call twice and on nil.
func (tx *storeTx) release() {
	if tx != nil && tx.unlock != nil {
		tx.unlock()
		tx.unlock = nil
	}
}

func (s *store) context() context.Context {
	if s.ctx != nil {
		if c := s.ctx(); c != nil {
			return c
		}
	}
	return context.Background()
}

// lockContent is what our <file>.lock holds: marker, PID and host name,
// so a lock of a dead difyctl on this machine is known as such.
func lockContent() string {
	return fmt.Sprintf("%s pid=%d host=%s\n", lockMarker, os.Getpid(), strconv.Quote(ourHostname()))
}

// lockHolder is what an existing <file>.lock says about its holder.
type lockHolder struct {
	ours bool // carries our marker
	pid  int  // 0 when unknown
	host string
	age  time.Duration
}

// fileLock creates dir/<name>.lock the official client's way and returns
// its removal. The caller holds tx (our OS lock), so no other difyctl
// races it while it breaks a stale lock.
func (tx *storeTx) fileLock(name string) (func(), error) {
	dir := tx.s.dir
	path := filepath.Join(dir, name+".lock")
	content := lockContent()
	ctx := tx.s.context()
	start := time.Now()
	announced := false
	for {
		err := createNewFile(dir, name+".lock", []byte(content))
		if err == nil {
			return func() { removeOwnLock(path, content) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fileError("cannot create", path, err)
		}
		h, err := inspectLock(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed meanwhile: try again at once
		}
		if err == nil && (h.age > lockStaleAge || (h.ours && h.pid > 0 && h.pid != os.Getpid() && h.host == ourHostname() && !pidAlive(h.pid))) {
			// Stale (as the official client judges it), or left by a
			// difyctl that died. A fresh lock another process made in
			// between would be lost here: the npm package has the same
			// window, and our own processes are kept out by tx.
			if rerr := os.Remove(path); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
				return nil, fileError("cannot remove the stale lock", path, rerr)
			}
			continue
		}
		waited := time.Since(start)
		if waited >= lockWait {
			return nil, lockedError(path, h, err)
		}
		if !announced && waited >= lockNotice && tx.s.warn != nil {
			announced = true
			tx.s.warn("waiting for " + path + " (" + h.describe() + "); Ctrl-C to stop")
		}
		select {
		case <-ctx.Done():
			return nil, errInterrupted
		case <-time.After(lockPoll):
		}
	}
}

// writeNewFile creates path (0600, never replacing a file) holding data;
// a file it created but could not complete is removed.
func writeNewFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
		os.Remove(path)
		return err
	}
	return nil
}

// createNewFile makes dir/name holding content, failing with fs.ErrExist
// when the name exists: it never replaces a file. The content is written
// to a temp file first and hard-linked into place (link fails on an
// existing name, like O_EXCL), so a difyctl killed at any point leaves
// either no file or a complete one (a lock whose dead PID lets the next
// write break it at once; a whole key). Where hard links are not supported
// (some network or FAT file systems), O_CREAT|O_EXCL and a write.
func createNewFile(dir, name string, content []byte) error {
	path := filepath.Join(dir, name)
	tmp := filepath.Join(dir, tempPrefix(name)+randomSuffix())
	defer os.Remove(tmp) // also a part written before a failure (a full disk)
	if err := writeNewFile(tmp, content); err == nil {
		if err := os.Link(tmp, path); err == nil || errors.Is(err, fs.ErrExist) {
			return err
		}
	}
	return writeNewFile(path, content)
}

func (h lockHolder) describe() string {
	who := "held by another process"
	if h.pid > 0 {
		who = "held by PID " + strconv.Itoa(h.pid)
		if h.ours {
			who += " (difyctl)"
		}
	}
	return fmt.Sprintf("%s for %s", who, h.age.Truncate(time.Second))
}

func lockedError(path string, h lockHolder, inspectErr error) *cliError {
	msg := path + " is locked"
	if inspectErr == nil {
		msg += ": " + h.describe()
	}
	return newError(codeConfigLocked, msg+"; nothing was written",
		"another difyctl (this one or the official client) is changing the file; retry, or remove "+path+" if no such command is running")
}

// inspectLock reads an existing lock: its age by ctime (as the npm package
// judges it) and, when it is ours, the holder's PID and host.
func inspectLock(path string) (lockHolder, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return lockHolder{}, err
	}
	h := lockHolder{age: max(time.Since(fileCtime(path, fi)), 0)}
	if !fi.Mode().IsRegular() {
		return h, nil
	}
	b, _ := readRegular(path, 512, nil) // ours is a short line; the official client's is empty
	h.ours, h.pid, h.host = parseLockContent(string(b))
	return h, nil
}

// parseLockContent reads `difyctl-lock pid=N host="H"`.
func parseLockContent(s string) (ours bool, pid int, host string) {
	rest, ok := strings.CutPrefix(s, lockMarker+" pid=")
	if !ok {
		return false, 0, ""
	}
	num, rest, _ := strings.Cut(rest, " ")
	pid, err := strconv.Atoi(num)
	if err != nil || pid <= 0 {
		return false, 0, ""
	}
	if q, ok := strings.CutPrefix(strings.TrimSpace(rest), "host="); ok {
		if h, err := strconv.Unquote(q); err == nil {
			host = h
		}
	}
	return true, pid, host
}

func ourHostname() string {
	h, _ := os.Hostname()
	return h
}

// removeOwnLock deletes our lock, unless someone broke it and made theirs.
func removeOwnLock(path, content string) {
	if b, err := readRegular(path, 512, nil); err == nil && string(b) == content {
		os.Remove(path)
	}
}

// update is the locked read-modify-write of hosts.yml for a holder of the
// OS lock: <file>.lock is taken only around the read, change and rename.
// A file that does not parse is never overwritten, and one that change
// leaves as it was is not rewritten.
func (tx *storeTx) update(change func(h *hostsFile) error) error {
	s := tx.s
	unlock, err := tx.fileLock(hostsFileName)
	if err != nil {
		return err
	}
	defer unlock()
	h, err := s.read()
	if err != nil {
		return err
	}
	if err := change(h); err != nil {
		return err
	}
	after := encodeHosts(h)
	if h.raw == string(after) && !s.warned[s.hostsPath()] {
		return nil
	}
	return writeFileAtomic(s.dir, hostsFileName, after)
}

// isExternal reports a context signed in through external SSO (a dfoe_
// token with no Dify account).
func (c *contextEntry) isExternal() bool {
	return c.External != nil && c.Account.ID == ""
}

// email is the context's email: the account's, else the key it is stored
// under.
func (c *contextEntry) email() string {
	if c.Account.Email != "" {
		return c.Account.Email
	}
	return c.Email
}
