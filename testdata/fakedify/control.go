package main

// Test-only control endpoints under /_fake/. They are never version-gated and
// never affected by scenarios (and never under -base-path).

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

func ctlErr(status int, msg string) resp {
	return jsonResp(status, map[string]string{"error": msg})
}

// decodeControl decodes a JSON control body (an empty body counts as {}).
// The Content-Type is not checked, so `curl -d '{...}'` works.
func decodeControl(r *http.Request, dst any) *resp {
	_, _, bad := readControlBody(r, dst, false)
	return bad
}

// readControl is decodeControl that also accepts an HTML form post (from the
// /device page): a form-encoded body that does not look like JSON.
func readControl(r *http.Request, dst any) (form bool, vals url.Values, bad *resp) {
	return readControlBody(r, dst, true)
}

func readControlBody(r *http.Request, dst any, allowForm bool) (bool, url.Values, *resp) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes))
	if err != nil {
		rp := ctlErr(400, "read body: "+err.Error())
		return false, nil, &rp
	}
	trimmed := strings.TrimSpace(string(body))
	if trimmed == "" {
		return false, nil, nil
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if allowForm && mt == "application/x-www-form-urlencoded" && !strings.HasPrefix(trimmed, "{") {
		vals, err := url.ParseQuery(trimmed)
		if err != nil {
			rp := ctlErr(400, "bad form: "+err.Error())
			return false, nil, &rp
		}
		return true, vals, nil
	}
	if err := json.Unmarshal(body, dst); err != nil {
		rp := ctlErr(400, "invalid JSON: "+err.Error())
		return false, nil, &rp
	}
	return false, nil, nil
}

func formBool(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "on", "yes":
		return true
	}
	return false
}

func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/_fake")
	type ep struct {
		method string
		h      func(http.ResponseWriter, *http.Request) resp
	}
	eps := map[string]ep{
		"/approve":       {http.MethodPost, s.ctlApprove},
		"/deny":          {http.MethodPost, s.ctlDeny},
		"/pending":       {http.MethodGet, s.ctlPending},
		"/scenario":      {"", s.ctlScenario},
		"/interval":      {http.MethodPost, s.ctlInterval},
		"/ttl":           {http.MethodPost, s.ctlTTL},
		"/min-version":   {http.MethodPost, s.ctlMinVersion},
		"/sessions/seed": {http.MethodPost, s.ctlSeed},
		"/tokens/expire": {http.MethodPost, s.ctlExpire},
		"/tokens":        {http.MethodGet, s.ctlTokens},
		"/check":         {http.MethodPost, s.ctlCheck},
		"/state":         {http.MethodGet, s.ctlState},
		"/requests":      {http.MethodGet, s.ctlRequests},
		"/reset":         {http.MethodPost, s.ctlReset},
		"/cert":          {http.MethodGet, s.ctlCert},
	}
	e, ok := eps[name]
	if !ok {
		writeResp(w, ctlErr(404, "unknown control endpoint "+r.URL.Path))
		return
	}
	if e.method != "" && r.Method != e.method {
		rp := ctlErr(405, "use "+e.method)
		rp.header = map[string]string{"Allow": e.method}
		writeResp(w, rp)
		return
	}
	rp := e.h(w, r)
	if rp.status == -1 { // handler wrote the response itself
		return
	}
	writeResp(w, rp)
}

// POST /_fake/approve
func (s *Server) ctlApprove(w http.ResponseWriter, r *http.Request) resp {
	var req approveRequest
	form, vals, bad := readControl(r, &req)
	if bad != nil {
		return *bad
	}
	if form {
		req = approveRequest{
			UserCode: vals.Get("user_code"), Email: vals.Get("email"),
			Name: vals.Get("name"), SSO: formBool(vals.Get("sso")),
			Issuer: vals.Get("issuer"), WorkspaceName: vals.Get("workspace_name"),
			AccountNameOverride: vals.Get("account_name_override"),
		}
	}
	code := strings.ToUpper(strings.TrimSpace(req.UserCode))

	s.mu.Lock()
	f := s.pendingFlowLocked(code)
	var tokenID string
	if f != nil {
		tokenID = s.approveLocked(f, req)
	}
	s.mu.Unlock()

	if form {
		if f == nil {
			s.renderResult(w, http.StatusNotFound, "Unknown code", "No pending login uses the code "+code+".", code)
		} else {
			s.renderResult(w, http.StatusOK, "Approved", "The login "+code+" is approved. You can go back to your terminal.", "")
		}
		return resp{status: -1}
	}
	if f == nil {
		return ctlErr(404, "unknown user_code")
	}
	return jsonResp(200, map[string]string{"status": "approved", "token_id": tokenID})
}

