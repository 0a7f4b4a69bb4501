package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// ---- harness ----

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var clockStart = time.Date(2026, 5, 28, 11, 40, 9, 123456789, time.UTC)

type harness struct {
	t   *testing.T
	s   *Server
	clk *fakeClock
	ts  *httptest.Server
	c   *http.Client // does not follow redirects
}

const cliUA = "difyctl/1.0.0 (linux; amd64; go)"

func newHarness(t *testing.T, mutate func(*Config)) *harness {
	t.Helper()
	cfg := DefaultConfig()
	if mutate != nil {
		mutate(&cfg)
	}
	s, err := NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	clk := &fakeClock{t: clockStart}
	s.now = clk.Now
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	c := &http.Client{
		Timeout:       20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &harness{t: t, s: s, clk: clk, ts: ts, c: c}
}

type result struct {
	status int
	header http.Header
	body   []byte
}

func (r result) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

// send performs a request to an absolute URL.
func (h *harness) send(method, u string, body any, hdr map[string]string) result {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		js, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(js)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", cliUA)
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	res, err := h.c.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, u, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		h.t.Fatalf("%s %s: read body: %v", method, u, err)
	}
	return result{status: res.StatusCode, header: res.Header, body: b}
}

func (h *harness) api(method, sub string, body any, hdr map[string]string) result {
	h.t.Helper()
	return h.send(method, h.ts.URL+h.s.cfg.BasePath+apiPrefix+sub, body, hdr)
}

func (h *harness) ctl(method, name string, body any) result {
	h.t.Helper()
	return h.send(method, h.ts.URL+"/_fake"+name, body, nil)
}

func (h *harness) ctlOK(method, name string, body any) map[string]any {
	h.t.Helper()
	r := h.ctl(method, name, body)
	if r.status != 200 {
		h.t.Fatalf("control %s %s: %d %s", method, name, r.status, r.body)
	}
	return r.json(h.t)
}

func bearer(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }

func (h *harness) issue(label string) (deviceCode, userCode string) {
	h.t.Helper()
	r := h.api("POST", "/oauth/device/code", map[string]string{"client_id": "difyctl", "device_label": label}, nil)
	if r.status != 200 {
		h.t.Fatalf("device/code: %d %s", r.status, r.body)
	}
	m := r.json(h.t)
	return m["device_code"].(string), m["user_code"].(string)
}

func (h *harness) poll(dc string) result {
	h.t.Helper()
	return h.api("POST", "/oauth/device/token", map[string]string{"device_code": dc, "client_id": "difyctl"}, nil)
}

func wantOAuthErr(t *testing.T, r result, code string) {
	t.Helper()
	if r.status != 400 {
		t.Fatalf("want 400 %s, got %d %s", code, r.status, r.body)
	}
	m := r.json(t)
	if len(m) != 1 || m["error"] != code {
		t.Fatalf(`want exactly {"error":%q}, got %s`, code, r.body)
	}
}

func wantErrorBody(t *testing.T, r result, status int, code, msg string) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("want %d, got %d %s", status, r.status, r.body)
	}
	m := r.json(t)
	if m["code"] != code || (msg != "" && m["message"] != msg) || m["status"] != float64(status) {
		t.Fatalf("want ErrorBody code=%q message=%q status=%d, got %s", code, msg, status, r.body)
	}
	return m
}

// login runs a whole device flow and returns the poll payload.
func (h *harness) login(approve map[string]any, label string) map[string]any {
	h.t.Helper()
	dc, uc := h.issue(label)
	if approve == nil {
		approve = map[string]any{}
	}
	approve["user_code"] = uc
	h.ctlOK("POST", "/approve", approve)
	h.clk.Advance(10 * time.Second) // past the interval, within the approved state's life
	r := h.poll(dc)
	if r.status != 200 {
		h.t.Fatalf("poll after approve: %d %s", r.status, r.body)
	}
	return r.json(h.t)
}

// loginAs logs in with the given email and label; it returns token and token_id.
func (h *harness) loginAs(email, label string) (token, tokenID string) {
	h.t.Helper()
	dc, uc := h.issue(label)
	h.ctlOK("POST", "/approve", map[string]any{"user_code": uc, "email": email})
	r := h.poll(dc)
	if r.status != 200 {
		h.t.Fatalf("poll after approve: %d %s", r.status, r.body)
	}
	m := r.json(h.t)
	return m["token"].(string), m["token_id"].(string)
}

