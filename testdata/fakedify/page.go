package main

// The <base-path>/device page: a person types the user code and approves or
// denies it. The form posts to /_fake/approve or /_fake/deny.

import (
	"html/template"
	"net/http"
	"strings"
)

var pageTmpl = template.Must(template.New("device").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>fakedify — authorize device</title>
<style>
body { font-family: sans-serif; max-width: 32em; margin: 3em auto; }
label { display: block; margin: .8em 0 .2em; }
input[type=text], input[type=email] { width: 100%; padding: .3em; font-size: 1.1em; }
.code { font-family: monospace; letter-spacing: .1em; text-transform: uppercase; }
button { margin-top: 1.2em; margin-right: .8em; font-size: 1.1em; }
.pending { color: #555; font-size: .9em; }
</style>
</head>
<body>
<h1>Authorize difyctl</h1>
{{if .Title}}<h2>{{.Title}}</h2><p>{{.Message}}</p>{{end}}
<form method="post" action="/_fake/approve">
<label for="user_code">One-time code</label>
<input type="text" id="user_code" name="user_code" class="code" value="{{.UserCode}}" placeholder="XXXX-XXXX" autocomplete="off" autofocus>
<label for="email">Email</label>
<input type="email" id="email" name="email" value="{{.Email}}">
<label for="name">Name</label>
<input type="text" id="name" name="name" value="{{.Name}}">
<button type="submit" formaction="/_fake/approve">Approve</button>
<button type="submit" formaction="/_fake/deny">Deny</button>
</form>
{{if .Pending}}<p class="pending">Pending codes: {{range $i, $p := .Pending}}{{if $i}}, {{end}}<a href="{{$.DevicePath}}?user_code={{$p.UserCode}}">{{$p.UserCode}}</a> ({{$p.DeviceLabel}}){{end}}</p>{{end}}
</body>
</html>
`))

type pageData struct {
	Title    string
	Message  string
	UserCode string
	Email    string
	Name     string
	Pending  []pendingInfo
	// DevicePath is <base-path>/device.
	DevicePath string
}

func (s *Server) servePage(w http.ResponseWriter, status int, d pageData) {
	if d.Email == "" {
		d.Email = s.cfg.Email
	}
	if d.Name == "" {
		d.Name = s.cfg.Name
	}
	d.DevicePath = s.cfg.BasePath + "/device"
	s.mu.Lock()
	d.Pending = s.pendingLocked()
	s.mu.Unlock()
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "frame-ancestors 'none'")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = pageTmpl.Execute(w, d)
}

func (s *Server) serveDevicePage(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	code := strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("user_code")))
	s.servePage(w, http.StatusOK, pageData{UserCode: code})
}

// renderResult shows the outcome of a form post from the page.
func (s *Server) renderResult(w http.ResponseWriter, status int, title, msg, code string) {
	s.servePage(w, status, pageData{Title: title, Message: msg, UserCode: code})
}