// POST /_fake/deny
func (s *Server) ctlDeny(w http.ResponseWriter, r *http.Request) resp {
	var req struct {
		UserCode string `json:"user_code"`
	}
	form, vals, bad := readControl(r, &req)
	if bad != nil {
		return *bad
	}
	if form {
		req.UserCode = vals.Get("user_code")
	}
	code := strings.ToUpper(strings.TrimSpace(req.UserCode))

	s.mu.Lock()
	f := s.pendingFlowLocked(code)
	if f != nil {
		f.status = "denied"
		s.st.denials++
	}
	s.mu.Unlock()

	if form {
		if f == nil {
			s.renderResult(w, http.StatusNotFound, "Unknown code", "No pending login uses the code "+code+".", code)
		} else {
			s.renderResult(w, http.StatusOK, "Denied", "The login "+code+" is denied.", "")
		}
		return resp{status: -1}
	}
	if f == nil {
		return ctlErr(404, "unknown user_code")
	}
	return jsonResp(200, map[string]string{"status": "denied"})
}

func (s *Server) pendingFlowLocked(code string) *flow {
	f := s.st.byUserCode[code]
	if f == nil || f.status != "pending" || !s.clock().Before(f.expiresAt) {
		return nil
	}
	if s.st.flows[f.deviceCode] != f {
		return nil
	}
	return f
}

type pendingInfo struct {
	UserCode    string `json:"user_code"`
	DeviceLabel string `json:"device_label"`
	ClientID    string `json:"client_id"`
	CreatedAt   string `json:"created_at"`
	ExpiresAt   string `json:"expires_at"`
}

func (s *Server) pendingLocked() []pendingInfo {
	now := s.clock()
	var fl []*flow
	for _, f := range s.st.flows {
		if f.status == "pending" && now.Before(f.expiresAt) {
			fl = append(fl, f)
		}
	}
	sortFlows(fl)
	out := make([]pendingInfo, 0, len(fl))
	for _, f := range fl {
		out = append(out, pendingInfo{UserCode: f.userCode, DeviceLabel: f.deviceLabel,
			ClientID: f.clientID, CreatedAt: isoZ(f.createdAt), ExpiresAt: isoZ(f.expiresAt)})
	}
	return out
}

func sortFlows(fl []*flow) {
	for i := 1; i < len(fl); i++ {
		for j := i; j > 0 && fl[j].seq < fl[j-1].seq; j-- {
			fl[j], fl[j-1] = fl[j-1], fl[j]
		}
	}
}

// GET /_fake/pending
func (s *Server) ctlPending(w http.ResponseWriter, r *http.Request) resp {
	s.mu.Lock()
	p := s.pendingLocked()
	s.mu.Unlock()
	codes := make([]string, 0, len(p))
	for _, x := range p {
		codes = append(codes, x.UserCode)
	}
	return jsonResp(200, map[string]any{"user_codes": codes, "pending": p})
}

// GET|POST /_fake/scenario
func (s *Server) ctlScenario(w http.ResponseWriter, r *http.Request) resp {
	switch r.Method {
	case http.MethodGet:
		s.mu.Lock()
		sc := s.st.scenario
		s.mu.Unlock()
		return jsonResp(200, sc)
	case http.MethodPost:
		var sc scenario
		if bad := decodeControl(r, &sc); bad != nil {
			return *bad
		}
		if sc.Name == "" {
			sc.Name = "normal"
		}
		sc.RedirectFrom = ""
		if err := sc.validate(); err != nil {
			return ctlErr(400, err.Error())
		}
		s.mu.Lock()
		s.st.scenario = sc
		s.mu.Unlock()
		return jsonResp(200, sc)
	}
	return ctlErr(405, "use GET or POST")
}

type secondsReq struct {
	Seconds *float64 `json:"seconds"`
}