var (
	deviceCodeRe = regexp.MustCompile(`^dc_[A-Za-z0-9_-]{32}$`)
	userCodeRe   = regexp.MustCompile(`^[ABCDEFGHJKLMNPQRSTUVWXY3456789]{4}-[ABCDEFGHJKLMNPQRSTUVWXY3456789]{4}$`)
	tokenRe      = regexp.MustCompile(`^dfoa_[A-Za-z0-9_-]{43}$`)
	ssoTokenRe   = regexp.MustCompile(`^dfoe_[A-Za-z0-9_-]{43}$`)
	uuidRe       = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	isoZRe       = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$`)
)

// ---- device code ----

func TestDeviceCodeShape(t *testing.T) {
	h := newHarness(t, nil)
	seen := map[string]bool{}
	for i := 0; i < 50; i++ {
		r := h.api("POST", "/oauth/device/code", map[string]string{"client_id": "difyctl", "device_label": "difyctl on box"}, nil)
		if r.status != 200 {
			t.Fatalf("status %d %s", r.status, r.body)
		}
		if ct := r.header.Get("Content-Type"); ct != "application/json" {
			t.Fatalf("content-type %q", ct)
		}
		m := r.json(t)
		if len(m) != 5 {
			t.Fatalf("want 5 keys, got %s", r.body)
		}
		dc, uc := m["device_code"].(string), m["user_code"].(string)
		if !deviceCodeRe.MatchString(dc) {
			t.Fatalf("device_code %q", dc)
		}
		if !userCodeRe.MatchString(uc) {
			t.Fatalf("user_code %q", uc)
		}
		if seen[dc] || seen[uc] {
			t.Fatalf("duplicate code %q %q", dc, uc)
		}
		seen[dc], seen[uc] = true, true
		if m["verification_uri"] != h.ts.URL+"/device" {
			t.Fatalf("verification_uri %v", m["verification_uri"])
		}
		if m["expires_in"] != float64(900) || m["interval"] != float64(5) {
			t.Fatalf("expires_in/interval: %s", r.body)
		}
	}
	p := h.ctlOK("GET", "/pending", nil)
	if n := len(p["user_codes"].([]any)); n != 50 {
		t.Fatalf("pending: %d", n)
	}
	first := p["pending"].([]any)[0].(map[string]any)
	if first["device_label"] != "difyctl on box" {
		t.Fatalf("pending entry: %v", first)
	}
	if r := h.send("GET", h.ts.URL+"/openapi/v1/oauth/device/code", nil, nil); r.status != 405 {
		t.Fatalf("GET device/code: %d", r.status)
	}
}

func TestDeviceCodeErrors(t *testing.T) {
	h := newHarness(t, nil)
	r := h.api("POST", "/oauth/device/code", map[string]string{"client_id": "evil", "device_label": "x"}, nil)
	wantOAuthErr(t, r, "unsupported_client")

	for name, body := range map[string]any{
		"missing label": map[string]string{"client_id": "difyctl"},
		"non-string":    map[string]any{"client_id": "difyctl", "device_label": 7},
		"not JSON":      "{nope",
		"array":         "[]",
		"empty":         "",
	} {
		r := h.api("POST", "/oauth/device/code", body, nil)
		m := wantErrorBody(t, r, 400, "bad_request", "")
		if !strings.Contains(m["message"].(string), "DeviceCodeRequest") {
			t.Errorf("%s: message %q", name, m["message"])
		}
	}
	// The body is only read as JSON with a JSON content type (get_json).
	r = h.api("POST", "/oauth/device/code", `{"client_id":"difyctl","device_label":"x"}`, map[string]string{"Content-Type": "text/plain"})
	wantErrorBody(t, r, 400, "bad_request", "")
	// The empty label is accepted by the server.
	r = h.api("POST", "/oauth/device/code", map[string]string{"client_id": "difyctl", "device_label": ""}, nil)
	if r.status != 200 {
		t.Fatalf("empty label: %d %s", r.status, r.body)
	}
	// Poll validation.
	r = h.api("POST", "/oauth/device/token", map[string]string{"device_code": "dc_x"}, nil)
	wantErrorBody(t, r, 400, "bad_request", "")
}

// ---- polling ----

func TestSlowDownTiming(t *testing.T) {
	h := newHarness(t, nil)
	dc, _ := h.issue("l")
	wantOAuthErr(t, h.poll(dc), "authorization_pending") // first poll is never slow_down
	wantOAuthErr(t, h.poll(dc), "slow_down")
	h.clk.Advance(4900 * time.Millisecond)
	// The previous (slow_down) poll overwrote the timestamp, so 4.9 s later it
	// is still too early.
	wantOAuthErr(t, h.poll(dc), "slow_down")
	h.clk.Advance(4900 * time.Millisecond)
	wantOAuthErr(t, h.poll(dc), "slow_down")
	h.clk.Advance(5 * time.Second)
	wantOAuthErr(t, h.poll(dc), "authorization_pending")
	st := h.ctlOK("GET", "/state", nil)
	if st["slow_down"] != float64(3) || st["polls"] != float64(5) {
		t.Fatalf("counters: slow_down=%v polls=%v", st["slow_down"], st["polls"])
	}
	// slow_down is checked before anything else, even for unknown codes.
	wantOAuthErr(t, h.poll("dc_unknown"), "expired_token")
	wantOAuthErr(t, h.poll("dc_unknown"), "slow_down")

	// The interval applies to new codes and may be fractional.
	h.ctlOK("POST", "/interval", map[string]any{"seconds": 0.2})
	wantOAuthErr(t, h.poll(dc), "slow_down") // old code keeps 5 s
	dc2, _ := h.issue("l2")
	wantOAuthErr(t, h.poll(dc2), "authorization_pending")
	h.clk.Advance(100 * time.Millisecond)
	wantOAuthErr(t, h.poll(dc2), "slow_down")
	h.clk.Advance(200 * time.Millisecond)
	wantOAuthErr(t, h.poll(dc2), "authorization_pending")
	r := h.api("POST", "/oauth/device/code", map[string]string{"client_id": "difyctl", "device_label": "l3"}, nil)
	if !strings.Contains(string(r.body), `"expires_in":900,"interval":0.2}`) {
		t.Fatalf("0.2 s must be advertised as 0.2 (and 900 as an integer): %s", r.body)
	}
}

func TestApproveTokenOnce(t *testing.T) {
	h := newHarness(t, nil)
	dc, uc := h.issue("difyctl on box")
	wantOAuthErr(t, h.poll(dc), "authorization_pending")
	h.clk.Advance(5 * time.Second)
	wantOAuthErr(t, h.poll(dc), "authorization_pending")

	ap := h.ctlOK("POST", "/approve", map[string]any{"user_code": strings.ToLower(uc), "email": "alice@example.com", "name": "Alice"})
	if _, leaked := ap["token"]; leaked || !uuidRe.MatchString(ap["token_id"].(string)) {
		t.Fatalf("approve response: %v", ap)
	}
	if strings.Contains(fmt.Sprint(ap), "dfoa_") {
		t.Fatalf("approve leaked a token: %v", ap)
	}
	// Not pending any more.
	if r := h.ctl("POST", "/approve", map[string]any{"user_code": uc}); r.status != 404 || r.json(t)["error"] != "unknown user_code" {
		t.Fatalf("second approve: %d %s", r.status, r.body)
	}
	if p := h.ctlOK("GET", "/pending", nil); len(p["user_codes"].([]any)) != 0 {
		t.Fatalf("pending after approve: %v", p)
	}

	h.clk.Advance(5 * time.Second)
	r := h.poll(dc)
	if r.status != 200 {
		t.Fatalf("poll: %d %s", r.status, r.body)
	}
	m := r.json(t)
	keys := []string{"token", "expires_at", "subject_type", "account", "workspaces", "default_workspace_id", "token_id"}
	if len(m) != len(keys) {
		t.Fatalf("payload keys: %s", r.body)
	}
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Fatalf("payload lacks %q: %s", k, r.body)
		}
	}
	if !tokenRe.MatchString(m["token"].(string)) || m["token_id"] != ap["token_id"] || m["subject_type"] != "account" {
		t.Fatalf("payload: %s", r.body)
	}
	wantExp := isoPy(clockStart.Add(5 * time.Second).Truncate(time.Microsecond).Add(14 * 24 * time.Hour))
	if m["expires_at"] != wantExp || !strings.HasSuffix(wantExp, ".123456+00:00") {
		t.Fatalf("expires_at %v, want %v", m["expires_at"], wantExp)
	}
	acct := m["account"].(map[string]any)
	if acct["email"] != "alice@example.com" || acct["name"] != "Alice" || !uuidRe.MatchString(acct["id"].(string)) {
		t.Fatalf("account: %v", acct)
	}
	ws := m["workspaces"].([]any)
	if len(ws) != 2 || ws[0].(map[string]any)["name"] != "Default" || ws[0].(map[string]any)["role"] != "owner" ||
		ws[1].(map[string]any)["name"] != "Other" || ws[1].(map[string]any)["role"] != "normal" {
		t.Fatalf("workspaces: %v", ws)
	}
	if m["default_workspace_id"] != ws[0].(map[string]any)["id"] {
		t.Fatalf("default_workspace_id: %v", m["default_workspace_id"])
	}

	h.clk.Advance(5 * time.Second)
	wantOAuthErr(t, h.poll(dc), "expired_token")
	h.clk.Advance(1 * time.Second)
	wantOAuthErr(t, h.poll(dc), "slow_down")

	// The same email keeps its account and workspace ids.
	m2 := h.login(map[string]any{"email": "alice@example.com"}, "other label")
	if m2["account"].(map[string]any)["id"] != acct["id"] || m2["default_workspace_id"] != m["default_workspace_id"] ||
		m2["account"].(map[string]any)["name"] != "Alice" {
		t.Fatalf("account not stable: %v vs %v", m2["account"], acct)
	}
	// The token works.
	me := h.api("GET", "/account", nil, bearer(m["token"].(string)))
	if me.status != 200 {
		t.Fatalf("/account: %d %s", me.status, me.body)
	}
	mm := me.json(t)
	if mm["subject_email"] != "alice@example.com" || mm["subject_issuer"] != nil || mm["subject_type"] != "account" {
		t.Fatalf("/account: %s", me.body)
	}
	if _, ok := mm["subject_issuer"]; !ok {
		t.Fatalf("/account must carry subject_issuer: null: %s", me.body)
	}
	st := h.ctlOK("GET", "/state", nil)
	if st["tokens_delivered"] != float64(2) || st["approvals"] != float64(2) {
		t.Fatalf("state: %v", st)
	}
}

func TestDenyOnce(t *testing.T) {
	h := newHarness(t, nil)
	dc, uc := h.issue("l")
	h.ctlOK("POST", "/deny", map[string]any{"user_code": uc})
	if r := h.ctl("POST", "/deny", map[string]any{"user_code": uc}); r.status != 404 {
		t.Fatalf("second deny: %d", r.status)
	}
	if r := h.ctl("POST", "/approve", map[string]any{"user_code": uc}); r.status != 404 {
		t.Fatalf("approve after deny: %d", r.status)
	}
	wantOAuthErr(t, h.poll(dc), "access_denied")
	h.clk.Advance(6 * time.Second)
	wantOAuthErr(t, h.poll(dc), "expired_token")
	if r := h.ctl("POST", "/deny", map[string]any{"user_code": "ZZZZ-ZZZZ"}); r.status != 404 || r.json(t)["error"] != "unknown user_code" {
		t.Fatalf("deny unknown: %d %s", r.status, r.body)
	}
}

func TestTTLExpiry(t *testing.T) {
	h := newHarness(t, nil)
	h.ctlOK("POST", "/ttl", map[string]any{"seconds": 30})
	dc, uc := h.issue("l")
	wantOAuthErr(t, h.poll(dc), "authorization_pending")
	h.clk.Advance(25 * time.Second)
	wantOAuthErr(t, h.poll(dc), "authorization_pending")
	h.clk.Advance(5 * time.Second)
	if p := h.ctlOK("GET", "/pending", nil); len(p["user_codes"].([]any)) != 0 {
		t.Fatalf("expired code still pending: %v", p)
	}
	if r := h.ctl("POST", "/approve", map[string]any{"user_code": uc}); r.status != 404 {
		t.Fatalf("approve expired: %d", r.status)
	}
	wantOAuthErr(t, h.poll(dc), "expired_token")

	// An approval right before expiry keeps the state for at least 60 s.
	dc, uc = h.issue("l2")
	h.clk.Advance(29 * time.Second)
	h.ctlOK("POST", "/approve", map[string]any{"user_code": uc})
	h.clk.Advance(50 * time.Second)
	if r := h.poll(dc); r.status != 200 {
		t.Fatalf("poll within approved TTL: %d %s", r.status, r.body)
	}
}

func TestSSOApproval(t *testing.T) {
	h := newHarness(t, nil)
	m := h.login(map[string]any{"email": "sso@corp.example", "sso": true, "issuer": "https://idp.corp.example"}, "l")
	if !ssoTokenRe.MatchString(m["token"].(string)) || m["subject_type"] != "external_sso" ||
		m["subject_email"] != "sso@corp.example" || m["subject_issuer"] != "https://idp.corp.example" ||
		m["account"] != nil || m["default_workspace_id"] != nil || len(m["workspaces"].([]any)) != 0 {
		t.Fatalf("sso payload: %v", m)
	}
	for _, k := range []string{"account", "default_workspace_id", "workspaces"} {
		if _, ok := m[k]; !ok {
			t.Fatalf("sso payload lacks %q", k)
		}
	}
	r := h.api("GET", "/account", nil, bearer(m["token"].(string)))
	wantErrorBody(t, r, 403, "forbidden", "unsupported_token_type")
}

func TestRotation(t *testing.T) {
	h := newHarness(t, nil)
	tok1, id1 := h.loginAs("a@x.io", "difyctl on box")
	tok2, id2 := h.loginAs("a@x.io", "difyctl on box")
	tokOther, idOther := h.loginAs("a@x.io", "difyctl on laptop")
	if id1 == id2 || tok1 == tok2 {
		t.Fatal("rotation must mint a new row")
	}
	wantErrorBody(t, h.api("GET", "/account", nil, bearer(tok1)), 401, "unauthorized", "Invalid or unknown bearer token.")
	for _, tok := range []string{tok2, tokOther} {
		if r := h.api("GET", "/account", nil, bearer(tok)); r.status != 200 {
			t.Fatalf("live token rejected: %d", r.status)
		}
	}
	if c := h.ctlOK("POST", "/check", map[string]any{"token": tok1}); c["live"] != false || c["email"] != "a@x.io" {
		t.Fatalf("check old: %v", c)
	}
	if c := h.ctlOK("POST", "/check", map[string]any{"token": tok2}); c["live"] != true {
		t.Fatalf("check new: %v", c)
	}
	if c := h.ctlOK("POST", "/check", map[string]any{"token": "dfoa_nope"}); c["live"] != false || c["known"] != false {
		t.Fatalf("check unknown: %v", c)
	}
	r := h.api("GET", "/account/sessions", nil, bearer(tok2)).json(t)
	var ids []string
	for _, row := range r["data"].([]any) {
		ids = append(ids, row.(map[string]any)["id"].(string))
	}
	if fmt.Sprint(ids) != fmt.Sprint([]string{idOther, id2}) {
		t.Fatalf("sessions %v, want %v", ids, []string{idOther, id2})
	}
	toks := h.ctlOK("GET", "/tokens", nil)["tokens"].([]any)
	if len(toks) != 3 || toks[0].(map[string]any)["live"] != false || toks[0].(map[string]any)["token"] != tok1 {
		t.Fatalf("tokens: %v", toks)
	}
	// Another account with the same label is not rotated.
	_, _ = h.loginAs("b@x.io", "difyctl on box")
	if r := h.api("GET", "/account", nil, bearer(tok2)); r.status != 200 {
		t.Fatalf("other account's login killed the token: %d", r.status)
	}
}

// ---- sessions ----

func TestSessionsPaging(t *testing.T) {
	h := newHarness(t, nil)
	tok, myID := h.loginAs("tester@dify.ai", "difyctl on box")
	seed := h.ctlOK("POST", "/sessions/seed", map[string]any{
		"email": "tester@dify.ai", "count": 250, "labels": []string{"custom <label>"},
		"created_start": "2026-05-01T00:00:00Z"})
	seeded := seed["ids"].([]any)
	if len(seeded) != 250 {
		t.Fatalf("seeded %d", len(seeded))
	}
	// Someone else's sessions never show up.
	h.ctlOK("POST", "/sessions/seed", map[string]any{"email": "other@dify.ai", "count": 5})

	list := func(q string) map[string]any {
		t.Helper()
		r := h.api("GET", "/account/sessions"+q, nil, bearer(tok))
		if r.status != 200 {
			t.Fatalf("list %s: %d %s", q, r.status, r.body)
		}
		return r.json(t)
	}
	m := list("")
	if m["page"] != float64(1) || m["limit"] != float64(100) || m["total"] != float64(251) || m["has_more"] != true {
		t.Fatalf("envelope: page=%v limit=%v total=%v has_more=%v", m["page"], m["limit"], m["total"], m["has_more"])
	}
	if len(m["data"].([]any)) != 100 {
		t.Fatalf("data len %d", len(m["data"].([]any)))
	}
	row := m["data"].([]any)[0].(map[string]any)
	if len(row) != 7 || row["id"] != myID || row["prefix"] != "dfoa_" || row["client_id"] != "difyctl" ||
		row["device_label"] != "difyctl on box" || row["last_used_at"] != nil ||
		row["created_at"] != "2026-05-28T11:40:09.123456Z" || row["expires_at"] != "2026-06-11T11:40:09.123456Z" {
		t.Fatalf("first row: %v", row)
	}
	if _, ok := row["last_used_at"]; !ok {
		t.Fatal("last_used_at must be present (null)")
	}
	row1 := m["data"].([]any)[1].(map[string]any)
	if row1["device_label"] != "custom <label>" || row1["id"] != seeded[0] || row1["created_at"] != "2026-05-01T00:00:00Z" {
		t.Fatalf("second row: %v", row1)
	}
	if m["data"].([]any)[2].(map[string]any)["device_label"] != "seed-2" {
		t.Fatalf("generated label: %v", m["data"].([]any)[2])
	}

	var all []map[string]any
	for p := 1; p <= 2; p++ {
		m := list(fmt.Sprintf("?page=%d&limit=200", p))
		if want := p == 1; m["has_more"] != want {
			t.Fatalf("page %d has_more=%v", p, m["has_more"])
		}
		for _, r := range m["data"].([]any) {
			all = append(all, r.(map[string]any))
		}
	}
	if len(all) != 251 {
		t.Fatalf("all pages: %d rows", len(all))
	}
	for i, r := range all {
		if !isoZRe.MatchString(r["created_at"].(string)) {
			t.Fatalf("created_at format %q", r["created_at"])
		}
		if i > 0 {
			if all[i-1]["created_at"].(string) < r["created_at"].(string) {
				t.Fatalf("not created_at DESC at %d", i)
			}
			if r["id"] != seeded[i-1] {
				t.Fatalf("row %d: id %v, want seeded[%d]", i, r["id"], i-1)
			}
		}
	}
	if m := list("?page=3&limit=100"); len(m["data"].([]any)) != 51 || m["has_more"] != false {
		t.Fatalf("page 3: %d has_more=%v", len(m["data"].([]any)), m["has_more"])
	}
	if m := list("?page=99999999999&limit=200"); len(m["data"].([]any)) != 0 || m["has_more"] != false {
		t.Fatalf("far page: %v", m)
	}
	if m := list("?page=2&limit=125"); m["has_more"] != true || len(m["data"].([]any)) != 125 {
		t.Fatalf("page=2 limit=125 (250 < 251): has_more=%v", m["has_more"])
	}

	for q, loc := range map[string]string{
		"?page=0": "page", "?limit=0": "limit", "?limit=201": "limit", "?limit=abc": "limit",
		"?foo=1": "foo", "?page=-1": "page", "?page=": "page",
	} {
		r := h.api("GET", "/account/sessions"+q, nil, bearer(tok))
		m := wantErrorBody(t, r, 422, "invalid_param", "Request validation failed")
		d := m["details"].([]any)
		if len(d) != 1 {
			t.Fatalf("%s details: %v", q, d)
		}
		dd := d[0].(map[string]any)
		if fmt.Sprint(dd["loc"]) != "["+loc+"]" || dd["type"] == "" || dd["msg"] == "" {
			t.Fatalf("%s detail: %v", q, dd)
		}
	}
	if m := list("?limit=200&page=1"); m["limit"] != float64(200) {
		t.Fatalf("limit 200 must be allowed")
	}

	// has_more is page*limit < total (other@dify.ai: 5 seeded + 1 login).
	otherTok, _ := h.loginAs("other@dify.ai", "l")
	for q, want := range map[string]bool{"?page=1&limit=3": true, "?page=2&limit=3": false, "?page=3&limit=2": false, "?page=2&limit=2": true, "?limit=6": false, "?limit=5": true} {
		r := h.api("GET", "/account/sessions"+q, nil, bearer(otherTok)).json(t)
		if r["total"] != float64(6) || r["has_more"] != want {
			t.Fatalf("other %s: total=%v has_more=%v, want %v", q, r["total"], r["has_more"], want)
		}
	}

	// Expired and revoked rows disappear; ties are newest-insertion first.
	h.ctlOK("POST", "/tokens/expire", map[string]any{"token_id": seeded[0]})
	tie := h.ctlOK("POST", "/sessions/seed", map[string]any{"count": 1, "label_prefix": "tieA", "created_start": "2026-05-20T00:00:00Z"})["ids"].([]any)
	tie2 := h.ctlOK("POST", "/sessions/seed", map[string]any{"count": 1, "label_prefix": "tieB", "created_start": "2026-05-20T00:00:00Z"})["ids"].([]any)
	d := list("?limit=3")["data"].([]any)
	if d[1].(map[string]any)["id"] != tie2[0] || d[2].(map[string]any)["id"] != tie[0] {
		t.Fatalf("tie order: %v", d)
	}
	if m := list(""); m["total"] != float64(252) {
		t.Fatalf("total after expire+2 seeds: %v", m["total"])
	}
}

func TestRevoke(t *testing.T) {
	h := newHarness(t, nil)
	tokA1, idA1 := h.loginAs("a@x.io", "one")
	tokA2, idA2 := h.loginAs("a@x.io", "two")
	tokB, idB := h.loginAs("b@x.io", "one")

	// Another account's id is not confirmed.
	wantErrorBody(t, h.api("DELETE", "/account/sessions/"+idB, nil, bearer(tokA1)), 404, "not_found", "session not found")
	if r := h.api("GET", "/account", nil, bearer(tokB)); r.status != 200 {
		t.Fatal("B's token must survive")
	}
	for _, bad := range []string{"abc", "tok-1", "00000000-0000-0000-0000-00000000000g", newUUID()} {
		wantErrorBody(t, h.api("DELETE", "/account/sessions/"+bad, nil, bearer(tokA1)), 404, "not_found", "session not found")
	}
	// By id (upper case is still a UUID).
	r := h.api("DELETE", "/account/sessions/"+strings.ToUpper(idA2), nil, bearer(tokA1))
	if r.status != 200 || string(bytes.TrimSpace(r.body)) != `{"status":"revoked"}` {
		t.Fatalf("revoke by id: %d %s", r.status, r.body)
	}
	wantErrorBody(t, h.api("GET", "/account", nil, bearer(tokA2)), 401, "unauthorized", "Invalid or unknown bearer token.")
	// Already revoked → 404.
	wantErrorBody(t, h.api("DELETE", "/account/sessions/"+idA2, nil, bearer(tokA1)), 404, "not_found", "session not found")
	// Self.
	r = h.api("DELETE", "/account/sessions/self", nil, bearer(tokA1))
	if r.status != 200 || r.json(t)["status"] != "revoked" {
		t.Fatalf("revoke self: %d %s", r.status, r.body)
	}
	wantErrorBody(t, h.api("DELETE", "/account/sessions/self", nil, bearer(tokA1)), 401, "unauthorized", "Invalid or unknown bearer token.")
	// Revoking the current session by id works too.
	if r := h.api("DELETE", "/account/sessions/"+idB, nil, bearer(tokB)); r.status != 200 {
		t.Fatalf("revoke own current by id: %d", r.status)
	}
	st := h.ctlOK("GET", "/state", nil)
	if st["deletes"] != float64(3) {
		t.Fatalf("deletes=%v", st["deletes"])
	}
	for _, s := range st["sessions"].([]any) {
		sm := s.(map[string]any)
		if sm["live"] != false {
			t.Fatalf("session still live: %v", sm)
		}
		if sm["id"] != idA1 && sm["id"] != idA2 && sm["id"] != idB {
			t.Fatalf("unexpected session %v", sm)
		}
	}
	if r := h.api("GET", "/account/sessions/self", nil, bearer(tokA1)); r.status != 405 {
		t.Fatalf("GET sessions/self: %d", r.status)
	}
}

func TestBearer401(t *testing.T) {
	h := newHarness(t, nil)
	tok, id := h.loginAs("a@x.io", "l")
	check := func(hdr map[string]string, code, msg string) map[string]any {
		t.Helper()
		r := h.api("GET", "/account", nil, hdr)
		m := wantErrorBody(t, r, 401, code, msg)
		if got := r.header.Get("WWW-Authenticate"); got != `Bearer realm="api"` {
			t.Fatalf("WWW-Authenticate %q", got)
		}
		return m
	}
	check(nil, "unauthorized", "bearer required")
	check(map[string]string{"Authorization": "Basic " + tok}, "unauthorized", "bearer required")
	check(map[string]string{"Authorization": "Bearer"}, "unauthorized", "bearer required")
	check(map[string]string{"Authorization": "Bearer dfoa_" + strings.Repeat("A", 43)}, "unauthorized", "Invalid or unknown bearer token.")
	m := check(map[string]string{"Authorization": "Bearer garbage"}, "unauthorized", "Invalid or unknown bearer token.")
	if _, ok := m["hint"]; ok {
		t.Fatal("unauthorized must not carry a hint")
	}
	// Scheme is case-insensitive and the value trimmed.
	if r := h.api("GET", "/account", nil, map[string]string{"Authorization": "bEaReR   " + tok + "  "}); r.status != 200 {
		t.Fatalf("case-insensitive scheme: %d %s", r.status, r.body)
	}
	h.ctlOK("POST", "/tokens/expire", map[string]any{"token_id": id})
	m = check(bearer(tok), "token_expired", "Your session has expired.")
	if m["hint"] != "Re-authenticate to continue (e.g. re-run your login command)." {
		t.Fatalf("hint: %v", m["hint"])
	}
	check(bearer(tok), "token_expired", "Your session has expired.") // still expired on replay
	if r := h.ctl("POST", "/tokens/expire", map[string]any{"token_id": newUUID()}); r.status != 404 {
		t.Fatalf("expire unknown: %d", r.status)
	}
	// Natural expiry after 14 days.
	tok2, _ := h.loginAs("a@x.io", "l2")
	h.clk.Advance(14*24*time.Hour - time.Second)
	if r := h.api("GET", "/account", nil, bearer(tok2)); r.status != 200 {
		t.Fatalf("token died early: %d", r.status)
	}
	h.clk.Advance(time.Second)
	check(bearer(tok2), "token_expired", "")
	// Sessions endpoints are bearer-protected too.
	r := h.api("GET", "/account/sessions", nil, nil)
	wantErrorBody(t, r, 401, "unauthorized", "bearer required")
}

// ---- gates, probes, routing ----

func TestVersionGate(t *testing.T) {
	h := newHarness(t, nil)
	old := map[string]string{"User-Agent": "difyctl/0.1.0 (linux; amd64; go)"}
	for _, sub := range []string{"/account", "/oauth/device/code", "/nope"} {
		r := h.api("POST", sub, map[string]string{}, old)
		m := wantErrorBody(t, r, 426, "upgrade_required", "difyctl 0.1.0 is no longer supported; upgrade to >= 0.2.0.")
		if m["hint"] != "Upgrade difyctl: https://docs.dify.ai/en/cli/install" {
			t.Fatalf("hint %v", m["hint"])
		}
	}
	for _, sub := range []string{"/_version", "/_health"} {
		if r := h.api("GET", sub, nil, old); r.status != 200 {
			t.Fatalf("%s gated: %d", sub, r.status)
		}
	}
	body := map[string]string{"client_id": "difyctl", "device_label": "x"}
	for _, ua := range []string{"difyctl/0.2.0", "difyctl/0.2.0-alpha (x)", "difyctl/1.10.0", "curl/8.5.0", "Go-http-client/1.1", "difyctl/garbage", ""} {
		r := h.api("POST", "/oauth/device/code", body, map[string]string{"User-Agent": ua})
		if r.status != 200 {
			t.Fatalf("UA %q: %d %s", ua, r.status, r.body)
		}
	}
	h.api("GET", "/_health", nil, map[string]string{"User-Agent": "probe/1"})
	st := h.ctlOK("GET", "/state", nil)
	if st["last_user_agent"] != "probe/1" {
		t.Fatalf("last_user_agent %v", st["last_user_agent"])
	}
	h.ctlOK("POST", "/min-version", map[string]any{"version": "1.11.0"})
	wantErrorBody(t, h.api("POST", "/oauth/device/code", body, map[string]string{"User-Agent": "difyctl/1.10.0"}), 426, "upgrade_required",
		"difyctl 1.10.0 is no longer supported; upgrade to >= 1.11.0.")
}

func TestProbesAndRouting(t *testing.T) {
	h := newHarness(t, nil)
	if r := h.api("GET", "/_health", nil, nil); r.status != 200 || string(bytes.TrimSpace(r.body)) != `{"ok":true}` {
		t.Fatalf("_health: %d %s", r.status, r.body)
	}
	r := h.api("GET", "/_version", nil, nil)
	if m := r.json(t); m["version"] != "1.15.0" || m["edition"] != "SELF_HOSTED" {
		t.Fatalf("_version: %s", r.body)
	}
	if r.header.Get("X-Frame-Options") != "DENY" {
		t.Fatal("anti-framing header missing")
	}
	wantErrorBody(t, h.api("GET", "/does/not/exist", nil, nil), 404, "not_found", "The requested URL was not found on the server.")
	wantErrorBody(t, h.api("GET", "/account/", nil, nil), 404, "not_found", "")
	wantErrorBody(t, h.api("PUT", "/account", nil, nil), 405, "method_not_allowed", "")
	if r := h.send("GET", h.ts.URL+"/_fake/nope", nil, nil); r.status != 404 {
		t.Fatalf("unknown control: %d", r.status)
	}
}

func TestBasePath(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.BasePath = "/dify/" })
	if r := h.send("GET", h.ts.URL+"/dify/openapi/v1/_health", nil, nil); r.status != 200 {
		t.Fatalf("prefixed health: %d", r.status)
	}
	if r := h.send("GET", h.ts.URL+"/openapi/v1/_health", nil, nil); r.status != 404 {
		t.Fatalf("unprefixed health: %d", r.status)
	}
	r := h.send("POST", h.ts.URL+"/dify/openapi/v1/oauth/device/code", map[string]string{"client_id": "difyctl", "device_label": "x"}, nil)
	m := r.json(t)
	if m["verification_uri"] != h.ts.URL+"/dify/device" {
		t.Fatalf("verification_uri %v", m["verification_uri"])
	}
	if r := h.send("GET", h.ts.URL+"/dify/device", nil, nil); r.status != 200 || !strings.Contains(string(r.body), m["user_code"].(string)) {
		t.Fatalf("device page: %d", r.status)
	}
	// Control endpoints stay unprefixed; full login works under the prefix.
	tok, _ := h.loginAs("p@x.io", "l")
	if r := h.send("GET", h.ts.URL+"/dify/openapi/v1/account", nil, bearer(tok)); r.status != 200 {
		t.Fatalf("prefixed account: %d", r.status)
	}
	if r := h.send("GET", h.ts.URL+"/dify/_fake/state", nil, nil); r.status != 404 {
		t.Fatalf("control must not be under the prefix: %d", r.status)
	}
}

func TestAutoApprove(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.AutoApprove = true; c.Email = "me@here.io"; c.Name = "Me Here" })
	dc, _ := h.issue("difyctl on box")
	if p := h.ctlOK("GET", "/pending", nil); len(p["user_codes"].([]any)) != 0 {
		t.Fatalf("auto-approved code is pending: %v", p)
	}
	r := h.poll(dc)
	if r.status != 200 {
		t.Fatalf("first poll: %d %s", r.status, r.body)
	}
	a := r.json(t)["account"].(map[string]any)
	if a["email"] != "me@here.io" || a["name"] != "Me Here" {
		t.Fatalf("account %v", a)
	}
}

// ---- scenarios ----

func TestScenarioDisabled(t *testing.T) {
	h := newHarness(t, nil)
	h.ctlOK("POST", "/scenario", map[string]any{"name": "disabled"})
	for _, sub := range []string{"/_version", "/_health", "/oauth/device/code", "/account", "/x"} {
		r := h.api("POST", sub, map[string]string{}, nil)
		if r.status != 404 || len(r.body) != 0 {
			t.Fatalf("%s: %d %q", sub, r.status, r.body)
		}
	}
	h.ctlOK("GET", "/state", nil) // control unaffected
	h.ctlOK("POST", "/scenario", map[string]any{"name": "normal"})
	if r := h.api("GET", "/_health", nil, nil); r.status != 200 {
		t.Fatalf("back to normal: %d", r.status)
	}
	if r := h.ctl("POST", "/scenario", map[string]any{"name": "bogus"}); r.status != 400 {
		t.Fatalf("unknown scenario: %d", r.status)
	}
}

func TestScenarioRateLimited(t *testing.T) {
	h := newHarness(t, nil)
	h.ctlOK("POST", "/scenario", map[string]any{"name": "rate_limited"})
	r := h.api("GET", "/account", nil, nil)
	wantErrorBody(t, r, 429, "too_many_requests", "Too many requests for this API token.")
	if r.header.Get("Retry-After") != "7" {
		t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
	}
	h.ctlOK("POST", "/scenario", map[string]any{"name": "rate_limited", "retry_after": 3, "count": 1})
	if r := h.api("GET", "/_version", nil, nil); r.status != 429 || r.header.Get("Retry-After") != "3" {
		t.Fatalf("%d %q", r.status, r.header.Get("Retry-After"))
	}
	if r := h.api("GET", "/_version", nil, nil); r.status != 200 {
		t.Fatalf("after count: %d", r.status)
	}
}

func TestScenarioServer5xx(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Interval = 0 })
	h.ctlOK("POST", "/scenario", map[string]any{"name": "server_5xx", "count": 2, "path": "/oauth/device/token"})
	dc, _ := h.issue("l") // device/code unaffected
	for i := 0; i < 2; i++ {
		wantErrorBody(t, h.poll(dc), 503, "unknown", "Internal Server Error")
	}
	wantOAuthErr(t, h.poll(dc), "authorization_pending")
	if sc := h.ctlOK("GET", "/scenario", nil); sc["name"] != "normal" {
		t.Fatalf("scenario after count: %v", sc)
	}
	// Forever by default.
	h.ctlOK("POST", "/scenario", map[string]any{"name": "server_5xx"})
	for i := 0; i < 5; i++ {
		if r := h.api("GET", "/_health", nil, nil); r.status != 503 {
			t.Fatalf("5xx #%d: %d", i, r.status)
		}
	}
}

func TestScenarioBodies(t *testing.T) {
	h := newHarness(t, nil)
	h.ctlOK("POST", "/scenario", map[string]any{"name": "html_502"})
	r := h.api("GET", "/account", nil, nil)
	if r.status != 502 || r.header.Get("Content-Type") != "text/html" || string(r.body) != html502 {
		t.Fatalf("html_502: %d %q %q", r.status, r.header.Get("Content-Type"), r.body)
	}
	h.ctlOK("POST", "/scenario", map[string]any{"name": "invalid_json"})
	if r := h.api("GET", "/_version", nil, nil); r.status != 200 || string(r.body) != `{"token":` {
		t.Fatalf("invalid_json: %d %q", r.status, r.body)
	}
	h.ctlOK("POST", "/scenario", map[string]any{"name": "wrong_content_type"})
	r = h.api("GET", "/_version", nil, nil)
	if r.status != 200 || r.header.Get("Content-Type") != "text/plain" || r.json(t)["version"] != "1.15.0" {
		t.Fatalf("wrong_content_type: %d %q %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	h.ctlOK("POST", "/scenario", map[string]any{"name": "upgrade_required"})
	wantErrorBody(t, h.api("GET", "/_version", nil, nil), 426, "upgrade_required", "difyctl 1.0.0 is no longer supported; upgrade to >= 0.2.0.")
	h.ctlOK("POST", "/scenario", map[string]any{"name": "verification_uri", "verification_uri": "javascript:alert(1)"})
	m := h.api("POST", "/oauth/device/code", map[string]string{"client_id": "difyctl", "device_label": "x"}, nil).json(t)
	if m["verification_uri"] != "javascript:alert(1)" {
		t.Fatalf("verification_uri: %v", m)
	}
	h.ctlOK("POST", "/scenario", map[string]any{"name": "device_code_override", "interval": -1, "expires_in": json.RawMessage("1e300")})
	r = h.api("POST", "/oauth/device/code", map[string]string{"client_id": "difyctl", "device_label": "x"}, nil)
	if !strings.Contains(string(r.body), `"expires_in":1e300,"interval":-1}`) {
		t.Fatalf("override: %s", r.body)
	}
	if r := h.api("GET", "/_version", nil, nil); r.status != 200 { // other paths normal
		t.Fatalf("override leaks: %d", r.status)
	}
}

func TestScenarioSessionsLegacy(t *testing.T) {
	h := newHarness(t, nil)
	tok, id := h.loginAs("a@x.io", "l")
	h.ctlOK("POST", "/scenario", map[string]any{"name": "sessions_legacy"})
	r := h.api("GET", "/account/sessions", nil, bearer(tok))
	m := r.json(t)
	rows := m["sessions"].([]any)
	if len(m) != 1 || len(rows) != 1 || rows[0].(map[string]any)["id"] != id {
		t.Fatalf("legacy: %s", r.body)
	}
	if r := h.api("GET", "/account", nil, bearer(tok)); r.status != 200 {
		t.Fatalf("other routes normal: %d", r.status)
	}
}

func TestScenarioHugeAndEndless(t *testing.T) {
	h := newHarness(t, nil)
	h.ctlOK("POST", "/scenario", map[string]any{"name": "huge_body"})
	res, err := h.c.Get(h.ts.URL + "/openapi/v1/_version")
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if err != nil || n != 50<<20 || res.ContentLength != 50<<20 || res.StatusCode != 200 {
		t.Fatalf("huge_body: n=%d cl=%d status=%d err=%v", n, res.ContentLength, res.StatusCode, err)
	}

	h.ctlOK("POST", "/scenario", map[string]any{"name": "endless_body"})
	res, err = h.c.Get(h.ts.URL + "/openapi/v1/account")
	if err != nil {
		t.Fatal(err)
	}
	n, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 8<<20))
	res.Body.Close() // the handler must stop; ts.Close in Cleanup waits for it
	if n != 8<<20 || res.StatusCode != 200 {
		t.Fatalf("endless_body: n=%d status=%d", n, res.StatusCode)
	}
}

func TestScenarioSlowHeaders(t *testing.T) {
	h := newHarness(t, nil)
	h.ctlOK("POST", "/scenario", map[string]any{"name": "slow_headers", "seconds": 0.3, "count": 2})
	start := time.Now()
	if r := h.api("GET", "/_version", nil, nil); r.status != 200 || time.Since(start) < 300*time.Millisecond {
		t.Fatalf("slow_headers: %d after %v", r.status, time.Since(start))
	}
	c := &http.Client{Timeout: 50 * time.Millisecond}
	if _, err := c.Get(h.ts.URL + "/openapi/v1/_version"); err == nil {
		t.Fatal("client timeout expected")
	}
	start = time.Now()
	if r := h.api("GET", "/_version", nil, nil); r.status != 200 || time.Since(start) > 250*time.Millisecond {
		t.Fatalf("after count: %d after %v", r.status, time.Since(start))
	}
}

func TestScenarioRedirectOtherHost(t *testing.T) {
	h := newHarness(t, nil)
	tok, _ := h.loginAs("a@x.io", "l")
	h.ctlOK("POST", "/scenario", map[string]any{"name": "redirect_other_host"})
	r := h.api("GET", "/account/sessions?page=1", nil, bearer(tok))
	port := portOf(strings.TrimPrefix(h.ts.URL, "http://"))
	if r.status != 302 || r.header.Get("Location") != "http://localhost:"+port+"/openapi/v1/account/sessions?page=1" {
		t.Fatalf("redirect: %d %q", r.status, r.header.Get("Location"))
	}
	// A following client (Go drops Authorization across hosts).
	follow := &http.Client{Timeout: 5 * time.Second}
	req, _ := http.NewRequest("GET", h.ts.URL+"/openapi/v1/account", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := follow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 401 {
		t.Fatalf("target without bearer: %d", res.StatusCode)
	}
	st := h.ctlOK("GET", "/state", nil)
	if st["auth_on_redirect_target"] != false || st["redirect_target_requests"] != float64(1) {
		t.Fatalf("state: %v %v", st["auth_on_redirect_target"], st["redirect_target_requests"])
	}
	// A client that leaks the bearer is caught.
	req, _ = http.NewRequest("GET", "http://localhost:"+port+"/openapi/v1/account", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	if res, err := h.c.Do(req); err != nil || res.StatusCode != 200 {
		t.Fatalf("target request: %v", err)
	}
	st = h.ctlOK("GET", "/state", nil)
	if st["auth_on_redirect_target"] != true {
		t.Fatal("auth_on_redirect_target must be true")
	}
	reqs := h.ctlOK("GET", "/requests", nil)["requests"].([]any)
	last := reqs[len(reqs)-1].(map[string]any)
	if last["has_auth"] != true || last["redirect_target"] != true || last["path"] != "/openapi/v1/account" || last["status"] != float64(200) {
		t.Fatalf("request log: %v", last)
	}
}

// ---- device page ----

func TestDevicePage(t *testing.T) {
	h := newHarness(t, nil)
	dc, uc := h.issue(`<img src=x onerror=alert(1)>`)
	r := h.send("GET", h.ts.URL+"/device?user_code="+url.QueryEscape(`"><script>alert(1)</script>`), nil, nil)
	body := string(r.body)
	if r.status != 200 || strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
		t.Fatalf("unescaped output:\n%s", body)
	}
	if !strings.Contains(body, `value="tester@dify.ai"`) || !strings.Contains(body, `value="Test Tester"`) ||
		!strings.Contains(body, `formaction="/_fake/deny"`) {
		t.Fatalf("page lacks fields:\n%s", body)
	}
	r = h.send("GET", h.ts.URL+"/device?user_code="+strings.ToLower(uc), nil, nil)
	if !strings.Contains(string(r.body), `value="`+uc+`"`) {
		t.Fatal("user_code not prefilled")
	}
	// The form post.
	form := url.Values{"user_code": {uc}, "email": {"web@x.io"}, "name": {"Web <b>User</b>"}}
	r = h.send("POST", h.ts.URL+"/_fake/approve", form.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if r.status != 200 || !strings.Contains(string(r.body), "Approved") || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Fatalf("form approve: %d %s", r.status, r.body)
	}
	p := h.poll(dc).json(t)
	if p["account"].(map[string]any)["name"] != "Web <b>User</b>" {
		t.Fatalf("form approve payload: %v", p)
	}
	r = h.send("POST", h.ts.URL+"/_fake/deny", "user_code=AAAA-AAAA", map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if r.status != 404 || !strings.Contains(string(r.body), "Unknown code") {
		t.Fatalf("form deny unknown: %d", r.status)
	}
}

