package main

// login.go: `auth login` end to end — resolving the host, asking for a
// device code (RFC 8628), opening the browser, polling until the user
// approves, then storing the token and recording the context.

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
	"unicode"
)

const (
	defaultHost     = "https://cloud.dify.ai"
	clientID        = "difyctl"
	defaultInterval = 5 * time.Second
	// minInterval is the fastest difyctl ever polls, whatever the server
	// asks: RFC 8628 has no floor, but a sane client keeps one.
	minInterval     = time.Second
	slowDownStep    = 5 * time.Second
	maxCodeLifetime = time.Hour
	maxTokenBytes   = 2048
)

// resolveHost turns what the user typed into an endpoint: a
// missing scheme means https, http needs --insecure, the host is lower-cased
// and the path prefix kept without its trailing slash.
func resolveHost(raw string, insecure bool) (endpoint, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		raw = defaultHost
	}
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse quotes the URL, and its reason may quote a piece of
		// it (an escape, a port): with an @ anywhere, a user name or
		// password may be in there, so nothing of the argument is shown.
		if strings.Contains(raw, "@") {
			return endpoint{}, newError(codeUsageInvalidFlag, "host parse: the host URL is not valid (and it carries a user name or password, which difyctl never uses)",
				"pass the URL without user@, e.g. https://dify.example.com")
		}
		reason := err.Error()
		if ue, ok := err.(*url.Error); ok {
			reason = fmt.Sprintf("%q: %v", ue.URL, ue.Err)
		}
		return endpoint{}, newError(codeUsageInvalidFlag, "host parse: "+reason, "pass a URL such as https://dify.example.com")
	}
	scheme := strings.ToLower(u.Scheme)
	switch {
	case scheme != "https" && scheme != "http":
		return endpoint{}, newError(codeUsageInvalidFlag, fmt.Sprintf("unsupported scheme %s: only https:// hosts are accepted", quoted(u.Scheme)), "pass a URL such as https://dify.example.com")
	case scheme == "http" && !insecure:
		return endpoint{}, newError(codeUsageInvalidFlag, "only https:// hosts are accepted",
			"add --insecure to allow http:// (local-dev only; user_code/device_code travel plaintext)")
	case u.User != nil:
		return endpoint{}, newError(codeUsageInvalidFlag, "the host URL must not contain a user name or password", "pass the URL without user@")
	case u.RawQuery != "" || u.Fragment != "":
		return endpoint{}, newError(codeUsageInvalidFlag, "the host URL must not contain a query or fragment", "pass the console API URL, e.g. https://dify.example.com")
	case u.Hostname() == "":
		return endpoint{}, newError(codeUsageInvalidFlag, "the host URL has no host name", "pass a URL such as https://dify.example.com")
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if !validHostname(host) {
		return endpoint{}, newError(codeUsageInvalidFlag, fmt.Sprintf("invalid host name %s", quoted(host)), "pass a URL such as https://dify.example.com")
	}
	if port := u.Port(); port != "" && !(scheme == "https" && port == "443") && !(scheme == "http" && port == "80") {
		host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	path := strings.TrimRight(u.EscapedPath(), "/")
	return endpoint{Scheme: scheme, Host: host, Path: path, Insecure: insecure}, nil
}

// validHostname accepts DNS names and IP literals; anything with spaces,
// control characters or YAML-hostile punctuation is refused.
func validHostname(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	if net.ParseIP(h) != nil {
		return true
	}
	for _, r := range h {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_') {
			return false
		}
	}
	return true
}

// deviceCode is the reply of POST oauth/device/code.
type deviceCode struct {
	DeviceCode      string  `json:"device_code"`
	UserCode        string  `json:"user_code"`
	VerificationURI string  `json:"verification_uri"`
	ExpiresIn       float64 `json:"expires_in"`
	Interval        float64 `json:"interval"`
}

// grantToken decodes the token of a grant straight into the redacted type.
type grantToken struct{ t token }