// POST /_fake/interval
func (s *Server) ctlInterval(w http.ResponseWriter, r *http.Request) resp {
	var req secondsReq
	if bad := decodeControl(r, &req); bad != nil {
		return *bad
	}
	if req.Seconds == nil || *req.Seconds < 0 {
		return ctlErr(400, `need {"seconds": N} with N >= 0`)
	}
	s.mu.Lock()
	s.st.interval = durationFromSeconds(*req.Seconds)
	s.mu.Unlock()
	return jsonResp(200, map[string]any{"seconds": *req.Seconds, "advertised": secondsJSON(durationFromSeconds(*req.Seconds))})
}

// POST /_fake/ttl
func (s *Server) ctlTTL(w http.ResponseWriter, r *http.Request) resp {
	var req secondsReq
	if bad := decodeControl(r, &req); bad != nil {
		return *bad
	}
	if req.Seconds == nil || *req.Seconds <= 0 {
		return ctlErr(400, `need {"seconds": N} with N > 0`)
	}
	s.mu.Lock()
	s.st.ttl = durationFromSeconds(*req.Seconds)
	s.mu.Unlock()
	return jsonResp(200, map[string]any{"seconds": *req.Seconds, "advertised": secondsJSON(durationFromSeconds(*req.Seconds))})
}

// POST /_fake/min-version
func (s *Server) ctlMinVersion(w http.ResponseWriter, r *http.Request) resp {
	var req struct {
		Version string `json:"version"`
	}
	if bad := decodeControl(r, &req); bad != nil {
		return *bad
	}
	v, err := parseVersion(req.Version)
	if err != nil {
		return ctlErr(400, err.Error())
	}
	s.mu.Lock()
	s.st.minVersion, s.st.minVersionStr = v, req.Version
	s.mu.Unlock()
	return jsonResp(200, map[string]string{"version": req.Version})
}

