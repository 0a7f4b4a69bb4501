package main

// The /openapi/v1 surface, canonical (newest) behaviour of
// reference/server-api.md.

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, rel string) {
	rec := &statusRecorder{ResponseWriter: w}
	w = rec

	// Anti-framing headers on every response of the blueprint.
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Content-Security-Policy", "frame-ancestors 'none'")

	s.mu.Lock()
	s.st.requests++
	ua := r.UserAgent()
	s.st.lastUA = ua
	if !s.st.uaSeen[ua] {
		s.st.uaSeen[ua] = true
		s.st.userAgents = append(s.st.userAgents, ua)
	}
	sc, target := s.pickScenarioLocked(r, rel)
	hasAuth := r.Header.Get("Authorization") != ""
	if target {
		s.st.redirTgReqs++
		if hasAuth {
			s.st.authOnRedirTg = true
		}
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	entry := &logEntry{
		Seq: s.st.requests, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		Host: r.Host, Scheme: scheme, HasAuth: hasAuth, RedirectTarget: target,
		UserAgent: ua, Scenario: sc.Name,
	}
	if len(s.st.log) < maxLogEntries {
		s.st.log = append(s.st.log, entry)
	}
	s.mu.Unlock()

	defer func() {
		s.mu.Lock()
		entry.Status = rec.status // harmless if a reset dropped the entry
		line := fmt.Sprintf("%s %s %s%s auth=%t scenario=%s -> %d\n", entry.Scheme, entry.Method, entry.Host, r.URL.RequestURI(), hasAuth, sc.Name, rec.status)
		out := s.logOut
		s.mu.Unlock()
		if out != nil {
			_, _ = io.WriteString(out, line)
		}
	}()

	w, cont := s.applyScenario(w, r, sc)
	if !cont {
		return
	}
	writeResp(w, s.routeAPI(r, rel, sc))
}

// routeAPI runs the version gate and the route handlers.
func (s *Server) routeAPI(r *http.Request, rel string, sc scenario) resp {
	sub := strings.TrimPrefix(rel, apiPrefix)

	// Version gate: everything except the probes, unknown paths included.
	if sub != "/_version" && sub != "/_health" {
		if m := uaVersionRe.FindStringSubmatch(r.UserAgent()); m != nil {
			if v, err := parseVersion(m[1]); err == nil {
				s.mu.Lock()
				minV, minStr := s.st.minVersion, s.st.minVersionStr
				s.mu.Unlock()
				if versionLess(v, minV) {
					return upgradeRequired(m[1], minStr)
				}
			}
		}
	}

	type route struct {
		method string
		h      func() resp
	}
	var rt *route
	switch {
	case sub == "/_health":
		rt = &route{http.MethodGet, func() resp { return jsonResp(200, map[string]bool{"ok": true}) }}
	case sub == "/_version":
		rt = &route{http.MethodGet, func() resp {
			return jsonResp(200, map[string]string{"version": serverVersion, "edition": serverEdition})
		}}
	case sub == "/oauth/device/code":
		rt = &route{http.MethodPost, func() resp { return s.handleDeviceCode(r, sc) }}
	case sub == "/oauth/device/token":
		rt = &route{http.MethodPost, func() resp { return s.handleDeviceToken(r) }}
	case sub == "/oauth/device/lookup":
		rt = &route{http.MethodGet, func() resp { return s.handleLookup(r) }}
	case sub == "/account":
		rt = &route{http.MethodGet, func() resp { return s.handleAccount(r) }}
	case sub == "/account/sessions":
		rt = &route{http.MethodGet, func() resp { return s.handleSessions(r, sc.Name == "sessions_legacy") }}
	case sub == "/account/sessions/self":
		rt = &route{http.MethodDelete, func() resp { return s.handleRevokeSelf(r) }}
	case strings.HasPrefix(sub, "/account/sessions/") && !strings.Contains(sub[len("/account/sessions/"):], "/") && len(sub) > len("/account/sessions/"):
		id := sub[len("/account/sessions/"):]
		rt = &route{http.MethodDelete, func() resp { return s.handleRevokeID(r, id) }}
	}
	if rt == nil {
		return errResp(http.StatusNotFound, "not_found", "The requested URL was not found on the server.")
	}
	if r.Method != rt.method {
		rp := errResp(http.StatusMethodNotAllowed, "method_not_allowed", "The method is not allowed for the requested URL.")
		rp.header = map[string]string{"Allow": rt.method}
		return rp
	}
	return rt.h()
}

// ---- request bodies ----

// readJSONObject mimics Flask's request.get_json(silent=True) followed by a
// pydantic model: a non-JSON content type or an unparsable body counts as {}.
func readJSONObject(r *http.Request) map[string]any {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes))
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if !(mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))) {
		return map[string]any{}
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil || m == nil {
		return map[string]any{}
	}
	return m
}