func (g *grantToken) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	g.t = newToken(s)
	return nil
}

// grant is the success reply of POST oauth/device/token.
type grant struct {
	Token              grantToken      `json:"token"`
	ExpiresAt          string          `json:"expires_at"`
	SubjectType        string          `json:"subject_type"`
	SubjectEmail       string          `json:"subject_email"`
	SubjectIssuer      string          `json:"subject_issuer"`
	Account            *accountInfo    `json:"account"`
	Workspaces         []workspaceInfo `json:"workspaces"`
	DefaultWorkspaceID string          `json:"default_workspace_id"`
	TokenID            string          `json:"token_id"`
}

// requestCode starts the flow.
func (a *app) requestCode(c *apiClient, ep endpoint) (*deviceCode, error) {
	req := request{method: http.MethodPost, path: "oauth/device/code", deviceFlow: true,
		body: map[string]string{"client_id": clientID, "device_label": deviceLabel()}}
	resp, err := c.do(a.ctx, req)
	if err != nil {
		return nil, err
	}
	if resp.status != http.StatusOK {
		return nil, c.httpError(req, c.urlFor(req.path), codeServer4xxOther,
			fmt.Sprintf("the server refused the sign-in request: %s", rfc8628Error(resp.body)), "", resp.status)
	}
	var dc deviceCode
	if err := c.decodeJSON(req, resp, &dc); err != nil {
		return nil, err
	}
	if dc.DeviceCode == "" || dc.UserCode == "" || dc.VerificationURI == "" {
		return nil, newError(codeServerBadResponse, "the server's device code reply is missing device_code, user_code or verification_uri", "check that the host is a Dify console API URL")
	}
	if len(dc.DeviceCode) > 512 || len(dc.UserCode) > 64 || len(dc.VerificationURI) > 2048 {
		return nil, newError(codeServerBadResponse, "the server's device code reply has oversized fields", "check that the host is a Dify console API URL")
	}
	if err := checkVerificationURI(dc.VerificationURI, ep.Insecure || ep.Scheme == "http"); err != nil {
		return nil, err
	}
	if _, _, err := dc.timing(); err != nil {
		return nil, err
	}
	return &dc, nil
}

// deviceLabel names this machine in the server's session list.
func deviceLabel() string {
	h, err := os.Hostname()
	h = strings.TrimSpace(sanitize(h))
	if err != nil || h == "" {
		h = "unknown-host"
	}
	return "difyctl on " + truncate(h, 200)
}

// checkVerificationURI accepts only an https URL with a host (http with
// --insecure): the URL is printed for the user and may be opened.
func checkVerificationURI(raw string, insecure bool) error {
	u, err := url.Parse(raw)
	if err != nil {
		return newError(codeInvalidVerification, fmt.Sprintf("server returned invalid verification_uri %s", quoted(truncate(raw, 200))), "")
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "https" && !(scheme == "http" && insecure) {
		return newError(codeInvalidVerification,
			fmt.Sprintf("server returned verification_uri with unsupported scheme %s", quoted(truncate(u.Scheme, 40))),
			"expected https:// (use --insecure to allow http:// on local-dev hosts)")
	}
	if u.Host == "" || u.User != nil {
		return newError(codeInvalidVerification, fmt.Sprintf("server returned verification_uri without a usable host: %s", quoted(truncate(raw, 200))), "")
	}
	return nil
}

// showCode prints the one-time code and where to enter it, on stderr.
func (a *app) showCode(dc *deviceCode) {
	c := a.colors(a.stderrTTY)
	fmt.Fprintf(a.stderr, "%s Copy this one-time code: %s\n", c.yellow("!"), c.bold(sanitize(dc.UserCode)))
	fmt.Fprintf(a.stderr, "  Open: %s\n", sanitize(dc.VerificationURI))
}

// maybeOpenBrowser opens the verification URL unless that makes no sense
// here, and says why on stderr when it does not.
func (a *app) maybeOpenBrowser(uri string, noBrowser bool) {
	reason := ""
	switch {
	case noBrowser:
		reason = "--no-browser requested"
	case a.getenv("SSH_CONNECTION") != "" || a.getenv("SSH_TTY") != "":
		reason = "Detected SSH session"
	case runtime.GOOS != "windows" && runtime.GOOS != "darwin" && a.getenv("DISPLAY") == "" && a.getenv("WAYLAND_DISPLAY") == "":
		reason = "Headless Linux (no DISPLAY / WAYLAND_DISPLAY)"
	case !a.stdoutTTY || !a.stderrTTY:
		reason = "Non-interactive TTY"
	}
	if reason != "" {
		a.warn(reason + " — open the URL above manually")
		return
	}
	if err := openBrowser(uri); err != nil {
		a.warn("couldn't open browser (" + err.Error() + "); open the URL above manually")
	}
}

// openBrowser starts the platform's URL opener with the URL as one
// argument — never through a shell — and does not wait for it.
func openBrowser(uri string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", uri)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", uri)
	default:
		cmd = exec.Command("xdg-open", uri)
	}
	cmd.Env = browserEnv()
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait()
	return nil
}