// POST /_fake/sessions/seed
func (s *Server) ctlSeed(w http.ResponseWriter, r *http.Request) resp {
	var req struct {
		Email        string   `json:"email"`
		Count        int      `json:"count"`
		LabelPrefix  string   `json:"label_prefix"`
		Labels       []string `json:"labels"`
		CreatedStart string   `json:"created_start"`
		StepSeconds  *float64 `json:"step_seconds"`
		ClientID     string   `json:"client_id"`
		LastUsedAt   string   `json:"last_used_at"`
	}
	if bad := decodeControl(r, &req); bad != nil {
		return *bad
	}
	if req.Count < 0 || req.Count > 100000 {
		return ctlErr(400, "count must be 0..100000")
	}
	n := req.Count
	if n < len(req.Labels) {
		n = len(req.Labels)
	}
	if n == 0 {
		n = 10
	}
	if req.LabelPrefix == "" {
		req.LabelPrefix = "seed"
	}
	if req.ClientID == "" {
		req.ClientID = "difyctl"
	}
	step := time.Second
	if req.StepSeconds != nil {
		if *req.StepSeconds <= 0 {
			return ctlErr(400, "step_seconds must be > 0")
		}
		step = durationFromSeconds(*req.StepSeconds)
	}
	var lastUsed *time.Time
	if req.LastUsedAt != "" {
		t, err := parseTime(req.LastUsedAt)
		if err != nil {
			return ctlErr(400, "last_used_at: "+err.Error())
		}
		lastUsed = &t
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock()
	start := now.Add(-time.Hour)
	if req.CreatedStart != "" {
		t, err := parseTime(req.CreatedStart)
		if err != nil {
			return ctlErr(400, "created_start: "+err.Error())
		}
		start = t
	}
	email := req.Email
	if email == "" {
		email = s.cfg.Email
	}
	s.accountLocked(email)
	ids := make([]string, 0, n)
	rows := make([]map[string]string, 0, n)
	for i := 0; i < n; i++ {
		label := fmt.Sprintf("%s-%d", req.LabelPrefix, i+1)
		if i < len(req.Labels) {
			label = req.Labels[i]
		}
		created := start.Add(-time.Duration(i) * step).Truncate(time.Microsecond)
		ss := s.mintLocked(email, accountIssuer, false, req.ClientID, label, created)
		ss.seeded = true
		ss.expiresAt = now.Add(tokenLifetime)
		if lastUsed != nil {
			t := *lastUsed
			ss.lastUsedAt = &t
		}
		ids = append(ids, ss.id)
		rows = append(rows, map[string]string{"id": ss.id, "device_label": label, "created_at": isoZ(created)})
	}
	return jsonResp(200, map[string]any{"ids": ids, "sessions": rows})
}

// POST /_fake/tokens/expire
func (s *Server) ctlExpire(w http.ResponseWriter, r *http.Request) resp {
	var req struct {
		TokenID string `json:"token_id"`
	}
	if bad := decodeControl(r, &req); bad != nil {
		return *bad
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.st.byID[strings.ToLower(strings.TrimSpace(req.TokenID))]
	if ss == nil {
		return ctlErr(404, "unknown token_id")
	}
	ss.expiresAt = s.clock()
	return jsonResp(200, map[string]any{"token_id": ss.id, "expires_at": isoZ(ss.expiresAt)})
}

// GET /_fake/tokens
func (s *Server) ctlTokens(w http.ResponseWriter, r *http.Request) resp {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock()
	out := make([]map[string]any, 0, len(s.st.sessions))
	for _, ss := range s.st.sessions {
		out = append(out, map[string]any{
			"token_id": ss.id, "token": ss.token, "email": ss.email, "live": ss.live(now),
			"revoked": ss.revoked, "expired": !now.Before(ss.expiresAt), "seeded": ss.seeded,
			"prefix": ss.prefix, "device_label": ss.deviceLabel,
		})
	}
	return jsonResp(200, map[string]any{"tokens": out})
}

// POST /_fake/check
func (s *Server) ctlCheck(w http.ResponseWriter, r *http.Request) resp {
	var req struct {
		Token string `json:"token"`
	}
	if bad := decodeControl(r, &req); bad != nil {
		return *bad
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.st.byToken[strings.TrimSpace(req.Token)]
	if ss == nil {
		return jsonResp(200, map[string]any{"live": false, "known": false, "email": nil, "token_id": nil})
	}
	return jsonResp(200, map[string]any{"live": ss.live(s.clock()), "known": true, "email": ss.email, "token_id": ss.id})
}

// GET /_fake/state
func (s *Server) ctlState(w http.ResponseWriter, r *http.Request) resp {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock()
	sessions := make([]map[string]any, 0, len(s.st.sessions))
	for _, ss := range s.st.sessions {
		sessions = append(sessions, map[string]any{
			"id": ss.id, "email": ss.email, "device_label": ss.deviceLabel, "live": ss.live(now),
			"revoked": ss.revoked, "prefix": ss.prefix, "client_id": ss.clientID,
			"created_at": isoZ(ss.createdAt), "expires_at": isoZ(ss.expiresAt), "seeded": ss.seeded,
		})
	}
	uas := append([]string{}, s.st.userAgents...)
	return jsonResp(200, map[string]any{
		"slow_down":                s.st.slowDowns,
		"polls":                    s.st.polls,
		"requests":                 s.st.requests,
		"deletes":                  s.st.deletes,
		"device_codes":             s.st.deviceCodes,
		"approvals":                s.st.approvals,
		"denials":                  s.st.denials,
		"tokens_delivered":         s.st.delivered,
		"last_user_agent":          s.st.lastUA,
		"user_agents":              uas,
		"sessions":                 sessions,
		"pending":                  s.pendingLocked(),
		"auth_on_redirect_target":  s.st.authOnRedirTg,
		"redirect_target_requests": s.st.redirTgReqs,
		"scenario":                 s.st.scenario,
		"interval_seconds":         s.st.interval.Seconds(),
		"ttl_seconds":              s.st.ttl.Seconds(),
		"min_version":              s.st.minVersionStr,
		"base_path":                s.cfg.BasePath,
	})
}

// GET /_fake/requests
func (s *Server) ctlRequests(w http.ResponseWriter, r *http.Request) resp {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]logEntry, 0, len(s.st.log))
	for _, e := range s.st.log {
		out = append(out, *e)
	}
	return jsonResp(200, map[string]any{"requests": out})
}

// POST /_fake/reset
func (s *Server) ctlReset(w http.ResponseWriter, r *http.Request) resp {
	s.mu.Lock()
	s.st = s.freshState()
	s.mu.Unlock()
	return jsonResp(200, map[string]string{"status": "reset"})
}

// GET /_fake/cert — the self-signed certificate (PEM) in -tls mode.
func (s *Server) ctlCert(w http.ResponseWriter, r *http.Request) resp {
	if len(s.certPEM) == 0 {
		return ctlErr(404, "not running with -tls")
	}
	return resp{status: 200, raw: s.certPEM, ctype: "application/x-pem-file"}
}
