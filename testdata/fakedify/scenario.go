package main

// Scenarios: canned misbehaviour of the /openapi/v1 surface, chosen through
// POST /_fake/scenario.

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

type scenario struct {
	Name string `json:"name"`
	// Path restricts the scenario to request paths starting with this prefix.
	// It is matched against the path relative to -base-path (so
	// "/openapi/v1/oauth/device/token"); a value without the "/openapi/v1"
	// prefix ("/oauth/device/token") also works.
	Path string `json:"path,omitempty"`
	// Count: the scenario applies to this many matching requests, then the
	// server is back to "normal". 0 or absent = forever.
	Count int `json:"count,omitempty"`
	// RetryAfter for rate_limited (default 7).
	RetryAfter *int `json:"retry_after,omitempty"`
	// Seconds for slow_headers (default 30).
	Seconds *float64 `json:"seconds,omitempty"`
	// Bytes for huge_body (default 50 MiB).
	Bytes *int64 `json:"bytes,omitempty"`
	// Chunked: huge_body without Content-Length.
	Chunked bool `json:"chunked,omitempty"`
	// VerificationURI for the verification_uri scenario.
	VerificationURI *string `json:"verification_uri,omitempty"`
	// Interval / ExpiresIn for device_code_override: any JSON value, echoed
	// verbatim in the device/code response.
	Interval  json.RawMessage `json:"interval,omitempty"`
	ExpiresIn json.RawMessage `json:"expires_in,omitempty"`

	// Status, Code, Message, Hint for error_body: a Dify ErrorBody with
	// these values (defaults 400, "bad_request", "Bad request.", none), so
	// tests can put hostile text in server error messages.
	Status  int     `json:"status,omitempty"`
	Code    string  `json:"code,omitempty"`
	Message *string `json:"message,omitempty"`
	Hint    string  `json:"hint,omitempty"`

	// redirect_other_host: the host name that is redirected (fixed by the
	// first redirected request); requests for any other host name are the
	// redirect targets.
	RedirectFrom string `json:"redirect_from,omitempty"`
}

var scenarioNames = map[string]bool{
	"normal": true, "disabled": true, "rate_limited": true, "server_5xx": true,
	"html_502": true, "upgrade_required": true, "huge_body": true,
	"slow_headers": true, "endless_body": true, "redirect_http": true,
	"redirect_other_host": true, "verification_uri": true,
	"device_code_override": true, "invalid_json": true,
	"wrong_content_type": true, "sessions_legacy": true, "error_body": true,
}

const html502 = `<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>`

func (sc *scenario) validate() error {
	if !scenarioNames[sc.Name] {
		return fmt.Errorf("unknown scenario %q", sc.Name)
	}
	if sc.Count < 0 {
		return fmt.Errorf("count must be >= 0")
	}
	if sc.Name == "verification_uri" && sc.VerificationURI == nil {
		return fmt.Errorf("verification_uri scenario needs a \"verification_uri\" field")
	}
	if sc.Name == "error_body" && sc.Status != 0 && (sc.Status < 400 || sc.Status > 599) {
		return fmt.Errorf("error_body status must be 400..599")
	}
	for _, raw := range []json.RawMessage{sc.Interval, sc.ExpiresIn} {
		if len(raw) > 0 && !json.Valid(raw) {
			return fmt.Errorf("interval/expires_in must be JSON values")
		}
	}
	return nil
}

func (sc *scenario) matchesPath(rel string) bool {
	if sc.Path == "" {
		return true
	}
	if strings.HasPrefix(rel, sc.Path) {
		return true
	}
	return strings.HasPrefix(strings.TrimPrefix(rel, apiPrefix), sc.Path)
}

// pickScenarioLocked decides whether the current scenario applies to this
// request. It returns the scenario to apply (Name "normal" when none) and
// whether the request is a redirect target. It consumes one unit of Count.
func (s *Server) pickScenarioLocked(r *http.Request, rel string) (scenario, bool) {
	sc := &s.st.scenario
	normal := scenario{Name: "normal"}
	if sc.Name == "normal" {
		return normal, false
	}
	sub := strings.TrimPrefix(rel, apiPrefix)
	applies := sc.matchesPath(rel)
	target := false
	switch sc.Name {
	case "verification_uri", "device_code_override":
		applies = applies && sub == "/oauth/device/code" && r.Method == http.MethodPost
	case "sessions_legacy":
		applies = applies && sub == "/account/sessions" && r.Method == http.MethodGet
	case "redirect_http":
		// Only https requests are redirected (to http on the same host:port);
		// plain-http requests are the redirect targets and served normally.
		if r.TLS == nil {
			target = s.cfg.TLS
			applies = false
		}
	case "redirect_other_host":
		h := hostOnly(r.Host)
		if sc.RedirectFrom == "" && applies {
			sc.RedirectFrom = h
		}
		if h != sc.RedirectFrom {
			target = true
			applies = false
		}
	}
	if !applies {
		return normal, target
	}
	picked := *sc
	if sc.Count > 0 {
		sc.Count--
		if sc.Count == 0 {
			s.st.scenario = normal
		}
	}
	return picked, target
}

