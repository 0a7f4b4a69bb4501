package main

// api.go: the HTTP client for the Dify OpenAPI: base URL with the
// host's path prefix, User-Agent, timeouts, a 1 MiB body cap, redirects that
// never change scheme or host, a bearer that only goes to the context's
// exact origin, retries for idempotent requests, and the mapping from HTTP
// outcomes to error codes.

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

const (
	maxBodyBytes   = 1 << 20
	requestTimeout = 30 * time.Second
	connectTimeout = 10 * time.Second
)

// apiClient talks to one Dify host.
type apiClient struct {
	base     *url.URL // <scheme>://<host><path>/openapi/v1/
	origin   string   // scheme://host:port the bearer may go to
	bearer   token
	hc       *http.Client
	retries  int
	ua       string
	insecure bool
	// relogin is the hint of a 401: how to get a token the server takes.
	relogin string
}

// endpoint names a Dify host: the pieces recorded in hosts.yml.
type endpoint struct {
	Scheme   string // https or http
	Host     string // hostname[:port], the hosts.yml key
	Path     string // path prefix, "" or "/dify"
	Insecure bool   // skip TLS verification (and allow http)
	// stored marks an endpoint read from hosts.yml: its fields are
	// untrusted input, checked before any request is built, and its
	// `scheme: http` is the consent given when it was signed in.
	stored bool
}

// endpointOf returns where a stored host lives.
func endpointOf(e *hostEntry) endpoint {
	scheme := strings.ToLower(e.Scheme)
	if scheme == "" {
		scheme = "https"
	}
	return endpoint{Scheme: scheme, Host: e.Host, Path: e.Path, Insecure: e.InsecureTLS, stored: true}
}

// checkEndpoint refuses an endpoint no request may be built from. A bad
// value from hosts.yml is config_invalid naming the file, host and key.
func (a *app) checkEndpoint(ep endpoint) error {
	bad := func(key, value, why string) error {
		if !ep.stored {
			return newError(codeUsageInvalidFlag, fmt.Sprintf("invalid host URL: the %s %s %s", key, quoted(truncate(value, 120)), why),
				"pass a URL such as https://dify.example.com or https://example.com/dify")
		}
		file := hostsFileName
		if st, err := a.store(); err == nil {
			file = st.hostsPath()
		}
		return newError(codeConfigInvalid,
			fmt.Sprintf("%s: host %s: %s %s %s", file, quoted(truncate(ep.Host, 120)), key, quoted(truncate(value, 120)), why),
			"fix or remove that value in "+file+", or sign in again with 'difyctl auth login --host <url>'")
	}
	switch {
	case ep.Scheme == "https":
	case ep.Scheme == "http" && (ep.Insecure || ep.stored):
	case ep.stored:
		return bad("scheme", ep.Scheme, "is not http or https")
	default:
		return newError(codeUsageInvalidFlag, "only https:// hosts are accepted", "add --insecure to allow http:// (local-dev only)")
	}
	if !validHostKey(ep.Host) {
		return bad("host", ep.Host, "is not a host name with an optional port")
	}
	if why := pathProblem(ep.Path); why != "" {
		return bad("path", ep.Path, why)
	}
	return nil
}

// validHostKey accepts hostname[:port] and [ipv6][:port], as hosts.yml
// keys are written: nothing that could carry userinfo, a path or a query
// into the URL's authority.
func validHostKey(h string) bool {
	name, port := h, ""
	if strings.HasPrefix(h, "[") {
		end := strings.IndexByte(h, ']')
		if end < 0 {
			return false
		}
		name, port = h[1:end], h[end+1:]
		if net.ParseIP(name) == nil || !strings.Contains(name, ":") {
			return false
		}
	} else {
		if i := strings.LastIndexByte(h, ':'); i >= 0 {
			name, port = h[:i], h[i:]
		}
		if !validHostname(strings.ToLower(name)) || strings.Contains(name, ":") {
			return false
		}
	}
	if port == "" {
		return true
	}
	// port is what follows the name: ":<1..65535>", digits only.
	n, err := strconv.Atoi(port[1:])
	return port[0] == ':' && err == nil && n > 0 && n <= 65535 && port[1] != '+' && port[1] != '-'
}

