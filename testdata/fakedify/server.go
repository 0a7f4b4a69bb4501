package main

// The fake server's state, its top-level routing and the small helpers shared
// by the API, the scenarios and the control endpoints.
//
// Locking: one mutex (Server.mu) guards everything in Server.st. Handlers
// compute their response under the lock and write it after unlocking, so a
// slow client never blocks the other requests.

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	apiPrefix        = "/openapi/v1"
	controlPrefix    = "/_fake/"
	tokenLifetime    = 14 * 24 * time.Hour // OAUTH_TTL_DAYS default
	approvedMinTTL   = 60 * time.Second    // APPROVED_TTL_SECONDS_MIN
	userCodeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXY3456789"
	serverVersion    = "1.15.0"
	serverEdition    = "SELF_HOSTED"
	accountIssuer    = "dify:account"
	defaultSSOIssuer = "https://idp.example.com"
	maxLogEntries    = 10000
	maxBodyBytes     = 1 << 20
)

// allowedClientIDs is OPENAPI_KNOWN_CLIENT_IDS.
var allowedClientIDs = map[string]bool{"difyctl": true}

// Config holds the start-up settings (the command-line flags).
type Config struct {
	AutoApprove bool
	Email       string
	Name        string
	Interval    time.Duration // poll interval for new device codes
	TTL         time.Duration // device-code lifetime
	BasePath    string        // "" or "/prefix" (no trailing slash)
	MinVersion  string        // minimum difyctl version for the 426 gate
	TLS         bool          // the listener speaks TLS (and plain HTTP on the same port)
}

// DefaultConfig returns the defaults of the command-line flags.
func DefaultConfig() Config {
	return Config{
		Email:      "tester@dify.ai",
		Name:       "Test Tester",
		Interval:   5 * time.Second,
		TTL:        900 * time.Second,
		MinVersion: "0.2.0",
	}
}

type flow struct {
	seq         int
	deviceCode  string
	userCode    string
	clientID    string
	deviceLabel string
	createdAt   time.Time
	expiresAt   time.Time
	interval    time.Duration
	status      string // pending | approved | denied
	payload     any
	tokenID     string
}

type workspace struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
}

type account struct {
	id         string
	email      string
	name       string
	workspaces []workspace
}

type session struct {
	seq         int
	id          string
	token       string
	prefix      string
	clientID    string
	deviceLabel string
	email       string
	issuer      string // "dify:account" for accounts, the IdP for SSO
	sso         bool
	seeded      bool
	createdAt   time.Time
	lastUsedAt  *time.Time
	expiresAt   time.Time
	revoked     bool
}

func (ss *session) live(now time.Time) bool {
	return !ss.revoked && now.Before(ss.expiresAt)
}

type logEntry struct {
	Seq            int    `json:"seq"`
	Method         string `json:"method"`
	Path           string `json:"path"`
	Query          string `json:"query,omitempty"`
	Host           string `json:"host"`
	Scheme         string `json:"scheme"`
	HasAuth        bool   `json:"has_auth"`
	RedirectTarget bool   `json:"redirect_target"`
	UserAgent      string `json:"user_agent"`
	Scenario       string `json:"scenario,omitempty"`
	Status         int    `json:"status"`
}

type state struct {
	interval      time.Duration
	ttl           time.Duration
	minVersion    [3]int
	minVersionStr string

	flows      map[string]*flow // by device_code
	byUserCode map[string]*flow
	lastPoll   map[string]time.Time
	accounts   map[string]*account // by email
	sessions   []*session          // insertion order
	byToken    map[string]*session
	byID       map[string]*session

	scenario scenario
	seq      int

	requests      int
	polls         int
	slowDowns     int
	deletes       int
	deviceCodes   int
	approvals     int
	denials       int
	delivered     int
	lastUA        string
	userAgents    []string
	uaSeen        map[string]bool
	authOnRedirTg bool
	redirTgReqs   int
	log           []*logEntry
}

// Server is the fake Dify. It implements http.Handler.
type Server struct {
	cfg Config
	now func() time.Time // injectable clock

	certPEM []byte    // self-signed certificate in -tls mode (read-only after start)
	logOut  io.Writer // -log: one line per API request (nil: quiet)

	mu sync.Mutex
	st state
}

// NewServer returns a server with empty state.
func NewServer(cfg Config) (*Server, error) {
	cfg.BasePath = normalizeBasePath(cfg.BasePath)
	if cfg.Email == "" {
		cfg.Email = "tester@dify.ai"
	}
	if _, err := parseVersion(cfg.MinVersion); err != nil {
		return nil, fmt.Errorf("-min-version: %v", err)
	}
	if cfg.Interval < 0 {
		return nil, fmt.Errorf("-interval must be >= 0")
	}
	if cfg.TTL <= 0 {
		return nil, fmt.Errorf("-ttl must be > 0")
	}
	s := &Server{cfg: cfg, now: time.Now}
	s.st = s.freshState()
	return s, nil
}