// ---- control ----

func TestHostileNamesAndReset(t *testing.T) {
	h := newHarness(t, nil)
	evil := "Evil\x1b[31mCorp\u202e<b>"
	m := h.login(map[string]any{"email": "e@x.io", "workspace_name": evil, "account_name_override": "Bad\x07Name"}, "l")
	if m["workspaces"].([]any)[0].(map[string]any)["name"] != evil || m["account"].(map[string]any)["name"] != "Bad\x07Name" {
		t.Fatalf("overrides: %v", m)
	}
	me := h.api("GET", "/account", nil, bearer(m["token"].(string))).json(t)
	if me["workspaces"].([]any)[0].(map[string]any)["name"] != evil {
		t.Fatalf("/account overrides: %v", me)
	}
	h.ctlOK("POST", "/scenario", map[string]any{"name": "disabled"})
	h.ctlOK("POST", "/reset", nil)
	st := h.ctlOK("GET", "/state", nil)
	if st["requests"] != float64(0) || len(st["sessions"].([]any)) != 0 || st["scenario"].(map[string]any)["name"] != "normal" {
		t.Fatalf("after reset: %v", st)
	}
	if r := h.api("GET", "/account", nil, bearer(m["token"].(string))); r.status != 401 {
		t.Fatalf("token survived reset: %d", r.status)
	}
}