// pathProblem says what is wrong with a path prefix, or "" when it is
// clean: nothing in it may reach the authority or climb out of the prefix.
func pathProblem(p string) string {
	if p == "" {
		return ""
	}
	if p[0] != '/' {
		return "is not an absolute path (it must start with /)"
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c <= 0x20 || c >= 0x7f:
			return "contains a space, control or non-ASCII character"
		case c == '@' || c == '?' || c == '#' || c == '\\':
			return fmt.Sprintf("contains %q", c)
		case c == '%':
			dec, err := url.PathUnescape(p[i:min(i+3, len(p))])
			if err != nil {
				return "contains an invalid percent escape"
			}
			if dec == "/" || dec == "\\" {
				return "contains a percent-encoded slash or backslash"
			}
		}
	}
	for _, seg := range strings.Split(p[1:], "/") {
		dec, err := url.PathUnescape(seg)
		switch {
		case seg == "":
			return "contains an empty segment (//) or ends with /"
		case err != nil:
			return "contains an invalid percent escape"
		case dec == "." || dec == "..":
			return "contains a . or .. segment"
		case strings.ContainsFunc(dec, func(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) }):
			return "contains an encoded control character"
		}
	}
	return ""
}

// newAPIClient builds a client for ep. The bearer may be empty (device flow).
// The base URL is built from its parts, never by joining strings, after
// checkEndpoint has accepted each of them.
func (a *app) newAPIClient(ep endpoint, bearer token) (*apiClient, error) {
	if err := a.checkEndpoint(ep); err != nil {
		return nil, err
	}
	retries, err := retryBudget(a.getenv("DIFYCTL_HTTP_RETRY"))
	if err != nil {
		return nil, err
	}
	// checkEndpoint has accepted a non-empty host name and a path whose
	// every % starts a valid escape, so neither can fail here.
	rawPath := ep.Path + "/openapi/v1/"
	path, _ := url.PathUnescape(rawPath)
	base := &url.URL{Scheme: ep.Scheme, Host: ep.Host, Path: path, RawPath: rawPath}
	if ep.stored {
		a.warnTransport(ep)
	}
	c := &apiClient{
		base:     base,
		origin:   originOf(base),
		bearer:   bearer,
		retries:  retries,
		ua:       fmt.Sprintf("difyctl/%s (%s; %s; go)", version, runtime.GOOS, runtime.GOARCH),
		insecure: ep.Insecure,
	}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: connectTimeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   connectTimeout,
		ResponseHeaderTimeout: requestTimeout,
		MaxIdleConns:          16,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       30 * time.Second,
		ForceAttemptHTTP2:     true,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: ep.Insecure},
	}
	c.hc = &http.Client{
		Transport:     &bearerTransport{next: tr, client: c},
		CheckRedirect: c.checkRedirect,
	}
	return c, nil
}

// retryBudget reads DIFYCTL_HTTP_RETRY: a non-negative integer, default 3.
func retryBudget(v string) (int, error) {
	if v == "" {
		return 3, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 || n > 20 {
		return 0, newError(codeUsageInvalidFlag, fmt.Sprintf("DIFYCTL_HTTP_RETRY: %s is not a non-negative integer (0..20)", quoted(v)), "unset DIFYCTL_HTTP_RETRY or set it to a number such as 3")
	}
	return n, nil
}

func originOf(u *url.URL) string {
	host := u.Hostname()
	port := u.Port()
	if port == "" {
		port = map[string]string{"https": "443", "http": "80"}[u.Scheme]
	}
	return u.Scheme + "://" + net.JoinHostPort(strings.ToLower(host), port)
}

// bearerTransport adds the Authorization header to a request only when it
// goes to the context's exact origin, so no redirect or proxy can carry the
// token anywhere else.
type bearerTransport struct {
	next   http.RoundTripper
	client *apiClient
}

func (t *bearerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req.Header.Del("Authorization")
	if !t.client.bearer.isEmpty() && originOf(req.URL) == t.client.origin {
		req = req.Clone(req.Context())
		req.Header.Set("Authorization", "Bearer "+t.client.bearer.reveal())
	}
	return t.next.RoundTrip(req)
}

// errRedirectRefused marks a redirect the client would not follow.
var errRedirectRefused = errors.New("redirect refused")

// checkRedirect follows a redirect only to the same scheme, host and port,
// and never on the device-flow endpoints.
func (c *apiClient) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 || strings.Contains(via[0].URL.Path, "/oauth/device/") || originOf(req.URL) != c.origin {
		return errRedirectRefused
	}
	return nil
}

// request describes one call.
type request struct {
	method string
	path   string // relative to /openapi/v1/, e.g. "account/sessions"
	query  url.Values
	body   any
	// deviceFlow marks the OAuth device endpoints: 404 means the host has
	// no device flow, RFC 8628 error bodies are returned to the caller.
	deviceFlow bool
	// noRetry disables retries even for idempotent methods.
	noRetry bool
}

// response is a successful (2xx) or RFC 8628 error reply.
type response struct {
	status int
	body   []byte
	header http.Header
}