// requireStrings validates required string fields like pydantic would and
// returns a 400 ErrorBody on failure.
func requireStrings(model string, m map[string]any, fields ...string) (map[string]string, *resp) {
	out := map[string]string{}
	var errs []string
	for _, f := range fields {
		v, ok := m[f]
		if !ok {
			errs = append(errs, fmt.Sprintf("%s\n  Field required [type=missing]", f))
			continue
		}
		str, ok := v.(string)
		if !ok {
			errs = append(errs, fmt.Sprintf("%s\n  Input should be a valid string [type=string_type]", f))
			continue
		}
		out[f] = str
	}
	if len(errs) > 0 {
		plural := "s"
		if len(errs) == 1 {
			plural = ""
		}
		msg := fmt.Sprintf("%d validation error%s for %s\n%s", len(errs), plural, model, strings.Join(errs, "\n"))
		rp := errResp(http.StatusBadRequest, "bad_request", msg)
		return nil, &rp
	}
	return out, nil
}

// ---- device flow ----

type deviceCodeResponse struct {
	DeviceCode      string          `json:"device_code"`
	UserCode        string          `json:"user_code"`
	VerificationURI string          `json:"verification_uri"`
	ExpiresIn       json.RawMessage `json:"expires_in"`
	Interval        json.RawMessage `json:"interval"`
}

