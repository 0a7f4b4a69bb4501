package main

// output.go: the one error type, the one table from error codes to exit
// codes, the human and JSON error envelopes, the sanitizer every
// server- or file-provided string passes through before it reaches a
// terminal, and the table/JSON/YAML renderers.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// cliError is every failure a command reports. Code is stable and meant for
// scripts; Message and Hint are for people.
type cliError struct {
	Code    string
	Message string
	Hint    string
	// HTTP fields, set when a request was involved.
	HTTPStatus int
	Method     string
	URL        string
	// Server is the Dify error body {code,message,status,hint?,details?}
	// when the server sent one; kept whole for the JSON envelope.
	Server json.RawMessage
}

func (e *cliError) Error() string { return e.Code + ": " + e.Message }

// newError builds a cliError; hint may be empty. Message and hint carry
// values raw: writeHumanError sanitizes them and the JSON envelope escapes
// them, so each output gets its own cleaning once.
func newError(code, message, hint string) *cliError {
	return &cliError{Code: code, Message: message, Hint: hint}
}

// notLoggedIn is the answer of every command that needs an active context.
func notLoggedIn() *cliError {
	return newError(codeNotLoggedIn, "not logged in", "run 'difyctl auth login'")
}

// quoted shows a value inside a message in double quotes, cleaned first as
// the terminal writer would clean it, so an escape sequence is dropped
// rather than shown as Go's \x1b.
func quoted(s string) string { return strconv.Quote(sanitize(s)) }

// parseError is a parser-level mistake (unknown command or flag, a flag
// missing its value). It prints as plain text and exits 1, as the official
// client does. Its message has line breaks of its own, so
// the typed word in it is sanitized where the message is built.
type parseError struct{ msg string }

func (e *parseError) Error() string { return e.msg }

// errInterrupted ends a command cancelled by Ctrl-C: exit 130, no message.
var errInterrupted = errors.New("interrupted")

// The error codes, stable for scripts, and their exit codes: 2 a usage
// mistake, 4 no usable sign-in, 6 a server too old or too new for difyctl,
// 7 rate limited; everything else 1.
const (
	codeUsageInvalidFlag     = "usage_invalid_flag"
	codeUsageMissingArg      = "usage_missing_arg"
	codeIllegalArgument      = "illegal_argument"
	codeNotLoggedIn          = "not_logged_in"
	codeAuthExpired          = "auth_expired"
	codeAccessDenied         = "access_denied"
	codeExpiredToken         = "expired_token"
	codeUnsupportedEndpoint  = "unsupported_endpoint"
	codeVersionSkew          = "version_skew"
	codeRateLimited          = "rate_limited"
	codeServer4xxOther       = "server_4xx_other"
	codeServer5xx            = "server_5xx"
	codeServerBadResponse    = "server_bad_response"
	codeNetworkConnection    = "network_connection"
	codeInvalidVerification  = "invalid_verification_uri"
	codeRevokeFailed         = "revoke_failed"
	codeClientError          = "client_error"
	codeTerminalError        = "terminal_error"
	codeKeyringUnavailable   = "keyring_unavailable"
	codeCredentialUnreadable = "credential_unreadable"
	codeCredentialUnwritable = "credential_unwritable"
	codeConfigDirUnresolved  = "config_dir_unresolved"
	codeConfigInvalid        = "config_invalid"
	codeConfigInsecure       = "config_insecure"
	codeConfigLocked         = "config_locked"
	codeConfigIO             = "config_io"
	codeConfigUnwritable     = "config_unwritable"
	codeUnknown              = "unknown"
)

var exitCodes = map[string]int{
	codeUsageInvalidFlag: 2, codeUsageMissingArg: 2, codeIllegalArgument: 2,
	codeNotLoggedIn: 4, codeAuthExpired: 4, codeAccessDenied: 4, codeExpiredToken: 4,
	codeUnsupportedEndpoint: 6, codeVersionSkew: 6,
	codeRateLimited: 7,
}

