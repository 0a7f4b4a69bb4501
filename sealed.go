package main

// sealed.go: tokens.sealed, the token store used when no OS credential
// store is reachable.
//
// # Keys
//
// A random 32-byte secret lives in the user data dir (tokens.key, 0600 in
// a 0700 dir), never in the config dir, so a copy of the config dir alone
// (a dotfiles repo, a backup, a support bundle) opens nothing. On Windows
// the secret is also wrapped with DPAPI. tokens.key is one line:
//
//	difyctl-key 1 <wrap> <base64(secret or DPAPI blob)>
//
// with <wrap> raw or dpapi. From the secret, HKDF-SHA256 (crypto/hkdf)
// derives the AES-256-GCM key (info "difyctl tokens.sealed v1 aes-256-gcm")
// and an 8-byte key id (info "difyctl tokens.sealed v1 key id") that tells
// "sealed with another key" apart from "damaged".
//
// # File format (version 1)
//
// Text, one record per line, '\n'-terminated:
//
//	difyctl-sealed 1
//	1 <kid> <host> <email> <box>
//	…
//	end <n>
//
//   - The header names the format and its version. A higher version was
//     written by a newer difyctl and is neither read nor rewritten.
//   - Each entry line is one context, sealed on its own: entry version 1,
//     key id (16 hex digits), host and email as unpadded base64url of their
//     bytes, and box = unpadded base64url of nonce(12) ‖ AES-256-GCM
//     ciphertext+tag of the token. Every write uses a fresh random nonce.
//     The AAD is "difyctl-sealed" 0x00 0x01 ‖ u16be len(host) ‖ host ‖
//     u16be len(email) ‖ email, so a box moved to another context's line
//     fails to open.
//   - The trailer counts the lines between header and trailer, so a file
//     cut at a line boundary is still seen as truncated.
//
// Lines are independent: a damaged line (a flipped byte, a cut) spoils at
// most itself and, through a flipped newline, its neighbour. A write
// replaces only its own context's line and copies every other line byte
// for byte, damaged ones included, so no later write loses another
// context's token. Reading a context whose line is missing while the file
// shows damage reports credential_unreadable, not "no credential".
//
// Every read is bounded (file, line, field and token sizes), and no input
// panics.

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

const (
	sealedFileName   = "tokens.sealed"
	sealedKeyName    = "tokens.key"
	sealedMagic      = "difyctl-sealed"
	sealedVersion    = 1
	sealedKeyMagic   = "difyctl-key"
	sealedKeyVersion = 1

	maxSealedFile    = 16 << 20 // whole file: room for 50 000 contexts
	maxSealedLine    = 16 << 10
	maxSealedEntries = 50000
	maxSealedName    = 1024 // host or email, in bytes
	maxSealedToken   = 8 << 10
	maxSealedKeyFile = 16 << 10
	sealedNonceSize  = 12
	sealedSecretSize = 32
)

var sealedB64 = base64.RawURLEncoding

// errSealedKeyMissing means tokens.key does not exist (yet).
var errSealedKeyMissing = errors.New("the key secret is missing")

// sealedStore is tokens.sealed in dir with its key secret in keyDir.
type sealedStore struct {
	dir       string // config dir
	keyDir    string // data dir
	keyDirErr error  // why the data dir could not be resolved, if so
	// st reports group/world-readable files once; may be nil.
	st *store
	// key is cached after the first load: one process opens one key.
	key *sealedKey
}

// sealedKey is the derived AEAD and its id.
type sealedKey struct {
	aead cipher.AEAD
	id   string
}

func (s *sealedStore) path() string    { return filepath.Join(s.dir, sealedFileName) }
func (s *sealedStore) keyPath() string { return filepath.Join(s.keyDir, sealedKeyName) }

// credentialUnreadable is the error for a sealed token that exists but
// cannot be opened (exit 1), naming the file; hint says what to do.
func credentialUnreadable(path, detail, hint string) *cliError {
	return newError(codeCredentialUnreadable, "cannot read the token from "+path+": "+detail, hint)
}

// signInAgain is the hint of a token that cannot be read: login, the
// command that signs in again, stores a new one.
func signInAgain(login string) string { return "run " + inQuotes(login) + " to sign in again" }