func (s *Server) freshState() state {
	mv, _ := parseVersion(s.cfg.MinVersion)
	return state{
		interval:      s.cfg.Interval,
		ttl:           s.cfg.TTL,
		minVersion:    mv,
		minVersionStr: s.cfg.MinVersion,
		flows:         map[string]*flow{},
		byUserCode:    map[string]*flow{},
		lastPoll:      map[string]time.Time{},
		accounts:      map[string]*account{},
		byToken:       map[string]*session{},
		byID:          map[string]*session{},
		uaSeen:        map[string]bool{},
		scenario:      scenario{Name: "normal"},
	}
}

func normalizeBasePath(p string) string {
	p = strings.TrimSpace(p)
	p = strings.TrimRight(p, "/")
	if p != "" && !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return p
}

// clock returns the current time truncated to microseconds (the server's
// precision).
func (s *Server) clock() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}

// ServeHTTP routes control endpoints, the API and the /device page.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if strings.HasPrefix(p, controlPrefix) || p == "/_fake" {
		s.serveControl(w, r)
		return
	}
	rel, ok := s.stripBase(p)
	if !ok {
		http.NotFound(w, r)
		return
	}
	switch {
	case rel == apiPrefix || strings.HasPrefix(rel, apiPrefix+"/"):
		s.serveAPI(w, r, rel)
	case rel == "/device":
		s.serveDevicePage(w, r)
	case rel == "/" || rel == "":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "fakedify: API at %s%s/, device page at %s/device, control at /_fake/\n",
			s.cfg.BasePath, apiPrefix, s.cfg.BasePath)
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) stripBase(p string) (string, bool) {
	bp := s.cfg.BasePath
	if bp == "" {
		return p, true
	}
	if p == bp {
		return "/", true
	}
	if strings.HasPrefix(p, bp+"/") {
		return p[len(bp):], true
	}
	return "", false
}

// ---- responses ----

type resp struct {
	status int
	body   any    // JSON-encoded when raw is nil
	raw    []byte // written as is
	ctype  string
	header map[string]string
}

type errorBody struct {
	Code    string        `json:"code"`
	Message string        `json:"message"`
	Status  int           `json:"status"`
	Hint    string        `json:"hint,omitempty"`
	Details []errorDetail `json:"details,omitempty"`
}

type errorDetail struct {
	Type string   `json:"type"`
	Loc  []string `json:"loc"`
	Msg  string   `json:"msg"`
}

func jsonResp(status int, body any) resp { return resp{status: status, body: body} }

func errResp(status int, code, msg string) resp {
	return resp{status: status, body: errorBody{Code: code, Message: msg, Status: status}}
}

// oauthErr is an RFC 8628 business error: HTTP 400 {"error": code}.
func oauthErr(code string) resp {
	return resp{status: http.StatusBadRequest, body: map[string]string{"error": code}}
}

func unauthorized(msg string) resp {
	r := errResp(http.StatusUnauthorized, "unauthorized", msg)
	r.header = map[string]string{"WWW-Authenticate": `Bearer realm="api"`}
	return r
}

func tokenExpired() resp {
	return resp{
		status: http.StatusUnauthorized,
		body: errorBody{Code: "token_expired", Message: "Your session has expired.", Status: 401,
			Hint: "Re-authenticate to continue (e.g. re-run your login command)."},
		header: map[string]string{"WWW-Authenticate": `Bearer realm="api"`},
	}
}

func marshalJSON(v any) []byte {
	var sb strings.Builder
	enc := json.NewEncoder(&sb)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return []byte(`{"error":"encode failure"}` + "\n")
	}
	return []byte(sb.String())
}

func writeResp(w http.ResponseWriter, rp resp) {
	for k, v := range rp.header {
		w.Header().Set(k, v)
	}
	body := rp.raw
	if body == nil {
		body = marshalJSON(rp.body)
		if rp.ctype == "" {
			rp.ctype = "application/json"
		}
	}
	if rp.ctype != "" {
		w.Header().Set("Content-Type", rp.ctype)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if rp.status == 0 {
		rp.status = http.StatusOK
	}
	w.WriteHeader(rp.status)
	_, _ = w.Write(body)
}

// statusRecorder remembers the status code for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (sr *statusRecorder) WriteHeader(code int) {
	if sr.status == 0 {
		sr.status = code
	}
	sr.ResponseWriter.WriteHeader(code)
}

func (sr *statusRecorder) Write(b []byte) (int, error) {
	if sr.status == 0 {
		sr.status = http.StatusOK
	}
	return sr.ResponseWriter.Write(b)
}

func (sr *statusRecorder) Flush() {
	if f, ok := sr.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// ---- randomness and formatting ----

func randBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return b
}

func randB64(n int) string { return base64.RawURLEncoding.EncodeToString(randBytes(n)) }