// exitCodeFor returns the exit code for any error a command returns.
func exitCodeFor(err error) int {
	if err == nil {
		return 0
	}
	if errors.Is(err, errInterrupted) {
		return 130
	}
	if ce, ok := errors.AsType[*cliError](err); ok {
		if n, ok := exitCodes[ce.Code]; ok {
			return n
		}
	}
	return 1
}

// asCLIError turns any error into a cliError for rendering. Errors that are
// not cliErrors are programming or I/O failures; their text is shown as is
// (it never carries a secret: tokens print as [redacted]).
func asCLIError(err error) *cliError {
	if ce, ok := errors.AsType[*cliError](err); ok {
		return ce
	}
	return newError(codeUnknown, err.Error(), "")
}

// serverBody is the part of a Dify error body the human format shows.
type serverBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Hint    string `json:"hint"`
	Details []struct {
		Type string `json:"type"`
		Loc  []any  `json:"loc"`
		Msg  string `json:"msg"`
	} `json:"details"`
}

// writeHumanError prints `code: message`, server details, `hint:`, and for
// HTTP errors `request:` and `http_status:` lines. Every piece is sanitized.
func writeHumanError(w io.Writer, err error, c colors) {
	e := asCLIError(err)
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n", c.red(e.Code), sanitize(e.Message))
	var sb serverBody
	if len(e.Server) > 0 && json.Unmarshal(e.Server, &sb) == nil {
		if sb.Code != "" && sb.Code != e.Code {
			fmt.Fprintf(&b, "server_code: %s\n", sanitize(sb.Code))
		}
		for _, d := range sb.Details {
			loc := make([]string, len(d.Loc))
			for i, l := range d.Loc {
				loc[i] = fmt.Sprint(l)
			}
			fmt.Fprintf(&b, "  - %s: %s (%s)\n", sanitize(strings.Join(loc, ".")), sanitize(d.Msg), sanitize(d.Type))
		}
	}
	hint := e.Hint
	if hint == "" {
		hint = sb.Hint
	}
	if hint != "" {
		fmt.Fprintf(&b, "%s %s\n", c.cyan("hint:"), sanitize(hint))
	}
	if e.Method != "" {
		fmt.Fprintf(&b, "request: %s %s\n", e.Method, sanitize(e.URL))
	}
	if e.HTTPStatus != 0 {
		fmt.Fprintf(&b, "http_status: %d\n", e.HTTPStatus)
	}
	io.WriteString(w, redactText(b.String()))
}

// jsonError is the envelope printed on stderr when a command was asked for
// JSON output.
type jsonError struct {
	Error jsonErrorBody `json:"error"`
}

type jsonErrorBody struct {
	Code       string          `json:"code"`
	Message    string          `json:"message"`
	Hint       string          `json:"hint,omitempty"`
	HTTPStatus int             `json:"http_status,omitempty"`
	Method     string          `json:"method,omitempty"`
	URL        string          `json:"url,omitempty"`
	Server     json.RawMessage `json:"server,omitempty"`
}

// writeJSONError prints the one-line JSON envelope.
func writeJSONError(w io.Writer, err error) {
	e := asCLIError(err)
	body := jsonErrorBody{
		Code: e.Code, Message: redactText(e.Message), Hint: redactText(e.Hint),
		HTTPStatus: e.HTTPStatus, Method: e.Method, URL: redactText(e.URL),
	}
	if len(e.Server) > 0 && json.Valid(e.Server) {
		if clean, ok := redactJSON(e.Server); ok {
			body.Server = clean
		}
	}
	w.Write(marshalLine(jsonError{body}))
}

// marshalLine encodes v as one line of JSON with a trailing newline.
// HTML characters are left alone; controls are escaped by the encoder, the
// other characters of needsEscape after it.
func marshalLine(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return []byte("{}\n")
	}
	return escapeInvisible(buf.Bytes())
}