// do sends r, retrying what may be retried, and returns a 2xx response
// (or a device-flow RFC 8628 error reply); anything else is a cliError.
func (c *apiClient) do(ctx context.Context, r request) (*response, error) {
	u := c.requestURL(r)
	var payload []byte
	if r.body != nil {
		var err error
		if payload, err = json.Marshal(r.body); err != nil {
			return nil, newError(codeClientError, "cannot encode the request: "+err.Error(), "")
		}
	}
	backoff := 300 * time.Millisecond
	for attempt := 0; ; attempt++ {
		resp, err := c.once(ctx, r, u, payload)
		if ctx.Err() != nil {
			return nil, errInterrupted
		}
		if err == nil {
			return resp, nil
		}
		var t *transientError
		if !errors.As(err, &t) {
			return nil, err
		}
		// GET and DELETE are idempotent, POST never is.
		retryable := (r.method == http.MethodGet || r.method == http.MethodDelete) && !r.noRetry
		if !retryable || attempt >= c.retries {
			return nil, t.cliError
		}
		if err := sleepCtx(ctx, backoff); err != nil {
			return nil, errInterrupted
		}
		backoff = min(backoff*2, 30*time.Second)
	}
}

// requestURL is the URL r is sent to, query included.
func (c *apiClient) requestURL(r request) *url.URL {
	u := c.urlFor(r.path)
	if len(r.query) > 0 {
		u.RawQuery = r.query.Encode()
	}
	return u
}

// urlFor is the URL of an API path relative to the base (escaped form,
// e.g. "account/sessions/" + url.PathEscape(id)), built from parts: no dot
// segment is resolved and nothing in rel can reach the authority.
func (c *apiClient) urlFor(rel string) *url.URL {
	raw := c.base.EscapedPath() + rel
	path, err := url.PathUnescape(raw)
	if err != nil {
		path, raw = c.base.Path+rel, ""
	}
	return &url.URL{Scheme: c.base.Scheme, Host: c.base.Host, Path: path, RawPath: raw}
}

// warnTransport says once per command and host that a stored context's
// traffic is not encrypted (scheme: http) or not verified (insecure_tls),
// in every output mode: under --json the line goes to stderr too, and
// stdout stays the JSON alone.
func (a *app) warnTransport(ep endpoint) {
	key := ep.Scheme + "://" + ep.Host
	if a.transportWarned[key] {
		return
	}
	if a.transportWarned == nil {
		a.transportWarned = map[string]bool{}
	}
	switch {
	case ep.Scheme == "http":
		a.warn("traffic to " + ep.Host + " is not encrypted (http://, as recorded in hosts.yml)")
	case ep.Insecure:
		a.warn("TLS certificate verification is off for " + ep.Host + " (insecure_tls in hosts.yml)")
	default:
		return
	}
	a.transportWarned[key] = true
}

// transientError wraps a failure that a retry may cure; do sends the
// request again only when the request itself may be retried.
type transientError struct{ *cliError }

// once performs a single attempt. Non-2xx replies that may be retried come
// back as a response so do can decide; the final mapping happens here for
// everything else.
func (c *apiClient) once(ctx context.Context, r request, u *url.URL, payload []byte) (*response, error) {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return nil, newError(codeClientError, "cannot build the request: "+err.Error(), "")
	}
	req.Header.Set("User-Agent", c.ua)
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, c.transportError(r, u, err)
	}
	defer resp.Body.Close()
	// Read one byte past the cap to tell a body of exactly 1 MiB from a
	// longer one.
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	if err != nil {
		msg := "connection lost while reading the response: " + summarizeNetErr(err)
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			msg = "timed out reading the response from " + u.Host
		}
		return nil, &transientError{c.httpError(r, u, codeNetworkConnection, msg, "check your network and retry", 0)}
	}
	tooBig := len(data) > maxBodyBytes
	if tooBig {
		data = data[:maxBodyBytes]
	}
	out := &response{status: resp.StatusCode, body: data, header: resp.Header}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return nil, c.httpError(r, u, codeServer4xxOther,
			fmt.Sprintf("the server redirected to %s; difyctl does not follow redirects that leave %s", resp.Header.Get("Location"), c.origin),
			"use the final URL as --host", resp.StatusCode)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if tooBig {
			return nil, c.httpError(r, u, codeServerBadResponse, "the server's response is larger than 1 MiB; refusing to read it", "check the host is a Dify console API URL", resp.StatusCode)
		}
		return out, nil
	}
	if r.deviceFlow && resp.StatusCode == 400 && rfc8628Error(data) != "" {
		return out, nil
	}
	e := c.statusError(r, u, resp, data)
	switch resp.StatusCode {
	case 408, 500, 502, 503, 504:
		// Let do retry; the mapped error is what it reports if it gives up.
		return nil, &transientError{e}
	}
	return nil, e
}