func (s *Server) handleDeviceCode(r *http.Request, sc scenario) resp {
	in, bad := requireStrings("DeviceCodeRequest", readJSONObject(r), "client_id", "device_label")
	if bad != nil {
		return *bad
	}
	if !allowedClientIDs[in["client_id"]] {
		return oauthErr("unsupported_client")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	verification := scheme + "://" + r.Host + s.cfg.BasePath + "/device"

	s.mu.Lock()
	now := s.clock()
	f := &flow{
		seq:         s.nextSeq(),
		deviceCode:  "dc_" + randB64(24),
		clientID:    in["client_id"],
		deviceLabel: in["device_label"],
		createdAt:   now,
		expiresAt:   now.Add(s.st.ttl),
		interval:    s.st.interval,
		status:      "pending",
	}
	for i := 0; ; i++ {
		f.userCode = newUserCode()
		if old, taken := s.st.byUserCode[f.userCode]; !taken || !now.Before(old.expiresAt) || i > 50 {
			break
		}
	}
	s.st.flows[f.deviceCode] = f
	s.st.byUserCode[f.userCode] = f
	s.st.deviceCodes++
	ttl := s.st.ttl
	if s.cfg.AutoApprove {
		s.approveLocked(f, approveRequest{})
	}
	s.mu.Unlock()

	out := deviceCodeResponse{
		DeviceCode:      f.deviceCode,
		UserCode:        f.userCode,
		VerificationURI: verification,
		ExpiresIn:       secondsJSON(ttl),
		Interval:        secondsJSON(f.interval),
	}
	if sc.Name == "verification_uri" && sc.VerificationURI != nil {
		out.VerificationURI = *sc.VerificationURI
	}
	if sc.Name == "device_code_override" {
		if len(sc.Interval) > 0 {
			out.Interval = sc.Interval
		}
		if len(sc.ExpiresIn) > 0 {
			out.ExpiresIn = sc.ExpiresIn
		}
	}
	return jsonResp(http.StatusOK, out)
}

func (s *Server) handleDeviceToken(r *http.Request) resp {
	in, bad := requireStrings("DevicePollRequest", readJSONObject(r), "device_code", "client_id")
	if bad != nil {
		return *bad
	}
	dc := in["device_code"]

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock()
	s.st.polls++

	// 1. slow_down: the last-poll time is always overwritten.
	interval := s.st.interval
	f, ok := s.st.flows[dc]
	if ok {
		interval = f.interval
	}
	prev, had := s.st.lastPoll[dc]
	s.st.lastPoll[dc] = now
	if had && now.Sub(prev) < interval {
		s.st.slowDowns++
		return oauthErr("slow_down")
	}
	// 2. unknown, expired or consumed.
	if !ok || !now.Before(f.expiresAt) {
		if ok {
			s.dropFlowLocked(f)
		}
		return oauthErr("expired_token")
	}
	switch f.status {
	case "pending":
		return oauthErr("authorization_pending")
	case "denied":
		s.dropFlowLocked(f)
		return oauthErr("access_denied")
	case "approved":
		s.dropFlowLocked(f)
		if f.payload == nil {
			return oauthErr("expired_token")
		}
		s.st.delivered++
		return jsonResp(http.StatusOK, f.payload)
	}
	return oauthErr("expired_token")
}

func (s *Server) dropFlowLocked(f *flow) {
	delete(s.st.flows, f.deviceCode)
	if s.st.byUserCode[f.userCode] == f {
		delete(s.st.byUserCode, f.userCode)
	}
}

func (s *Server) handleLookup(r *http.Request) resp {
	code := strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("user_code")))
	if code == "" {
		return errResp(http.StatusBadRequest, "bad_request", "user_code is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.st.byUserCode[code]
	if !ok || !s.clock().Before(f.expiresAt) {
		return jsonResp(200, map[string]any{"valid": false, "expires_in_remaining": 0, "client_id": nil})
	}
	if f.status != "pending" {
		return jsonResp(200, map[string]any{"valid": false, "expires_in_remaining": 0, "client_id": f.clientID})
	}
	return jsonResp(200, map[string]any{"valid": true, "expires_in_remaining": 900, "client_id": f.clientID})
}

// ---- approval (shared by /_fake/approve, the /device page and -auto-approve) ----

type approveRequest struct {
	UserCode            string `json:"user_code"`
	Email               string `json:"email"`
	Name                string `json:"name"`
	SSO                 bool   `json:"sso"`
	Issuer              string `json:"issuer"`
	WorkspaceName       string `json:"workspace_name"`
	AccountNameOverride string `json:"account_name_override"`
	// TokenBytes, when larger than a normal token, mints a token of
	// exactly this many bytes (the prefix, then base64url characters).
	TokenBytes int `json:"token_bytes"`
}

// maxTokenBytes bounds token_bytes.
const maxTokenBytes = 1 << 20

// longToken extends tok with random base64url characters to n bytes.
func longToken(tok string, n int) string {
	var b strings.Builder
	b.WriteString(tok)
	for b.Len() < n {
		b.WriteString(randB64(48))
	}
	return b.String()[:n]
}

type accountJSON struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

type tokenPayload struct {
	Token              string       `json:"token"`
	ExpiresAt          string       `json:"expires_at"`
	SubjectType        string       `json:"subject_type"`
	SubjectEmail       *string      `json:"subject_email,omitempty"`
	SubjectIssuer      *string      `json:"subject_issuer,omitempty"`
	Account            *accountJSON `json:"account"`
	Workspaces         []workspace  `json:"workspaces"`
	DefaultWorkspaceID *string      `json:"default_workspace_id"`
	TokenID            string       `json:"token_id"`
}

// approveLocked mints the token (rotating a live row with the same subject,
// client and label) and stores the one-time poll payload. Caller holds s.mu.
func (s *Server) approveLocked(f *flow, req approveRequest) string {
	now := s.clock()
	email := req.Email
	if email == "" {
		email = s.cfg.Email
	}
	issuer := accountIssuer
	if req.SSO {
		issuer = req.Issuer
		if issuer == "" {
			issuer = defaultSSOIssuer
		}
	}
	// Rotation.
	for _, old := range s.st.sessions {
		if old.live(now) && old.email == email && old.issuer == issuer &&
			old.clientID == f.clientID && old.deviceLabel == f.deviceLabel {
			old.revoked = true
		}
	}
	ss := s.mintLocked(email, issuer, req.SSO, f.clientID, f.deviceLabel, now)
	if req.TokenBytes > len(ss.token) {
		delete(s.st.byToken, ss.token)
		ss.token = longToken(ss.token, min(req.TokenBytes, maxTokenBytes))
		s.st.byToken[ss.token] = ss
	}

	p := tokenPayload{
		Token:     ss.token,
		ExpiresAt: isoPy(ss.expiresAt),
		TokenID:   ss.id,
	}
	if req.SSO {
		e, is := email, issuer
		p.SubjectType = "external_sso"
		p.SubjectEmail = &e
		p.SubjectIssuer = &is
		p.Workspaces = []workspace{}
	} else {
		a := s.accountLocked(email)
		switch {
		case req.AccountNameOverride != "":
			a.name = req.AccountNameOverride
		case req.Name != "":
			a.name = req.Name
		}
		if req.WorkspaceName != "" {
			a.workspaces[0].Name = req.WorkspaceName
		}
		p.SubjectType = "account"
		p.Account = &accountJSON{ID: a.id, Email: a.email, Name: a.name}
		p.Workspaces = append([]workspace(nil), a.workspaces...)
		d := a.workspaces[0].ID
		p.DefaultWorkspaceID = &d
	}
	f.status = "approved"
	f.payload = p
	f.tokenID = ss.id
	if f.expiresAt.Before(now.Add(approvedMinTTL)) {
		f.expiresAt = now.Add(approvedMinTTL)
	}
	s.st.approvals++
	return ss.id
}

// ---- bearer routes ----

func bearerToken(r *http.Request) (string, bool) {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	i := strings.IndexAny(h, " \t")
	if i < 0 {
		return "", false
	}
	if !strings.EqualFold(h[:i], "bearer") {
		return "", false
	}
	tok := strings.TrimSpace(h[i+1:])
	return tok, tok != ""
}

// authLocked authenticates the request. Caller holds s.mu.
func (s *Server) authLocked(r *http.Request) (*session, *resp) {
	tok, ok := bearerToken(r)
	if !ok {
		rp := unauthorized("bearer required")
		return nil, &rp
	}
	ss := s.st.byToken[tok]
	if ss == nil || ss.revoked {
		rp := unauthorized("Invalid or unknown bearer token.")
		return nil, &rp
	}
	if !s.clock().Before(ss.expiresAt) {
		rp := tokenExpired()
		return nil, &rp
	}
	return ss, nil
}

// accountAuthLocked is authLocked plus "the subject must be an account".
func (s *Server) accountAuthLocked(r *http.Request) (*session, *resp) {
	ss, bad := s.authLocked(r)
	if bad != nil {
		return nil, bad
	}
	if ss.sso {
		rp := errResp(http.StatusForbidden, "forbidden", "unsupported_token_type")
		return nil, &rp
	}
	return ss, nil
}

func (s *Server) handleAccount(r *http.Request) resp {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, bad := s.accountAuthLocked(r)
	if bad != nil {
		return *bad
	}
	a := s.accountLocked(ss.email)
	return jsonResp(200, map[string]any{
		"subject_type":         "account",
		"subject_email":        a.email,
		"subject_issuer":       nil,
		"account":              accountJSON{ID: a.id, Email: a.email, Name: a.name},
		"workspaces":           append([]workspace(nil), a.workspaces...),
		"default_workspace_id": a.workspaces[0].ID,
	})
}

type sessionRow struct {
	ID          string  `json:"id"`
	Prefix      string  `json:"prefix"`
	ClientID    string  `json:"client_id"`
	DeviceLabel string  `json:"device_label"`
	CreatedAt   *string `json:"created_at"`
	LastUsedAt  *string `json:"last_used_at"`
	ExpiresAt   *string `json:"expires_at"`
}

type sessionPage struct {
	Page    int          `json:"page"`
	Limit   int          `json:"limit"`
	Total   int          `json:"total"`
	HasMore bool         `json:"has_more"`
	Data    []sessionRow `json:"data"`
}

func strp(s string) *string { return &s }

func rowOf(ss *session) sessionRow {
	row := sessionRow{
		ID: ss.id, Prefix: ss.prefix, ClientID: ss.clientID, DeviceLabel: ss.deviceLabel,
		CreatedAt: strp(isoZ(ss.createdAt)), ExpiresAt: strp(isoZ(ss.expiresAt)),
	}
	if ss.lastUsedAt != nil {
		row.LastUsedAt = strp(isoZ(*ss.lastUsedAt))
	}
	return row
}

// parsePaging validates page/limit like SessionListQuery (extra='forbid').
func parsePaging(r *http.Request) (page, limit int, bad *resp) {
	q := r.URL.Query()
	page, limit = 1, 100
	var details []errorDetail
	parseInt := func(name string, lo, hi int, dst *int) {
		vals, ok := q[name]
		if !ok {
			return
		}
		raw := strings.TrimSpace(vals[0])
		n, err := strconv.Atoi(raw)
		if err != nil {
			details = append(details, errorDetail{Type: "int_parsing", Loc: []string{name},
				Msg: "Input should be a valid integer, unable to parse string as an integer"})
			return
		}
		if n < lo {
			details = append(details, errorDetail{Type: "greater_than_equal", Loc: []string{name},
				Msg: fmt.Sprintf("Input should be greater than or equal to %d", lo)})
			return
		}
		if hi > 0 && n > hi {
			details = append(details, errorDetail{Type: "less_than_equal", Loc: []string{name},
				Msg: fmt.Sprintf("Input should be less than or equal to %d", hi)})
			return
		}
		*dst = n
	}
	parseInt("page", 1, 0, &page)
	parseInt("limit", 1, 200, &limit)
	var extra []string
	for k := range q {
		if k != "page" && k != "limit" {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		details = append(details, errorDetail{Type: "extra_forbidden", Loc: []string{k}, Msg: "Extra inputs are not permitted"})
	}
	if len(details) > 0 {
		rp := resp{status: http.StatusUnprocessableEntity, body: errorBody{
			Code: "invalid_param", Message: "Request validation failed", Status: 422, Details: details}}
		return 0, 0, &rp
	}
	return page, limit, nil
}

// liveRowsLocked returns the caller's live account sessions, newest first.
func (s *Server) liveRowsLocked(email string, now time.Time) []*session {
	var out []*session
	for i := len(s.st.sessions) - 1; i >= 0; i-- { // newest insertion first
		ss := s.st.sessions[i]
		if ss.email == email && !ss.sso && ss.live(now) {
			out = append(out, ss)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].createdAt.After(out[j].createdAt) })
	return out
}

func (s *Server) handleSessions(r *http.Request, legacy bool) resp {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, bad := s.accountAuthLocked(r)
	if bad != nil {
		return *bad
	}
	rows := s.liveRowsLocked(ss.email, s.clock())
	if legacy {
		out := make([]sessionRow, 0, len(rows))
		for _, x := range rows {
			out = append(out, rowOf(x))
		}
		return jsonResp(200, map[string]any{"sessions": out})
	}
	page, limit, bad := parsePaging(r)
	if bad != nil {
		return *bad
	}
	total := len(rows)
	data := []sessionRow{}
	start := (page - 1) * limit
	if page-1 > total/limit { // avoid overflow on huge pages
		start = total
	}
	for i := start; i < total && i < start+limit; i++ {
		data = append(data, rowOf(rows[i]))
	}
	return jsonResp(200, sessionPage{Page: page, Limit: limit, Total: total,
		HasMore: int64(page)*int64(limit) < int64(total), Data: data})
}

func (s *Server) handleRevokeSelf(r *http.Request) resp {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, bad := s.accountAuthLocked(r)
	if bad != nil {
		return *bad
	}
	ss.revoked = true
	s.st.deletes++
	return jsonResp(200, map[string]string{"status": "revoked"})
}

func (s *Server) handleRevokeID(r *http.Request, rawID string) resp {
	s.mu.Lock()
	defer s.mu.Unlock()
	caller, bad := s.accountAuthLocked(r)
	if bad != nil {
		return *bad
	}
	notFound := errResp(http.StatusNotFound, "not_found", "session not found")
	id, ok := parseUUID(rawID)
	if !ok {
		return notFound
	}
	ss := s.st.byID[id]
	if ss == nil || ss.sso || ss.email != caller.email || !ss.live(s.clock()) {
		return notFound
	}
	ss.revoked = true
	s.st.deletes++
	return jsonResp(200, map[string]string{"status": "revoked"})
}