// sanitize makes a string safe to print on a terminal: ESC-introduced
// sequences (CSI, OSC, DCS, …) are removed whole, other C0 controls and
// DEL are dropped, other C1 controls, bidi controls, zero-width and other
// invisible or format characters are shown escaped (`\u0085`, `\u200b`) so two different strings never look the same, and
// invalid UTF-8 becomes U+FFFD. Tabs and newlines are turned into spaces so
// a value cannot break a line or a table apart. Every token this process
// holds is replaced by [redacted], whatever the string's source.
func sanitize(s string) string {
	if isPlainASCII(s) {
		return redactHeld(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteRune(utf8.RuneError)
			i += max(size, 1)
			continue
		case r == 0x1b, r == 0x9b, r == 0x9d, r == 0x90, r == 0x98, r == 0x9e, r == 0x9f:
			i += sequenceLen(s[i:])
			continue
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case r >= 0x80 && r <= 0x9f:
			// A C1 control that starts no sequence is shown, not
			// dropped: "eve\u0085@x" must not look like "eve@x".
			fmt.Fprintf(&b, `\u%04x`, r)
		case isControl(r):
		case isInvisible(r) && r > 0xffff:
			fmt.Fprintf(&b, `\U%08x`, r)
		case isInvisible(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return redactHeld(b.String())
}

// redactJSON returns raw (valid JSON) compacted, with every string, keys
// included, passed through redactText: a token written with \u escapes is
// caught too, because the strings are compared decoded. Key order and
// numbers are kept.
func redactJSON(raw []byte) ([]byte, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out []byte
	var value func() error
	value = func() error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch v := tok.(type) {
		case json.Delim: // '{' or '[': its members, then the closing delimiter
			out = append(out, byte(v))
			for n := 0; dec.More(); n++ {
				if n > 0 {
					out = append(out, ',')
				}
				if v == '{' {
					if err := value(); err != nil { // the key
						return err
					}
					out = append(out, ':')
				}
				if err := value(); err != nil {
					return err
				}
			}
			end, err := dec.Token()
			if err != nil {
				return err
			}
			out = append(out, byte(end.(json.Delim)))
		case string:
			enc, _ := json.Marshal(redactText(v))
			out = append(out, enc...)
		case json.Number:
			out = append(out, v...)
		case bool:
			out = strconv.AppendBool(out, v)
		case nil:
			out = append(out, "null"...)
		}
		return nil
	}
	if value() != nil {
		return nil, false
	}
	return out, true
}

// isPlainASCII reports whether s has only printable ASCII, the common case
// that needs no work.
func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// The one character policy of every writer (terminal, JSON, YAML): controls
// (isControl) and the characters that hide or reorder text (isInvisible) are
// never written raw. The terminal writer drops controls, the file and JSON
// writers escape them; all three show invisible characters as escapes, so
// two different strings never look the same.

// isControl reports C0 and C1 controls and DEL.
func isControl(r rune) bool { return r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f }

// isInvisible reports bidi controls, zero-width and other invisible format
// characters, the line and paragraph separators, the BOM, tag characters
// and the non-characters U+FFFE and U+FFFF.
func isInvisible(r rune) bool {
	switch {
	case r >= 0x200b && r <= 0x200f, // zero-width space/joiners, LRM, RLM
		r >= 0x2028 && r <= 0x202e,   // line/paragraph separators, LRE RLE PDF LRO RLO
		r >= 0x2060 && r <= 0x2064,   // word joiner, invisible operators
		r >= 0x2066 && r <= 0x206f,   // LRI RLI FSI PDI, deprecated format controls
		r >= 0xe0000 && r <= 0xe007f, // tag characters
		r == 0x00ad, r == 0x061c, r == 0x180e, r == 0xfeff, r == 0xfffe, r == 0xffff,
		// Invisible though not format characters: the combining grapheme
		// joiner, Hangul fillers, Khmer inherent vowels, Mongolian and
		// other variation selectors.
		r == 0x034f, r == 0x115f, r == 0x1160, r == 0x3164, r == 0xffa0, r == 0x17b4, r == 0x17b5,
		r >= 0x180b && r <= 0x180f, r >= 0xfe00 && r <= 0xfe0f, r >= 0xe0100 && r <= 0xe01ef:
		return true
	}
	// Every other format character (Cf): soft hyphens, interlinear
	// annotations, shorthand format controls… print as nothing or
	// change how the text around them shows.
	return r > 0x7f && unicode.Is(unicode.Cf, r)
}

// needsEscape reports the characters a file or JSON writer escapes.
func needsEscape(r rune) bool { return isControl(r) || isInvisible(r) }

// sequenceLen returns the length of the control sequence at the start of
// s, so it is dropped whole: ESC and what follows it, or a C1 form of CSI,
// OSC, DCS, SOS, PM or APC (two bytes in UTF-8) and its body.
func sequenceLen(s string) int {
	if len(s) < 2 {
		return len(s)
	}
	csi, i := s[1] == 0x9b, 2 // for a C1 introducer, s[1] is its second byte
	if s[0] == 0x1b {
		switch {
		case s[1] == '[':
			csi = true
		case strings.IndexByte("]PX^_", s[1]) < 0: // two- or three-byte escapes such as ESC ( B
			if s[1] >= 0x20 && s[1] <= 0x2f && len(s) > 2 {
				return 3
			}
			return 2
		}
	}
	for ; i < len(s); i++ {
		switch {
		case csi && s[i] >= 0x40 && s[i] <= 0x7e: // CSI's final byte
			return i + 1
		case csi && (s[i] < 0x20 || s[i] > 0x7e):
			return i
		case csi:
		case s[i] == 0x07: // the others end at BEL or ST
			return i + 1
		case strings.HasPrefix(s[i:], "\x1b\\"), strings.HasPrefix(s[i:], "\u009c"):
			return i + 2
		}
	}
	return len(s)
}

// displayWidth is the number of terminal columns s takes: East Asian wide
// and fullwidth characters count 2, combining marks 0.
func displayWidth(s string) int {
	w := 0
	for _, r := range s {
		switch {
		case r < 0x20 || r == 0x7f: // no column
		case r < 0x300:
			w++
		case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || isInvisible(r): // no column
		case isWide(r):
			w += 2
		default:
			w++
		}
	}
	return w
}

// wideRanges are the East Asian Wide (W) and Fullwidth (F) blocks, plus the
// emoji blocks terminals draw two columns wide.
var wideRanges = [][2]rune{
	{0x1100, 0x115f}, {0x231a, 0x231b}, {0x2329, 0x232a}, {0x23e9, 0x23ec},
	{0x23f0, 0x23f0}, {0x23f3, 0x23f3}, {0x25fd, 0x25fe}, {0x2614, 0x2615},
	{0x2648, 0x2653}, {0x267f, 0x267f}, {0x2693, 0x2693}, {0x26a1, 0x26a1},
	{0x26aa, 0x26ab}, {0x26bd, 0x26be}, {0x26c4, 0x26c5}, {0x26ce, 0x26ce},
	{0x26d4, 0x26d4}, {0x26ea, 0x26ea}, {0x26f2, 0x26f3}, {0x26f5, 0x26f5},
	{0x26fa, 0x26fa}, {0x26fd, 0x26fd}, {0x2705, 0x2705}, {0x270a, 0x270b},
	{0x2728, 0x2728}, {0x274c, 0x274c}, {0x274e, 0x274e}, {0x2753, 0x2755},
	{0x2757, 0x2757}, {0x2795, 0x2797}, {0x27b0, 0x27b0}, {0x27bf, 0x27bf},
	{0x2b1b, 0x2b1c}, {0x2b50, 0x2b50}, {0x2b55, 0x2b55}, {0x2e80, 0x303e},
	{0x3041, 0x33ff}, {0x3400, 0x4dbf}, {0x4e00, 0x9fff}, {0xa000, 0xa4cf},
	{0xa960, 0xa97f}, {0xac00, 0xd7a3}, {0xf900, 0xfaff}, {0xfe10, 0xfe19},
	{0xfe30, 0xfe6f}, {0xff00, 0xff60}, {0xffe0, 0xffe6}, {0x16fe0, 0x16fe4},
	{0x17000, 0x18aff}, {0x1b000, 0x1b2ff}, {0x1f004, 0x1f004}, {0x1f0cf, 0x1f0cf},
	{0x1f18e, 0x1f18e}, {0x1f191, 0x1f19a}, {0x1f200, 0x1f251}, {0x1f300, 0x1f64f},
	{0x1f680, 0x1f6ff}, {0x1f7e0, 0x1f7eb}, {0x1f90c, 0x1f9ff}, {0x1fa70, 0x1faff},
	{0x20000, 0x2fffd}, {0x30000, 0x3fffd},
}

func isWide(r rune) bool {
	i := sort.Search(len(wideRanges), func(i int) bool { return wideRanges[i][1] >= r })
	return i < len(wideRanges) && wideRanges[i][0] <= r
}

// renderTable writes rows under a header: every cell sanitized, columns
// padded to the widest cell by display width, two spaces apart, the last
// column unpadded and trailing spaces trimmed.
func renderTable(w io.Writer, header []string, rows [][]string) error {
	widths := make([]int, len(header))
	for _, row := range append([][]string{header}, rows...) {
		for i := range min(len(row), len(header)) {
			widths[i] = max(widths[i], displayWidth(sanitize(row[i])))
		}
	}
	var out []byte
	for _, row := range append([][]string{header}, rows...) {
		start := len(out)
		for i := range header {
			c := ""
			if i < len(row) {
				c = sanitize(row[i])
			}
			out = append(out, c...)
			if i < len(header)-1 {
				out = append(out, strings.Repeat(" ", widths[i]-displayWidth(c)+2)...)
			}
		}
		line := bytes.TrimRight(out[start:], " ")
		out = append(out[:start+len(line)], '\n')
	}
	_, err := w.Write(out)
	return err
}

// colors decides whether a stream gets ANSI colour: only a terminal, and
// only without NO_COLOR. The glyphs themselves stay either way.
type colors struct{ on bool }

func (c colors) wrap(code, s string) string {
	if !c.on {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (c colors) green(s string) string  { return c.wrap("32", s) }
func (c colors) yellow(s string) string { return c.wrap("33", s) }
func (c colors) red(s string) string    { return c.wrap("31", s) }
func (c colors) cyan(s string) string   { return c.wrap("36", s) }
func (c colors) bold(s string) string   { return c.wrap("1", s) }

// escapeInvisible rewrites, in JSON that encoding/json wrote or
// compacted, the characters of needsEscape it leaves raw (DEL, C1,
// invisible ones) as \u escapes, a byte that is not UTF-8 (json.Compact
// keeps them) as \ufffd, as json.Marshal would, and every held token as
// [redacted]. The JSON means the same.
func escapeInvisible(b []byte) []byte {
	if heldSecrets.n.Load() > 0 {
		b = []byte(redactHeld(string(b)))
	}
	var out []byte
	done := 0
	for i := 0; i < len(b); {
		if b[i] < 0x7f {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if needsEscape(r) || r == utf8.RuneError && size == 1 {
			out = append(out, b[done:i]...)
			if r > 0xffff {
				r1, r2 := utf16.EncodeRune(r)
				out = fmt.Appendf(out, `\u%04x\u%04x`, r1, r2)
			} else {
				out = fmt.Appendf(out, `\u%04x`, r)
			}
			done = i + size
		}
		i += size
	}
	if out == nil {
		return b
	}
	return append(out, b[done:]...)
}

// write and writeString put command output on stdout.
func (a *app) write(b []byte) error {
	_, err := a.stdout.Write(b)
	return err
}

func (a *app) writeString(s string) error {
	_, err := io.WriteString(a.stdout, s)
	return err
}

// identityText is a context's subject as whoami, status and login show
// it, sanitized: `email (Name)`, or the email and its SSO issuer.
func identityText(c *contextEntry) string {
	switch {
	case !c.isExternal():
		return emailWithName(c.email(), c.Account.Name)
	case c.External.Issuer == "":
		return sanitize(c.email()) + " (external SSO)"
	}
	return sanitize(c.email()) + " (external SSO, issuer: " + sanitize(c.External.Issuer) + ")"
}

// emailWithName renders `email (Name)`, or the email alone, sanitized.
func emailWithName(email, name string) string {
	if name == "" {
		return sanitize(email)
	}
	return sanitize(email) + " (" + sanitize(name) + ")"
}