// fixThenSignIn is the hint of a sign-in that cannot seal its token
// because file cannot be used: the same sign-in alone would fail again.
func fixThenSignIn(file, login string) string {
	return "fix or move aside " + file + ", then run " + inQuotes(login)
}

// hostLogin is the login command for a host known by name only.
func hostLogin(host string) string {
	if host == "" {
		return "difyctl auth login"
	}
	return "difyctl auth login --host " + shellQuote(host)
}

// get returns the token sealed for host+email, errNoCredential when the
// file holds none (and shows no damage), or credential_unreadable whose
// hint runs login.
func (s *sealedStore) get(host, email, login string) (token, error) {
	data, err := s.readFile(s.path(), maxSealedFile) // no lock: every write is an atomic rename
	if errors.Is(err, fs.ErrNotExist) {
		return token{}, errNoCredential
	}
	hint := signInAgain(login)
	if err != nil {
		return token{}, s.readError(err, hint)
	}
	doc := parseSealed(data)
	if doc.newer != 0 {
		return token{}, s.newerFormat(doc.newer, "")
	}
	if e := doc.find(host, email); e != nil {
		key, err := s.loadKey(false)
		if err != nil {
			return token{}, s.keyError(err, hint)
		}
		t, err := key.open(e)
		if err != nil {
			return token{}, credentialUnreadable(s.path(), err.Error(), hint)
		}
		return t, nil
	}
	if why := doc.damage(); why != "" {
		return token{}, credentialUnreadable(s.path(), why+"; the token for "+email+" may have been there", hint)
	}
	// A line whose host or email field was changed reads as some other
	// context: check every line opens before saying "none".
	for _, e := range doc.entries() {
		key, err := s.loadKey(false) // cached after the first line
		if err != nil {
			return token{}, errNoCredential
		}
		if _, err := key.open(e); err != nil {
			return token{}, credentialUnreadable(s.path(), err.Error()+"; the token for "+email+" may have been there", hint)
		}
	}
	return token{}, errNoCredential
}

// holds reports whether tokens.sealed has a line for host+email, without
// opening it (false when the file cannot be read).
func (s *sealedStore) holds(host, email string) bool {
	data, err := s.readFile(s.path(), maxSealedFile)
	return err == nil && parseSealed(data).find(host, email) != nil
}

// putIn seals t for host+email under the config dir's OS lock (tx, or
// taken here when nil). tokens.sealed is ours alone: no <file>.lock.
// login is the sign-in being stored, for the hint of a file that cannot
// be used.
func (s *sealedStore) putIn(tx *storeTx, host, email, login string, t token) error {
	if host == "" || email == "" || len(host) > maxSealedName || len(email) > maxSealedName {
		return newError(codeCredentialUnwritable, "cannot seal a token: the host or email is empty or longer than 1024 bytes", "")
	}
	if t.isEmpty() || len(t.reveal()) > maxSealedToken {
		return newError(codeCredentialUnwritable, fmt.Sprintf("cannot seal a token of %d bytes (limit %d)", len(t.reveal()), maxSealedToken), "")
	}
	return s.rewrite(tx, host, email, fixThenSignIn(s.path(), login), func() (*sealedLine, error) {
		key, err := s.loadKey(true)
		if err != nil {
			return nil, s.keyError(err, fixThenSignIn(s.keyPath(), login))
		}
		return key.seal(host, email, t)
	})
}

// removeIn deletes host+email's line, if any, under the OS lock (tx, or
// taken here when nil). Other lines are kept byte for byte; a file left
// with nothing in it is removed.
func (s *sealedStore) removeIn(tx *storeTx, host, email string) error {
	if _, err := os.Lstat(s.path()); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return s.rewrite(tx, host, email, signInAgain(hostLogin(host)), nil)
}