// ---- startup (run) ----

func startRun(t *testing.T, args ...string) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, pw, io.Discard); pw.Close() }()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("reading startup line: %v", err)
	}
	go io.Copy(io.Discard, pr)
	stop := func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run returned %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("run did not stop")
		}
	}
	return line, stop
}

var listenRe = regexp.MustCompile(`^listening on (https?://127\.0\.0\.1:\d+)\n$`)

func TestRunStartupLine(t *testing.T) {
	line, stop := startRun(t, "-auto-approve", "-email", "x@y.z", "-interval", "0.2")
	defer stop()
	m := listenRe.FindStringSubmatch(line)
	if m == nil || !strings.HasPrefix(m[1], "http://") {
		t.Fatalf("startup line %q", line)
	}
	res, err := http.Get(m[1] + "/openapi/v1/_health")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("health %d", res.StatusCode)
	}
	if err := run(context.Background(), []string{"-min-version", "nope"}, io.Discard, io.Discard); err == nil {
		t.Fatal("bad -min-version must fail")
	}
}

func TestRunTLSAndRedirectHTTP(t *testing.T) {
	line, stop := startRun(t, "-tls", "-base-path", "/dify")
	defer stop()
	m := listenRe.FindStringSubmatch(line)
	if m == nil || !strings.HasPrefix(m[1], "https://") {
		t.Fatalf("startup line %q", line)
	}
	base := m[1]
	hostport := strings.TrimPrefix(base, "https://")

	// Fetch the cert without verification, then verify properly with it.
	insecure := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	res, err := insecure.Get(base + "/_fake/cert")
	if err != nil {
		t.Fatal(err)
	}
	pemBytes, _ := io.ReadAll(res.Body)
	res.Body.Close()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatalf("bad cert PEM: %s", pemBytes)
	}
	trust := func(follow bool) *http.Client {
		c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
		if !follow {
			c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		}
		return c
	}
	for _, u := range []string{base, "https://localhost:" + portOf(hostport)} {
		res, err := trust(false).Get(u + "/dify/openapi/v1/_health")
		if err != nil {
			t.Fatalf("verified TLS to %s: %v", u, err)
		}
		res.Body.Close()
	}
	// device/code over TLS advertises an https verification_uri.
	res, err = trust(false).Post(base+"/dify/openapi/v1/oauth/device/code", "application/json",
		strings.NewReader(`{"client_id":"difyctl","device_label":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	var dcr map[string]any
	_ = json.NewDecoder(res.Body).Decode(&dcr)
	res.Body.Close()
	if dcr["verification_uri"] != base+"/dify/device" {
		t.Fatalf("verification_uri %v", dcr["verification_uri"])
	}

	post := func(path, body string) {
		res, err := trust(false).Post(base+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
	}
	post("/_fake/scenario", `{"name":"redirect_http"}`)
	req, _ := http.NewRequest("GET", base+"/dify/openapi/v1/account", nil)
	req.Header.Set("Authorization", "Bearer dfoa_x")
	res, err = trust(false).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 302 || res.Header.Get("Location") != "http://"+hostport+"/dify/openapi/v1/account" {
		t.Fatalf("redirect_http: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	// Go's client keeps Authorization on a same-host downgrade: the fake
	// must notice the bearer arriving over plain http.
	res, err = trust(true).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 401 || res.Request.URL.Scheme != "http" {
		t.Fatalf("followed: %d %s", res.StatusCode, res.Request.URL)
	}
	res, err = trust(false).Get(base + "/_fake/state")
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	_ = json.NewDecoder(res.Body).Decode(&st)
	res.Body.Close()
	if st["auth_on_redirect_target"] != true || st["redirect_target_requests"] != float64(1) {
		t.Fatalf("state: %v %v", st["auth_on_redirect_target"], st["redirect_target_requests"])
	}
}

func TestScenarioErrorBody(t *testing.T) {
	h := newHarness(t, nil)
	evil := "boom\x1b[2J\u202eevil"
	h.ctlOK("POST", "/scenario", map[string]any{"name": "error_body", "status": 418, "code": "teapot", "message": evil, "hint": "hint\x07"})
	m := wantErrorBody(t, h.api("GET", "/account", nil, nil), 418, "teapot", evil)
	if m["hint"] != "hint\x07" {
		t.Fatalf("hint: %v", m)
	}
	h.ctlOK("POST", "/scenario", map[string]any{"name": "error_body"})
	wantErrorBody(t, h.api("POST", "/oauth/device/code", map[string]string{"client_id": "difyctl", "device_label": "x"}, nil), 400, "bad_request", "Bad request.")
	if r := h.ctl("POST", "/scenario", map[string]any{"name": "error_body", "status": 200}); r.status != 400 {
		t.Fatalf("status 200 accepted: %d", r.status)
	}
}

func TestApproveLongToken(t *testing.T) {
	h := newHarness(t, nil)
	m := h.login(map[string]any{"email": "long@example.com", "token_bytes": 10000}, "long")
	tok := m["token"].(string)
	if len(tok) != 10000 || !strings.HasPrefix(tok, "dfoa_") || strings.Trim(tok[5:], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
		t.Fatalf("token of %d bytes: %.40q", len(tok), tok)
	}
	if r := h.api("GET", "/account", nil, bearer(tok)); r.status != 200 {
		t.Fatalf("the long token does not authenticate: %d %s", r.status, r.body)
	}
	// A normal approval still mints a normal token.
	if tok := h.login(map[string]any{"email": "short@example.com"}, "short")["token"].(string); !tokenRe.MatchString(tok) {
		t.Fatalf("normal token: %q", tok)
	}
}