// browserEnv passes the opener what it needs to find a browser, and none of
// difyctl's own variables. It is never nil: a nil cmd.Env would hand the
// opener all of ours, DIFY_TOKEN included.
func browserEnv() []string {
	env := []string{}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "DIFY_") || strings.HasPrefix(kv, "DIFYCTL_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// preflightLogin checks, before a device code is requested, that a sign-in
// could be kept, so nobody approves a sign-in that is then thrown away.
func (a *app) preflightLogin(st *store) error {
	chain, err := a.tokenStore()
	if err != nil {
		return err
	}
	// The owner and permission check every later command makes, now:
	// a sign-in into files another user controls is refused before it
	// starts, not found out afterwards.
	if err := chain.checkSecure("the sign-in was not started"); err != nil {
		return err
	}
	if err := dirWritable(st.dir); err != nil {
		return newError(codeConfigUnwritable,
			fmt.Sprintf("cannot write to the config directory %s: %s", st.dir, err),
			"make it writable (chmod u+w), or set DIFY_CONFIG_DIR to a writable directory")
	}
	sealedLikely := chain.force == storageSealed
	if chain.force != storageSealed {
		if err := chain.os.usable(); err != nil {
			if chain.force == storageKeychain {
				return keyringUnavailable(err)
			}
			sealedLikely = true
		}
	}
	if sealedLikely {
		if chain.sealed.keyDirErr != nil {
			return chain.sealed.keyDirErr
		}
		if err := dirWritable(chain.sealed.keyDir); err != nil {
			return newError(codeCredentialUnwritable,
				fmt.Sprintf("cannot write to the data directory %s, where the sealed file's key is kept: %s", chain.sealed.keyDir, err),
				"make it writable, or set DIFY_DATA_DIR to a writable directory")
		}
	}
	return nil
}

// dirWritable reports whether dir, or the nearest existing directory it
// would be created in, takes a new file. It never creates dir itself.
func dirWritable(dir string) error {
	d := dir
	for i := 0; i < 64; i++ {
		fi, err := os.Stat(d)
		if err == nil {
			if !fi.IsDir() {
				return fmt.Errorf("%s is not a directory", d)
			}
			return canCreateIn(d)
		}
		if !errors.Is(err, os.ErrNotExist) {
			return unwrapPathErr(err)
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	return fmt.Errorf("no existing parent directory")
}

// pollWait is how long to wait before the next poll: the interval plus a
// small margin, because the server answers slow_down to any poll that
// arrives sooner than the interval after the previous one.
func pollWait(interval time.Duration) time.Duration {
	margin := 250 * time.Millisecond
	if interval < time.Second {
		margin = interval/4 + 20*time.Millisecond
	}
	return interval + margin
}

// timing turns the server's interval and expires_in into the wait between
// polls and the code's lifetime. An interval that leaves no time for a
// single poll is refused up front: a hostile or broken server would
// otherwise keep the user waiting for a sign-in that cannot complete.
func (dc *deviceCode) timing() (interval, lifetime time.Duration, err error) {
	asked := secondsDuration(dc.Interval)
	interval = asked
	if interval <= 0 {
		interval = defaultInterval
	}
	interval = max(interval, minInterval)
	lifetime = secondsDuration(dc.ExpiresIn)
	switch {
	case lifetime <= 0:
		lifetime = 15 * time.Minute
	case lifetime > maxCodeLifetime:
		lifetime = maxCodeLifetime
	}
	if interval >= lifetime || pollWait(interval) > lifetime {
		var why string
		switch {
		case asked <= 0:
			why = fmt.Sprintf("the server sets no poll interval, so difyctl polls every %g s (the RFC 8628 default)", interval.Seconds())
		case asked < minInterval:
			why = fmt.Sprintf("the server asks for %g s between polls, and difyctl polls at most once every %g s", dc.Interval, minInterval.Seconds())
		default:
			why = fmt.Sprintf("the server asks for %g s between polls", dc.Interval)
		}
		return 0, 0, newError(codeServerBadResponse,
			fmt.Sprintf("%s, but its one-time code expires in %g s: no sign-in could complete", why, lifetime.Seconds()),
			"check that the host is a Dify console API URL; if it is, report the device-flow settings to its administrator")
	}
	return interval, lifetime, nil
}

// secondsDuration converts a server's seconds to a Duration, saturating
// instead of overflowing: a float64 out of Duration's range converts to
// an arbitrary value (negative on amd64, the maximum on arm64), which
// would turn a huge interval into a busy loop on one platform only.
// NaN and non-positive values give 0.
func secondsDuration(s float64) time.Duration {
	if !(s > 0) {
		return 0
	}
	if s >= float64(math.MaxInt64)/float64(time.Second) {
		return math.MaxInt64
	}
	return time.Duration(s * float64(time.Second))
}

// awaitGrant polls until the user approves, denies, or the code expires.
// Ctrl-C ends it at once with errInterrupted.
func (a *app) awaitGrant(c *apiClient, dc *deviceCode) (*grant, error) {
	interval, lifetime, err := dc.timing()
	if err != nil {
		return nil, err
	}
	deadline := a.now().Add(lifetime)
	stop := a.startSpinner("Waiting for authorization")
	defer stop()

	req := request{method: http.MethodPost, path: "oauth/device/token", deviceFlow: true,
		body: map[string]string{"client_id": clientID, "device_code": dc.DeviceCode}}
	failures := 0
	backoff := time.Second
	wait := pollWait(interval)
	for {
		if left := deadline.Sub(a.now()); left < wait {
			// No poll can land before the code dies: wait it out, then say so.
			if err := sleepCtx(a.ctx, max(left, 0)); err != nil {
				return nil, errInterrupted
			}
			return nil, codeExpired()
		}
		if err := sleepCtx(a.ctx, wait); err != nil {
			return nil, errInterrupted
		}
		resp, err := c.do(a.ctx, req)
		if err != nil {
			if err == errInterrupted {
				return nil, err
			}
			ce := asCLIError(err)
			if (ce.Code == codeServer5xx || ce.Code == codeNetworkConnection) && failures < 5 {
				failures++
				wait = max(pollWait(interval), backoff)
				backoff = min(backoff*2, 16*time.Second)
				continue
			}
			return nil, err
		}
		failures, backoff = 0, time.Second
		wait = pollWait(interval)
		if resp.status == http.StatusOK {
			var g grant
			if err := c.decodeJSON(req, resp, &g); err != nil {
				return nil, err
			}
			return &g, nil
		}
		switch code := rfc8628Error(resp.body); code {
		case "authorization_pending":
		case "slow_down":
			interval += slowDownStep
			wait = pollWait(interval)
		case "access_denied":
			return nil, newError(codeAccessDenied, "authorization denied", "run 'difyctl auth login' to try again")
		case "expired_token":
			return nil, codeExpired()
		default:
			return nil, newError(codeUnknown, fmt.Sprintf("unknown poll error %s", quoted(truncate(code, 80))), "")
		}
	}
}

func codeExpired() *cliError {
	return newError(codeExpiredToken, "the one-time code expired before it was approved",
		"run 'difyctl auth login' again and approve the code within its lifetime")
}

// startSpinner draws a spinner on stderr when it is a terminal, and returns
// the function that stops it and clears its line.
func (a *app) startSpinner(label string) func() {
	if !a.stderrTTY {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	frames := []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}
	go func() {
		defer close(finished)
		t := time.NewTicker(120 * time.Millisecond)
		defer t.Stop()
		for i := 0; ; i++ {
			fmt.Fprintf(a.stderr, "\r%s %s", frames[i%len(frames)], label)
			select {
			case <-done:
				fmt.Fprint(a.stderr, "\r\x1b[K")
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// contextFromGrant builds the hosts.yml context of a fresh sign-in.
func contextFromGrant(g *grant) (*contextEntry, error) {
	c := &contextEntry{TokenID: g.TokenID, TokenExpiresAt: g.ExpiresAt}
	if g.Account != nil {
		c.Account = *g.Account
	}
	c.Email = c.Account.Email
	if c.Email == "" {
		c.Email = g.SubjectEmail
	}
	if c.Email == "" {
		return nil, newError(codeNotLoggedIn, "account has no email; cannot store credential",
			"this Dify instance returned no email for the signed-in subject")
	}
	if len(c.Email) > 320 || strings.ContainsFunc(c.Email, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return nil, newError(codeServerBadResponse, "the server returned an unusable email for the signed-in subject", "")
	}
	if strings.ContainsFunc(c.Email, shellUnsafe) {
		return nil, newError(codeServerBadResponse,
			fmt.Sprintf("the server returned the email %s for the signed-in subject; difyctl refuses an email holding whitespace or shell metacharacters, which shell completion would insert into your command line", quoted(c.Email)),
			"sign in with an account whose email has none, or ask the administrator of this Dify instance to fix the account's email")
	}
	if g.SubjectEmail != "" && c.Account.ID == "" {
		c.External = &externalSubject{Email: g.SubjectEmail, Issuer: g.SubjectIssuer}
	}
	for _, w := range g.Workspaces {
		if w.ID != "" && w.ID == g.DefaultWorkspaceID {
			c.Workspace = &w
			break
		}
	}
	return c, nil
}

// shellUnsafe reports whitespace and the characters a shell treats
// specially (quotes, expansions, globs, separators, comments): hosts and
// emails are completed into a command line.
func shellUnsafe(r rune) bool {
	return unicode.IsSpace(r) || strings.ContainsRune("'\"`$\\;&|<>(){}[]*?!#~", r)
}

// bestEffortRevoke bounds a revoke a sign-in tries on its way out (of a
// replaced token, or of one it could not keep).
const bestEffortRevoke = 5 * time.Second

// notKeptError is a sign-in whose context could not be recorded after its
// token was stored: the token was taken back out of the store, so the
// sign-in left nothing behind but, until revoked, its server session.
type notKeptError struct{ err *cliError }

func (e *notKeptError) Error() string { return e.err.Error() }
func (e *notKeptError) Unwrap() error { return e.err }

// report is the error shown once the session's revoke was tried.
func (e *notKeptError) report(revoked bool) *cliError {
	msg := strings.TrimSuffix(e.err.Message, "; nothing was written")
	if revoked {
		msg += "; the sign-in was not kept: its token was removed and its session ended at the server"
	} else {
		msg += "; the sign-in was not kept: its token was removed, but the server did not confirm ending its session (see 'difyctl auth devices list' on another sign-in)"
	}
	out := *e.err
	out.Message = msg
	return &out
}

var loginCommand = &command{
	path:           "auth login",
	changesSignIns: true,
	summary:        "Sign in to Dify via OAuth device flow",
	usage:          "auth login [--host <url>] [--no-browser] [--insecure]",
	long: "Runs the OAuth 2.0 device flow: prints a one-time code and a verification URL, opens the\n" +
		"URL in your browser, and waits for you to approve the sign-in there. The CLI never sees\n" +
		"your password. Signing in again to the same host and account replaces its token.",
	examples: []string{
		"difyctl auth login --host https://dify.example.com",
		"difyctl auth login --no-browser",
		"difyctl auth login --host http://localhost:5001 --insecure",
	},
	exits: [][2]string{
		{"0", "Signed in"},
		{"1", "Network or server error"},
		{"2", "Usage error, such as a missing --host outside a terminal or a non-https host without --insecure"},
		{"4", "The sign-in was denied (access_denied), or the code expired before you approved it (expired_token)"},
		{"6", "The server has no device-flow sign-in endpoint, or rejected this difyctl as too old"},
		{"7", "Rate limited (HTTP 429)"},
		{"130", "Interrupted (Ctrl-C); nothing was written"},
	},
	setup: func(fs *flag.FlagSet) func(a *app, args []string) error {
		host := fs.String("host", "", "The Dify `url` to sign in to (the console API URL on self-hosted Dify); https:// is assumed")
		noBrowser := fs.Bool("no-browser", false, "Don't open the browser; print the verification URL only")
		insecure := fs.Bool("insecure", false, "Allow http:// hosts and skip TLS certificate verification (local development only)")
		return func(a *app, args []string) error { return a.login(*host, *noBrowser, *insecure) }
	},
}

func (a *app) login(rawHost string, noBrowser, insecure bool) error {
	// hosts.yml is read once before the sign-in, for the path a bare
	// --host was stored with and to refuse early, before the user
	// approves anything, a hosts.yml that could not be written afterwards
	// either. Its errors count after --host's own: a bad --host is a
	// usage error whatever the file holds.
	st, h, err := a.hosts()
	ep, hostErr := a.loginEndpoint(rawHost, insecure, h)
	if hostErr != nil {
		return hostErr
	}
	if insecure {
		if ep.Scheme == "http" {
			a.warn("--insecure: traffic to " + ep.Host + " is not encrypted (http://); use it for local development only")
		} else {
			a.warn("--insecure: TLS certificate verification is off for " + ep.Host)
		}
	}
	if err != nil {
		return err
	}
	if err := a.preflightLogin(st); err != nil {
		return err
	}
	c, err := a.newAPIClient(ep, token{})
	if err != nil {
		return err
	}
	dc, err := a.requestCode(c, ep)
	if err != nil {
		return err
	}
	a.showCode(dc)
	a.maybeOpenBrowser(dc.VerificationURI, noBrowser)
	g, err := a.awaitGrant(c, dc)
	if err != nil {
		return err
	}
	ctx, old, stored, err := a.keepGrant(st, ep, g)
	if err != nil {
		// The server minted a session that difyctl could not store, or
		// whose token it took back out of the store: end it rather than
		// leave it live and unseen (best effort; not after Ctrl-C, which
		// must stop at once). A token that stayed stored may have
		// replaced a working one, so it is left alone.
		if !stored && a.ctx.Err() == nil && !errors.Is(err, errInterrupted) {
			revoked := a.revokeSelf(ep, g.Token.t, bestEffortRevoke) == nil
			var nk *notKeptError
			if errors.As(err, &nk) {
				return nk.report(revoked)
			}
		}
		return err
	}
	if old != nil && revocable(old.tok) && old.tok.reveal() != g.Token.t.reveal() {
		// Refused as not valid (exit 4) means it has ended already: the
		// server ends a session of the same account and device label
		// when it grants a new one. It is sent where it was signed in
		// (old.at), never over the http or unverified TLS this sign-in
		// may have been allowed.
		if err := a.revokeSelf(old.at, old.tok, bestEffortRevoke); err != nil && exitCodeFor(err) != 4 && a.ctx.Err() == nil {
			a.warn("the session this sign-in replaced may still be active (" + asCLIError(err).Message + "); see 'difyctl auth devices list'")
		}
	}
	return a.writeString(a.loginSummary(ep.Host, ctx))
}

// loginSummary is the two stdout lines of a successful sign-in.
func (a *app) loginSummary(host string, c *contextEntry) string {
	line := fmt.Sprintf("%s Logged in to %s as %s\n", a.colors(a.stdoutTTY).green("✓"), sanitize(host), identityText(c))
	if c.Workspace != nil {
		line += "  Workspace: " + sanitize(c.Workspace.Name) + "\n"
	}
	return line
}

// priorSignIn is the sign-in a new one replaces: its token, and the
// endpoint hosts.yml recorded for it, the only one its bearer goes to.
type priorSignIn struct {
	tok token
	at  endpoint
}

// keepGrant checks the token a sign-in was granted, stores it and records
// its context as the active one. It returns the token the sign-in
// replaces, if any, so its session can be ended, and whether the new
// token is in the token store, even when a later step failed. When the
// context cannot be recorded (hosts.yml locked by the official client
// past the wait, a write error), the stored token is taken back out and
// the error is a *notKeptError.
func (a *app) keepGrant(st *store, ep endpoint, g *grant) (ctx *contextEntry, old *priorSignIn, stored bool, err error) {
	tok := g.Token.t
	if err := checkGrantToken(tok); err != nil {
		return nil, nil, false, err
	}
	ctx, err = contextFromGrant(g)
	if err != nil {
		return nil, nil, false, err
	}
	ts, err := a.tokenStore()
	if err != nil {
		return nil, nil, false, err
	}
	// The token is stored and the context recorded in one critical section
	// of our OS lock (tx), so two sign-ins to the same context at once
	// cannot leave one's token beside the other's token_id. The official
	// client's hosts.yml.lock is taken only for the final write, never
	// across the OS-store call.
	tx, err := st.exclusive()
	if err != nil {
		return nil, nil, false, err
	}
	defer tx.release()
	// hosts.yml is read again, under the lock: the approval took minutes,
	// in which another sign-in may have replaced this context or added
	// one whose OS-store entry name clashes with it. It gives the token
	// this sign-in replaces, whose session ends once the new one is
	// safely stored.
	h, err := st.load()
	if err != nil {
		return nil, nil, false, err
	}
	if prev := h.host(ep.Host).account(ctx.Email); prev != nil {
		if tok, _, err := ts.find(h, h.host(ep.Host), prev); err == nil {
			old = &priorSignIn{tok: tok, at: endpointOf(h.host(ep.Host))}
		}
	}
	storage, err := ts.saveIn(tx, h, ep, ctx.Email, tok)
	if err != nil {
		if cl, ok := errors.AsType[*copyLeftError](err); ok && errors.Is(err, errInterrupted) {
			a.warn(notKeptOnCtrlC(ep, ctx, cl.leftText()))
			return nil, nil, true, errInterrupted
		}
		if errors.Is(err, errInterrupted) {
			a.warn(notKeptOnCtrlC(ep, ctx, ""))
		}
		return nil, nil, false, err
	}
	stored = true
	err = tx.update(func(h *hostsFile) error {
		e := h.upsert(ep.Host, ctx)
		e.Scheme = ""
		if ep.Scheme != "https" {
			e.Scheme = ep.Scheme
		}
		e.Path = ep.Path
		e.InsecureTLS = ep.Insecure
		e.CurrentAccount = ctx.Email
		h.CurrentHost = ep.Host
		recordTokenStorage(h, ep.Host, ctx.Email, storage)
		return nil
	})
	if err != nil {
		if a.ctx.Err() != nil || errors.Is(err, errInterrupted) {
			// Ctrl-C in the wait for hosts.yml.lock: the token is taken
			// back out, as when the wait runs out (a short local step
			// that a second Ctrl-C does not stop), but the server is not
			// waited for, so the session stays active.
			a.ctx = context.WithoutCancel(a.ctx)
			if uerr := ts.unsave(tx, ep.Host, ctx.Email, storage); uerr != nil {
				a.warn("interrupted: the sign-in was not recorded, and its token could not be taken back out of the credential store: " + asCLIError(uerr).Message)
				return nil, nil, stored, errInterrupted
			}
			a.warn(notKeptOnCtrlC(ep, ctx, ""))
			return nil, nil, false, errInterrupted
		}
		if uerr := ts.unsave(tx, ep.Host, ctx.Email, storage); uerr != nil {
			a.warn("cannot take the new token back out of the credential store: " + asCLIError(uerr).Message)
			return nil, nil, stored, err
		}
		return nil, nil, false, &notKeptError{err: asCLIError(err)}
	}
	return ctx, old, true, nil
}

// notKeptOnCtrlC says what a Ctrl-C after the approval left: a session at
// the server that nothing waited to revoke and, where left is "", no token
// stored (saveIn and keepGrant take a stored one back out); otherwise left
// says which copy of the token a failed clean-up left behind.
func notKeptOnCtrlC(ep endpoint, c *contextEntry, left string) string {
	session := "its session of " + c.Email + " on " + ep.Host + " is still active; " + endSession(c)
	if left != "" {
		return "interrupted: the sign-in was not kept, but " + left + "; " + session
	}
	return "interrupted: the sign-in was not kept and no token of it is stored, but " + session
}

// loginEndpoint resolves --host, or asks for it in a terminal.
func (a *app) loginEndpoint(rawHost string, insecure bool, h *hostsFile) (endpoint, error) {
	if strings.TrimSpace(rawHost) != "" {
		return resolveHost(storedPath(h, rawHost), insecure)
	}
	if !a.canAsk() {
		return endpoint{}, newError(codeUsageMissingArg, "--host is required (no TTY)",
			"pass the host explicitly, e.g. 'difyctl auth login --host cloud.dify.ai'")
	}
	example := "https://your-dify.com"
	if insecure {
		example = "https://cloud.dify.ai or http://localhost"
	}
	in := newLineReader(a.stdin)
	for {
		fmt.Fprintf(a.stderr, "Enter Dify host URL (e.g. %s) [default: %s]: ", example, defaultHost)
		line, err := in.readLine(a.ctx)
		if err != nil {
			if err == errInterrupted {
				return endpoint{}, err
			}
			return endpoint{}, newError(codeUsageMissingArg, "input closed before a valid value was provided", "pass --host <url>")
		}
		line = strings.TrimSpace(line)
		if line == "" || strings.EqualFold(line, "y") || strings.EqualFold(line, "yes") {
			line = defaultHost
		}
		ep, err := resolveHost(storedPath(h, line), insecure)
		if err == nil {
			return ep, nil
		}
		e := asCLIError(err)
		fmt.Fprintf(a.stderr, "  %s %s — %s\n", a.colors(a.stderrTTY).red("✗"), sanitize(e.Message), sanitize(e.Hint))
	}
}

// storedPath gives a bare host (no scheme, no path) that is already
// signed in the path prefix it was stored with, so `--host example.com`
// reaches a host recorded with `path: /dify`. The scheme is never taken
// from hosts.yml: what the user typed decides it (none means https), and
// http always needs --insecure, whatever a past sign-in recorded. h is
// hosts.yml as the command read it (nil when it could not).
func storedPath(h *hostsFile, raw string) string {
	raw = strings.TrimSpace(raw)
	if h == nil || raw == "" || strings.Contains(raw, "://") || strings.Contains(raw, "/") {
		return raw
	}
	e := h.host(normalizeHostArg(raw))
	if e == nil || e.Path == "" {
		return raw
	}
	return "https://" + raw + e.Path
}