// rewrite is the locked read-modify-write of tokens.sealed: drop the valid
// lines of host+email, add the line newLine makes (if newLine is not nil),
// keep the rest as it was. readHint is the hint of a file that cannot be
// read.
func (s *sealedStore) rewrite(tx *storeTx, host, email, readHint string, newLine func() (*sealedLine, error)) error {
	if tx == nil {
		st := s.st
		if st == nil {
			st = &store{dir: s.dir, dataDir: s.keyDir}
		}
		var err error
		if tx, err = st.exclusive(); err != nil {
			return err
		}
		defer tx.release()
	}
	s.removeStaleKeyTemps()
	data, err := s.readFile(s.path(), maxSealedFile)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return s.readError(err, readHint)
	}
	doc := parseSealed(data)
	if doc.newer != 0 {
		return s.newerFormat(doc.newer, "; not changing it")
	}
	var keep [][]byte
	dropped := false
	for _, l := range doc.lines {
		switch {
		case l.kind == lineEntry && l.host == host && l.email == email:
			dropped = true
		case l.kind == lineEntry || l.kind == lineDamaged:
			keep = append(keep, l.raw)
		}
	}
	if newLine == nil {
		if !dropped {
			return nil
		}
		if len(keep) == 0 {
			if err := os.Remove(s.path()); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fileError("cannot remove", s.path(), err)
			}
			syncDir(s.dir)
			return nil
		}
	} else {
		l, err := newLine()
		if err != nil {
			return err
		}
		keep = append(keep, l.raw)
	}
	if len(keep) > maxSealedEntries {
		return newError(codeCredentialUnwritable, fmt.Sprintf("%s would hold more than %d entries", s.path(), maxSealedEntries), "")
	}
	return writeFileAtomic(s.dir, sealedFileName, renderSealed(keep))
}

// renderSealed is the header, the lines and the trailer.
func renderSealed(lines [][]byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %d\n", sealedMagic, sealedVersion)
	for _, l := range lines {
		b.Write(l)
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "end %d\n", len(lines))
	return b.Bytes()
}

// readFile reads a file of the sealed store (readRegular).
func (s *sealedStore) readFile(path string, limit int64) ([]byte, error) {
	var warn func(string, fs.FileMode)
	if s.st != nil {
		warn = s.st.warnIfOpen
	}
	return readRegular(path, limit, warn)
}

// newerFormat is the error for a tokens.sealed of a newer format. Signing
// in again would not help (this difyctl cannot write it either): the
// hint names the way that does.
func (s *sealedStore) newerFormat(v int, detail string) *cliError {
	return newError(codeCredentialUnreadable,
		fmt.Sprintf("cannot read the token from %s: it was written by a newer difyctl (format %d)%s", s.path(), v, detail),
		fmt.Sprintf("use the newer difyctl that wrote it (this one, %s, reads format %d)", version, sealedVersion))
}

// readError turns a read failure of tokens.sealed into a clear error.
func (s *sealedStore) readError(err error, hint string) error {
	if _, ok := errors.AsType[*cliError](err); ok {
		return err
	}
	if errors.Is(err, errTooLarge) {
		return credentialUnreadable(s.path(), fmt.Sprintf("it is larger than %d bytes", maxSealedFile), hint)
	}
	return credentialUnreadable(s.path(), unwrapPathErr(err).Error(), hint)
}

// keyError explains a key secret that cannot be loaded.
func (s *sealedStore) keyError(err error, hint string) error {
	if _, ok := errors.AsType[*cliError](err); ok {
		return err
	}
	if errors.Is(err, errSealedKeyMissing) {
		return credentialUnreadable(s.path(), "its key secret "+s.keyPath()+" is missing (the config dir was copied from elsewhere, or the data dir was reset)", hint)
	}
	return credentialUnreadable(s.path(), "its key secret cannot be used: "+err.Error(), hint)
}

// ---------------------------------------------------------------------------
// Key secret

// loadKey reads (or, when create is set, makes) the key secret and derives
// the AEAD. Creation is race-free across processes that do not share the
// config-dir lock: the new file is linked into place, and a loser reads
// the winner's key.
func (s *sealedStore) loadKey(create bool) (*sealedKey, error) {
	if s.key != nil {
		return s.key, nil
	}
	if s.keyDirErr != nil {
		return nil, s.keyDirErr
	}
	if err := s.checkKeyDir(); err != nil {
		return nil, err
	}
	secret, err := s.readKeySecret()
	if errors.Is(err, errSealedKeyMissing) && create {
		secret, err = s.createKeySecret()
	}
	if err != nil {
		return nil, err
	}
	k, err := deriveSealedKey(secret)
	if err != nil {
		return nil, err
	}
	s.key = k
	return k, nil
}