// rfc8628Error returns the `error` string of an RFC 8628 body, or "".
func rfc8628Error(data []byte) string {
	var b struct {
		Error any `json:"error"`
	}
	if json.Unmarshal(data, &b) != nil {
		return ""
	}
	s, _ := b.Error.(string)
	return s
}

func (c *apiClient) httpError(r request, u *url.URL, code, msg, hint string, status int) *cliError {
	return &cliError{Code: code, Message: msg, Hint: hint, HTTPStatus: status, Method: r.method, URL: u.String()}
}

func (c *apiClient) transportError(r request, u *url.URL, err error) error {
	if errors.Is(err, errRedirectRefused) {
		return c.httpError(r, u, codeServer4xxOther,
			"the server redirected the request elsewhere; difyctl only follows redirects within "+c.origin,
			"use the final URL as --host", 0)
	}
	if ue, ok := errors.AsType[*url.Error](err); ok && ue.Timeout() {
		return &transientError{c.httpError(r, u, codeNetworkConnection, "request to "+u.Host+" timed out", "check your network and retry", 0)}
	}
	if certErr, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		return c.httpError(r, u, codeNetworkConnection, "TLS certificate of "+u.Host+" is not trusted: "+summarizeNetErr(certErr.Err),
			"use --insecure at login only for a local development host", 0)
	}
	return &transientError{c.httpError(r, u, codeNetworkConnection, "cannot reach "+u.Host+": "+summarizeNetErr(err), "check the host URL and your network, then retry", 0)}
}

// summarizeNetErr keeps the innermost, human part of a transport error.
func summarizeNetErr(err error) string {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		err = ue.Err
	}
	if oe, ok := errors.AsType[*net.OpError](err); ok && oe.Err != nil {
		err = oe.Err
	}
	return truncate(err.Error(), 200)
}

// unsupportedTokenType is the newest server's 403 message for an external
// SSO (dfoe_) token on a route that serves Dify accounts only; the token
// itself was accepted (a bad one gets 401).
const unsupportedTokenType = "unsupported_token_type"

// statusError maps a non-2xx reply to an error code, and so to the exit
// code a script branches on.
func (c *apiClient) statusError(r request, u *url.URL, resp *http.Response, data []byte) *cliError {
	st := resp.StatusCode
	msg, hint, server := parseErrorBody(data, resp.Header.Get("Content-Type"))
	e := &cliError{HTTPStatus: st, Method: r.method, URL: u.String(), Server: server}
	switch {
	case st == 401:
		e.Code = codeAuthExpired
		e.Message = orDefault(msg, "session expired or revoked")
		e.Hint = orDefault(c.relogin, "run 'difyctl auth login' to sign in again")
	case st == 404 && r.deviceFlow:
		e.Code = codeUnsupportedEndpoint
		e.Message = "this Dify host does not implement the OAuth device flow"
		e.Hint = "check that --host is the console API URL and that the server runs Dify 1.15 or later with OPENAPI_ENABLED=true"
		e.Server = nil
	case st == 426:
		e.Code = codeVersionSkew
		e.Message = orDefault(msg, "the server rejected difyctl "+version+" as too old")
		e.Hint = orDefault(hint, "upgrade difyctl")
	case st == 429:
		e.Code = codeRateLimited
		e.Message = orDefault(msg, "too many requests")
		if ra := retryAfter(resp.Header.Get("Retry-After")); ra != "" {
			e.Hint = "retry after " + ra
		} else {
			e.Hint = "wait a moment and retry"
		}
	case st >= 500:
		e.Code = codeServer5xx
		e.Message = orDefault(msg, fmt.Sprintf("server error (HTTP %d)", st))
		e.Hint = orDefault(hint, "retry later; if it persists, check the server's logs")
	case st == http.StatusForbidden && msg == unsupportedTokenType:
		e.Code, e.Message = codeServer4xxOther, msg
		e.Hint = orDefault(hint, "the server answers this only for a Dify account's sign-in, not for an external SSO one (a dfoe_ token)")
	default:
		e.Code = codeServer4xxOther
		e.Message = orDefault(msg, fmt.Sprintf("request failed (HTTP %d)", st))
		e.Hint = hint
	}
	notDifyHost(e, r.method, u, data)
	return e
}