func newUUID() string {
	b := randBytes(16)
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// parseUUID accepts what Python's uuid.UUID accepts (hyphens optional, braces,
// "urn:uuid:") and returns the canonical lower-case form.
func parseUUID(s string) (string, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(strings.ToLower(s), "urn:uuid:")
	s = strings.TrimPrefix(s, "{")
	s = strings.TrimSuffix(s, "}")
	s = strings.ReplaceAll(s, "-", "")
	if len(s) != 32 {
		return "", false
	}
	if _, err := hex.DecodeString(s); err != nil {
		return "", false
	}
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32], true
}

func newUserCode() string {
	b := randBytes(8)
	out := make([]byte, 0, 9)
	for i, c := range b {
		if i == 4 {
			out = append(out, '-')
		}
		// 256 is not a multiple of 30; the tiny bias does not matter here.
		out = append(out, userCodeAlphabet[int(c)%len(userCodeAlphabet)])
	}
	return string(out)
}

func micros(t time.Time) string {
	if us := t.Nanosecond() / 1000; us != 0 {
		return fmt.Sprintf(".%06d", us)
	}
	return ""
}

// isoZ is the server's _iso(): ISO 8601 with Z, microseconds when non-zero.
func isoZ(t time.Time) string {
	t = t.UTC()
	return t.Format("2006-01-02T15:04:05") + micros(t) + "Z"
}

// isoPy is Python's datetime.isoformat() on an aware UTC datetime.
func isoPy(t time.Time) string {
	t = t.UTC()
	return t.Format("2006-01-02T15:04:05") + micros(t) + "+00:00"
}

func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot parse time %q (want RFC 3339)", s)
}

// secondsJSON is how an interval/ttl is advertised: a whole number of
// seconds is an integer (as the real server sends); a fractional test
// setting such as 0.2 is sent as is (difyctl decodes these as numbers).
func secondsJSON(d time.Duration) json.RawMessage {
	return json.RawMessage(strconv.FormatFloat(d.Seconds(), 'f', -1, 64))
}

func durationFromSeconds(sec float64) time.Duration {
	return time.Duration(sec * float64(time.Second))
}

// ---- versions ----

var uaVersionRe = regexp.MustCompile(`^difyctl/(\d+\.\d+\.\d+(?:-[\w.]+)?)`)

// parseVersion parses the numeric core "X.Y.Z" (a "-pre" suffix is ignored:
// the gate compares only the numeric core).
func parseVersion(v string) ([3]int, error) {
	var out [3]int
	core := v
	if i := strings.IndexAny(core, "-+"); i >= 0 {
		core = core[:i]
	}
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return out, fmt.Errorf("bad version %q (want X.Y.Z)", v)
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return out, fmt.Errorf("bad version %q (want X.Y.Z)", v)
		}
		out[i] = n
	}
	return out, nil
}

func versionLess(a, b [3]int) bool {
	for i := 0; i < 3; i++ {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

func upgradeRequired(clientVersion, minVersion string) resp {
	return resp{status: http.StatusUpgradeRequired, body: errorBody{
		Code:    "upgrade_required",
		Message: fmt.Sprintf("difyctl %s is no longer supported; upgrade to >= %s.", clientVersion, minVersion),
		Status:  http.StatusUpgradeRequired,
		Hint:    "Upgrade difyctl: https://docs.dify.ai/en/cli/install",
	}}
}

// ---- accounts and sessions (callers hold s.mu) ----

func (s *Server) accountLocked(email string) *account {
	if a, ok := s.st.accounts[email]; ok {
		return a
	}
	a := &account{
		id:    newUUID(),
		email: email,
		name:  s.cfg.Name,
		workspaces: []workspace{
			{ID: newUUID(), Name: "Default", Role: "owner"},
			{ID: newUUID(), Name: "Other", Role: "normal"},
		},
	}
	s.st.accounts[email] = a
	return a
}

func (s *Server) nextSeq() int {
	s.st.seq++
	return s.st.seq
}

// mintLocked inserts a new session row and returns it.
func (s *Server) mintLocked(email, issuer string, sso bool, clientID, label string, created time.Time) *session {
	prefix := "dfoa_"
	if sso {
		prefix = "dfoe_"
	}
	ss := &session{
		seq:         s.nextSeq(),
		id:          newUUID(),
		token:       prefix + randB64(32),
		prefix:      prefix,
		clientID:    clientID,
		deviceLabel: label,
		email:       email,
		issuer:      issuer,
		sso:         sso,
		createdAt:   created,
		expiresAt:   created.Add(tokenLifetime),
	}
	s.st.sessions = append(s.st.sessions, ss)
	s.st.byToken[ss.token] = ss
	s.st.byID[ss.id] = ss
	return ss
}

// hostOnly returns the host name of a Host header value (no port).
func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return strings.Trim(hostport, "[]")
}

func portOf(hostport string) string {
	if _, p, err := net.SplitHostPort(hostport); err == nil {
		return p
	}
	return ""
}