// checkKeyDir refuses a key dir inside the config dir (or equal to it):
// a copy of the config dir would then open every sealed token.
func (s *sealedStore) checkKeyDir() error {
	if !pathWithin(s.keyDir, s.dir) {
		return nil
	}
	return newError(codeConfigInsecure,
		fmt.Sprintf("the sealed file's key would be kept in %s, inside the config directory %s: a copy of the config directory would open every sealed token", s.keyDir, s.dir),
		"set DIFY_DATA_DIR (or XDG_DATA_HOME) to a directory outside "+s.dir+", e.g. the default ~/.local/share/difyctl")
}

// pathWithin reports whether path is dir or inside it, comparing absolute
// paths with symlinks resolved where they exist.
func pathWithin(path, dir string) bool {
	resolve := func(p string) string {
		if a, err := filepath.Abs(p); err == nil {
			p = a
		}
		// Resolve the longest existing prefix, so a dir not made yet
		// still compares by where it would be.
		rest := ""
		for q := p; ; {
			if r, err := filepath.EvalSymlinks(q); err == nil {
				return filepath.Join(r, rest)
			}
			parent := filepath.Dir(q)
			if parent == q {
				return p
			}
			rest = filepath.Join(filepath.Base(q), rest)
			q = parent
		}
	}
	p, d := resolve(path), resolve(dir)
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		p, d = strings.ToLower(p), strings.ToLower(d)
	}
	rel, err := filepath.Rel(d, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// removeStaleKeyTemps deletes key temp files (holding a raw key secret)
// left in the data dir by a killed key write. Only those a minute old
// go: a live process in another config dir may be writing one now.
func (s *sealedStore) removeStaleKeyTemps() {
	if s.keyDir == "" {
		return
	}
	entries, err := os.ReadDir(s.keyDir)
	if err != nil {
		return
	}
	prefix := tempPrefix(sealedKeyName)
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), prefix) || !e.Type().IsRegular() {
			continue
		}
		if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > time.Minute {
			os.Remove(filepath.Join(s.keyDir, e.Name()))
		}
	}
}

func (s *sealedStore) readKeySecret() ([]byte, error) {
	data, err := s.readFile(s.keyPath(), maxSealedKeyFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errSealedKeyMissing
	}
	if err != nil {
		if _, ok := errors.AsType[*cliError](err); ok {
			return nil, err
		}
		return nil, fmt.Errorf("%s: %w", s.keyPath(), unwrapPathErr(err))
	}
	return parseKeyFile(s.keyPath(), data)
}

func unwrapPathErr(err error) error {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		return pe.Err
	}
	return err
}

// parseKeyFile reads `difyctl-key 1 <wrap> <base64>`.
func parseKeyFile(path string, data []byte) ([]byte, error) {
	f := strings.Fields(string(data))
	if len(f) != 4 || f[0] != sealedKeyMagic || f[1] != strconv.Itoa(sealedKeyVersion) {
		return nil, errors.New(path + " is not a difyctl key file")
	}
	blob, err := base64.StdEncoding.DecodeString(f[3])
	if err != nil {
		return nil, errors.New(path + " is damaged")
	}
	secret, err := unwrapKeySecret(f[2], blob)
	if err != nil {
		return nil, errors.New(path + ": " + err.Error())
	}
	if len(secret) != sealedSecretSize {
		return nil, errors.New(path + " is damaged")
	}
	return secret, nil
}

// createKeySecret makes a fresh secret and puts it in place whole
// (createNewFile); if another process got there first, its key is used.
func (s *sealedStore) createKeySecret() ([]byte, error) {
	if err := os.MkdirAll(s.keyDir, 0o700); err != nil {
		return nil, fileError("cannot create the data directory", s.keyDir, err)
	}
	if fi, err := os.Stat(s.keyDir); err == nil && s.st != nil {
		s.st.warnIfOpen(s.keyDir, fi.Mode())
	}
	s.removeStaleKeyTemps()
	secret := make([]byte, sealedSecretSize)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	wrap, blob, err := wrapKeySecret(secret)
	if err != nil {
		return nil, fmt.Errorf("cannot protect the key secret: %w", err)
	}
	content := fmt.Sprintf("%s %d %s %s\n", sealedKeyMagic, sealedKeyVersion, wrap, base64.StdEncoding.EncodeToString(blob))
	err = createNewFile(s.keyDir, sealedKeyName, []byte(content))
	if errors.Is(err, fs.ErrExist) {
		return s.readKeySecret() // another process won the race
	}
	if err != nil {
		return nil, fileError("cannot write", s.keyPath(), err)
	}
	syncDir(s.keyDir)
	return secret, nil
}