// notDifyHost rewrites the message of a reply that is clearly not from a
// Dify console API to say so and name the URL tried; the code (and exit
// code) stays. Empty bodies (Dify with its OpenAPI disabled) and gateway
// pages (502/503/504: Dify may be behind them) are left alone.
func notDifyHost(e *cliError, method string, u *url.URL, data []byte) {
	body := bytes.TrimSpace(data)
	if len(body) == 0 || body[0] == '{' || body[0] == '[' { // JSON, or broken JSON
		return
	}
	what := "a body that is not JSON"
	html := looksHTML(body)
	if html {
		what = "an HTML page"
	}
	switch st := e.HTTPStatus; {
	case st == 401 || st == 426 || st == 429 || st == 502 || st == 503 || st == 504:
		return
	case st < 300 && !html:
		return
	}
	base := *u
	base.RawQuery = ""
	if i := strings.Index(base.Path, "/openapi/v1/"); i >= 0 {
		base.Path, base.RawPath = base.Path[:i], ""
	}
	e.Message = fmt.Sprintf("%s does not look like a Dify host: %s %s answered HTTP %d with %s",
		base.String(), method, u.String(), e.HTTPStatus, what)
	e.Hint = "check the URL: on self-hosted Dify pass the console API URL, e.g. https://dify.example.com"
	e.Server = nil
}

// retryAfter renders a Retry-After header (seconds or an HTTP date).
func retryAfter(v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		if n == 1 {
			return "1 second"
		}
		return fmt.Sprintf("%d seconds", n)
	}
	if t, err := http.ParseTime(v); err == nil {
		return t.UTC().Format(time.RFC3339)
	}
	return truncate(v, 40)
}

// htmlTitle returns the text of an HTML page's <title>, or false.
func htmlTitle(page []byte) (string, bool) {
	lower := make([]byte, len(page)) // ASCII-only, so offsets match page
	for i, c := range page {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	open := bytes.Index(lower, []byte("<title"))
	if open < 0 {
		return "", false
	}
	start := bytes.IndexByte(lower[open:], '>')
	if start < 0 {
		return "", false
	}
	start += open + 1
	end := bytes.Index(lower[start:], []byte("</title"))
	if end < 0 {
		return "", false
	}
	return string(page[start : start+end]), true
}

// parseErrorBody pulls a message and hint out of an error reply: a Dify
// ErrorBody (kept whole as server), the nested {"error":{…}} form, an RFC
// 8628 body, or — for HTML and garbage — a one-line summary.
func parseErrorBody(data []byte, contentType string) (msg, hint string, server json.RawMessage) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return "", "", nil
	}
	if trimmed[0] == '{' {
		var b struct {
			Code    any    `json:"code"`
			Message any    `json:"message"`
			Hint    any    `json:"hint"`
			Error   any    `json:"error"`
			Desc    string `json:"error_description"`
		}
		if json.Unmarshal(trimmed, &b) == nil {
			code, _ := b.Code.(string)
			m, _ := b.Message.(string)
			h, _ := b.Hint.(string)
			if code != "" {
				return truncate(m, 500), truncate(h, 500), json.RawMessage(trimmed)
			}
			switch e := b.Error.(type) {
			case map[string]any:
				m, _ := e["message"].(string)
				h, _ := e["hint"].(string)
				return truncate(m, 500), truncate(h, 500), nil
			case string:
				if b.Desc != "" {
					return truncate(e+": "+b.Desc, 500), "", nil
				}
				return truncate(e, 500), "", nil
			}
			return "", "", nil
		}
	}
	if title, ok := htmlTitle(trimmed); ok {
		return "the server answered with an HTML page: " + truncate(strings.TrimSpace(title), 120), "", nil
	}
	if strings.Contains(strings.ToLower(contentType), "html") || looksHTML(trimmed) {
		return "the server answered with an HTML page", "", nil
	}
	return "the server answered with a non-JSON body", "", nil
}

// looksHTML reports whether a trimmed, non-empty body is an HTML page: it
// starts with a tag or has a <title>.
func looksHTML(body []byte) bool {
	if body[0] == '<' {
		return true
	}
	_, ok := htmlTitle(body)
	return ok
}

func orDefault(s, d string) string {
	if strings.TrimSpace(s) == "" {
		return d
	}
	return s
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// decodeJSON decodes a 2xx body into out with a clear error for garbage.
func (c *apiClient) decodeJSON(r request, resp *response, out any) error {
	if err := json.Unmarshal(resp.body, out); err != nil {
		u := c.requestURL(r)
		e := c.httpError(r, u, codeServerBadResponse, "the server's response is not the JSON difyctl expects", "check that the host is a Dify console API URL", resp.status)
		notDifyHost(e, r.method, u, resp.body)
		return e
	}
	return nil
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