// applyScenario writes the scenario's response. It returns the
// (possibly wrapped) writer and true when the normal handling must continue.
func (s *Server) applyScenario(w http.ResponseWriter, r *http.Request, sc scenario) (http.ResponseWriter, bool) {
	switch sc.Name {
	case "disabled":
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusNotFound)
		return w, false
	case "rate_limited":
		n := 7
		if sc.RetryAfter != nil {
			n = *sc.RetryAfter
		}
		rp := errResp(http.StatusTooManyRequests, "too_many_requests", "Too many requests for this API token.")
		rp.header = map[string]string{"Retry-After": strconv.Itoa(n)}
		writeResp(w, rp)
		return w, false
	case "server_5xx":
		writeResp(w, errResp(http.StatusServiceUnavailable, "unknown", "Internal Server Error"))
		return w, false
	case "html_502":
		writeResp(w, resp{status: http.StatusBadGateway, raw: []byte(html502), ctype: "text/html"})
		return w, false
	case "error_body":
		st, code, msg := http.StatusBadRequest, "bad_request", "Bad request."
		if sc.Status != 0 {
			st = sc.Status
		}
		if sc.Code != "" {
			code = sc.Code
		}
		if sc.Message != nil {
			msg = *sc.Message
		}
		rp := errResp(st, code, msg)
		eb := rp.body.(errorBody)
		eb.Hint = sc.Hint
		rp.body = eb
		writeResp(w, rp)
		return w, false
	case "upgrade_required":
		v := "unknown"
		if m := uaVersionRe.FindStringSubmatch(r.UserAgent()); m != nil {
			v = m[1]
		}
		s.mu.Lock()
		minV := s.st.minVersionStr
		s.mu.Unlock()
		writeResp(w, upgradeRequired(v, minV))
		return w, false
	case "huge_body":
		n := int64(50 << 20)
		if sc.Bytes != nil {
			n = *sc.Bytes
		}
		streamBody(r.Context(), w, n, !sc.Chunked)
		return w, false
	case "endless_body":
		streamBody(r.Context(), w, -1, false)
		return w, false
	case "slow_headers":
		sec := 30.0
		if sc.Seconds != nil {
			sec = *sc.Seconds
		}
		t := time.NewTimer(durationFromSeconds(sec))
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return w, false
		}
		return w, true
	case "redirect_http":
		loc := "http://" + r.Host + r.URL.RequestURI()
		w.Header().Set("Location", loc)
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusFound)
		return w, false
	case "redirect_other_host":
		h := hostOnly(r.Host)
		other := "localhost"
		if h == "localhost" {
			other = "127.0.0.1"
		}
		if p := portOf(r.Host); p != "" {
			other = net.JoinHostPort(other, p)
		}
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		w.Header().Set("Location", scheme+"://"+other+r.URL.RequestURI())
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusFound)
		return w, false
	case "invalid_json":
		writeResp(w, resp{status: http.StatusOK, raw: []byte(`{"token":`), ctype: "application/json"})
		return w, false
	case "wrong_content_type":
		return &ctypeWriter{ResponseWriter: w, ctype: "text/plain"}, true
	}
	// normal, verification_uri, device_code_override, sessions_legacy:
	// handled inside the normal routing.
	return w, true
}

// streamBody writes a JSON-ish body of n bytes (n < 0: forever) without
// holding it in memory.
func streamBody(ctx context.Context, w http.ResponseWriter, n int64, withLength bool) {
	w.Header().Set("Content-Type", "application/json")
	if withLength && n >= 0 {
		w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
	}
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	head := []byte(`{"data":"`)
	tail := []byte(`"}`)
	chunk := []byte(strings.Repeat("x", 64<<10))
	if n >= 0 && n < int64(len(head)+len(tail)) {
		_, _ = w.Write([]byte(strings.Repeat(" ", int(n))))
		return
	}
	if _, err := w.Write(head); err != nil {
		return
	}
	left := n - int64(len(head)) - int64(len(tail))
	for n < 0 || left > 0 {
		if ctx.Err() != nil {
			return
		}
		c := chunk
		if n >= 0 && left < int64(len(c)) {
			c = c[:left]
		}
		if _, err := w.Write(c); err != nil {
			return
		}
		left -= int64(len(c))
		if flusher != nil && n < 0 {
			flusher.Flush()
		}
	}
	_, _ = w.Write(tail)
}

// ctypeWriter forces a Content-Type on the response.
type ctypeWriter struct {
	http.ResponseWriter
	ctype string
}

func (c *ctypeWriter) WriteHeader(code int) {
	c.ResponseWriter.Header().Set("Content-Type", c.ctype)
	c.ResponseWriter.WriteHeader(code)
}

func (c *ctypeWriter) Write(b []byte) (int, error) {
	c.ResponseWriter.Header().Set("Content-Type", c.ctype)
	return c.ResponseWriter.Write(b)
}