// deriveSealedKey turns the secret into the AES-256-GCM key and its id.
func deriveSealedKey(secret []byte) (*sealedKey, error) {
	key, err := hkdf.Key(sha256.New, secret, nil, "difyctl tokens.sealed v1 aes-256-gcm", 32)
	if err != nil {
		return nil, err
	}
	id, err := hkdf.Key(sha256.New, secret, nil, "difyctl tokens.sealed v1 key id", 8)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealedKey{aead: aead, id: hex.EncodeToString(id)}, nil
}

// sealedAAD binds a box to its format version and context.
func sealedAAD(host, email string) []byte {
	b := make([]byte, 0, len(sealedMagic)+6+len(host)+len(email))
	b = append(b, sealedMagic...)
	b = append(b, 0, sealedVersion)
	b = binary.BigEndian.AppendUint16(b, uint16(len(host)))
	b = append(b, host...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(email)))
	b = append(b, email...)
	return b
}

// seal makes the entry line for host+email with a fresh nonce.
func (k *sealedKey) seal(host, email string, t token) (*sealedLine, error) {
	nonce := make([]byte, sealedNonceSize, sealedNonceSize+len(t.reveal())+k.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	box := k.aead.Seal(nonce, nonce, []byte(t.reveal()), sealedAAD(host, email))
	raw := fmt.Sprintf("%d %s %s %s %s", sealedVersion, k.id,
		sealedB64.EncodeToString([]byte(host)), sealedB64.EncodeToString([]byte(email)), sealedB64.EncodeToString(box))
	return &sealedLine{raw: []byte(raw), kind: lineEntry, host: host, email: email, kid: k.id, box: box}, nil
}

// open authenticates and decrypts an entry.
func (k *sealedKey) open(e *sealedLine) (token, error) {
	if e.kid != k.id {
		return token{}, fmt.Errorf("line %d was sealed with a different key (the data dir was reset or belongs to another machine)", e.num)
	}
	if len(e.box) < sealedNonceSize+k.aead.Overhead() {
		return token{}, fmt.Errorf("line %d is damaged", e.num)
	}
	plain, err := k.aead.Open(nil, e.box[:sealedNonceSize], e.box[sealedNonceSize:], sealedAAD(e.host, e.email))
	if err != nil || len(plain) == 0 {
		return token{}, fmt.Errorf("line %d does not open: it was changed, damaged, or moved from another context", e.num)
	}
	return newToken(string(plain)), nil
}

// ---------------------------------------------------------------------------
// Parsing

type sealedLineKind int

const (
	lineBlank sealedLineKind = iota
	lineHeader
	lineEntry
	lineTrailer
	lineDamaged
)

// sealedLine is one line of tokens.sealed, with raw kept for rewriting.
type sealedLine struct {
	raw   []byte
	num   int // 1-based
	kind  sealedLineKind
	host  string
	email string
	kid   string
	box   []byte
	count int // trailer's count
}

// sealedDoc is a parsed tokens.sealed.
type sealedDoc struct {
	lines        []*sealedLine
	headerOK     bool
	newer        int // the header's version when higher than ours
	unterminated bool
}

// parseSealed classifies every line; it never fails and never panics.
// The caller has bounded len(data).
func parseSealed(data []byte) *sealedDoc {
	doc := &sealedDoc{}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		doc.unterminated = true
	}
	num := 0
	for raw := range bytes.Lines(data) {
		raw = bytes.TrimSuffix(raw, []byte("\n"))
		num++
		l := parseSealedLine(raw, num)
		if num == 1 {
			if v, ok := sealedHeaderVersion(raw); ok {
				if v == sealedVersion {
					doc.headerOK = true
				} else if v > sealedVersion {
					doc.newer = v
				}
				l.kind = lineHeader
			} else if l.kind == lineDamaged && len(raw) <= 2*len(sealedMagic) {
				// A damaged header: replaced on rewrite. A longer damaged
				// first line may hold an entry (a flipped newline) and is
				// kept like any damaged line.
				l.kind = lineHeader
			}
		}
		doc.lines = append(doc.lines, l)
	}
	return doc
}

// sealedHeaderVersion reads `difyctl-sealed <n>`.
func sealedHeaderVersion(raw []byte) (int, bool) {
	s := strings.TrimSuffix(string(raw), "\r")
	v, ok := strings.CutPrefix(s, sealedMagic+" ")
	if !ok || v == "" || len(v) > 4 || strings.TrimLeft(v, "0123456789") != "" || v[0] == '0' {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	return n, err == nil
}

func parseSealedLine(raw []byte, num int) *sealedLine {
	l := &sealedLine{raw: raw, num: num, kind: lineDamaged}
	s := strings.TrimSuffix(string(raw), "\r")
	if strings.TrimSpace(s) == "" && len(raw) == len(s) {
		l.kind = lineBlank
		return l
	}
	if len(raw) > maxSealedLine {
		return l
	}
	if n, ok := strings.CutPrefix(s, "end "); ok {
		if c, err := strconv.Atoi(n); err == nil && c >= 0 && strconv.Itoa(c) == n {
			l.kind, l.count = lineTrailer, c
		}
		return l
	}
	f := strings.Split(s, " ")
	if len(f) != 5 || f[0] != strconv.Itoa(sealedVersion) || len(f[1]) != 16 {
		return l
	}
	if _, err := hex.DecodeString(f[1]); err != nil || strings.ToLower(f[1]) != f[1] {
		return l
	}
	host, err1 := sealedB64.DecodeString(f[2])
	email, err2 := sealedB64.DecodeString(f[3])
	box, err3 := sealedB64.DecodeString(f[4])
	if err1 != nil || err2 != nil || err3 != nil ||
		len(host) == 0 || len(host) > maxSealedName || len(email) == 0 || len(email) > maxSealedName ||
		len(box) < sealedNonceSize+16 || len(box) > sealedNonceSize+16+maxSealedToken {
		return l
	}
	// base64 has more than one spelling for the last bits; only the
	// canonical one is accepted, so one box has one line.
	if sealedB64.EncodeToString(host) != f[2] || sealedB64.EncodeToString(email) != f[3] || sealedB64.EncodeToString(box) != f[4] {
		return l
	}
	l.kind, l.host, l.email, l.kid, l.box = lineEntry, string(host), string(email), f[1], box
	return l
}

// find returns the last valid line for host+email, or nil.
func (d *sealedDoc) find(host, email string) *sealedLine {
	var found *sealedLine
	for _, l := range d.lines {
		if l.kind == lineEntry && l.host == host && l.email == email {
			found = l
		}
	}
	return found
}

func (d *sealedDoc) entries() []*sealedLine {
	var out []*sealedLine
	for _, l := range d.lines {
		if l.kind == lineEntry {
			out = append(out, l)
		}
	}
	return out
}

// damage describes the first sign that the file lost or changed lines,
// or "" when it is whole.
func (d *sealedDoc) damage() string {
	if len(d.lines) == 0 {
		return "the file is empty"
	}
	if !d.headerOK {
		return "line 1 (the header) is damaged"
	}
	body, trailers := 0, 0
	var trailer, lastNonBlank *sealedLine
	for _, l := range d.lines {
		if l.kind != lineBlank {
			lastNonBlank = l
		}
		switch l.kind {
		case lineDamaged:
			return fmt.Sprintf("line %d is damaged", l.num)
		case lineEntry:
			body++
		case lineTrailer:
			trailers++
			trailer = l
		}
	}
	switch {
	case trailer == nil:
		return "the file is truncated (its end line is missing)"
	case trailers > 1 || trailer != lastNonBlank:
		return fmt.Sprintf("line %d (the end line) is out of place", trailer.num)
	case trailer.count != body:
		return fmt.Sprintf("the end line counts %d entries but %d are there", trailer.count, body)
	case d.unterminated:
		return "the file is truncated (its last line has no newline)"
	}
	return ""
}
