// Command fakedify is a fake Dify server for difyctl's black-box tests. It
// serves the /openapi/v1 device-flow and session endpoints with the
// server's canonical (newest) behaviour, plus test-only control endpoints
// under /_fake/. See README.md.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "fakedify:", err)
		os.Exit(2)
	}
}

// run starts the server, prints the "listening on" line to stdout and serves
// until ctx is cancelled.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	def := DefaultConfig()
	fs := flag.NewFlagSet("fakedify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "listen address (port 0 = random)")
	autoApprove := fs.Bool("auto-approve", false, "approve every device code as soon as it is issued (with -email/-name)")
	email := fs.String("email", def.Email, "default account email for approvals")
	name := fs.String("name", def.Name, "default account name for approvals")
	interval := fs.Float64("interval", def.Interval.Seconds(), "device-flow poll interval in seconds (fractions allowed)")
	ttl := fs.Float64("ttl", def.TTL.Seconds(), "device-code lifetime in seconds")
	useTLS := fs.Bool("tls", false, "serve https with a self-signed certificate (plain http is also accepted on the same port)")
	basePath := fs.String("base-path", "", "serve the API and /device under this path prefix, e.g. /dify")
	minVersion := fs.String("min-version", def.MinVersion, "minimum difyctl version (User-Agent difyctl/X.Y.Z) before 426")
	logReq := fs.Bool("log", false, "log one line per API request to stderr")
	certOut := fs.String("cert-out", "", "with -tls: write the certificate (PEM) to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}

	cfg := Config{
		AutoApprove: *autoApprove,
		Email:       *email,
		Name:        *name,
		Interval:    durationFromSeconds(*interval),
		TTL:         durationFromSeconds(*ttl),
		BasePath:    *basePath,
		MinVersion:  *minVersion,
		TLS:         *useTLS,
	}
	srv, err := NewServer(cfg)
	if err != nil {
		return err
	}
	if *logReq {
		srv.logOut = stderr
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	tcpAddr := ln.Addr().(*net.TCPAddr)
	host := tcpAddr.IP.String()
	if tcpAddr.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	scheme := "http"
	if *useTLS {
		listenHost, _, _ := net.SplitHostPort(*addr)
		cert, certPEM, err := selfSignedCert(listenHost)
		if err != nil {
			ln.Close()
			return err
		}
		srv.certPEM = certPEM
		if *certOut != "" {
			if err := os.WriteFile(*certOut, certPEM, 0o644); err != nil {
				ln.Close()
				return err
			}
		}
		ln = newMuxListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
		scheme = "https"
	}

	baseCtx, cancelBase := context.WithCancel(context.Background())
	defer cancelBase()
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 30 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return baseCtx },
		ErrorLog:          nil,
	}
	if !*logReq {
		hs.ErrorLog = discardLogger()
	}

	serveErr := make(chan error, 1)
	go func() { serveErr <- hs.Serve(ln) }()

	fmt.Fprintf(stdout, "listening on %s://%s\n", scheme, net.JoinHostPort(host, strconv.Itoa(tcpAddr.Port)))
	if f, ok := stdout.(interface{ Sync() error }); ok {
		_ = f.Sync()
	}

	select {
	case <-ctx.Done():
	case err := <-serveErr:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
	cancelBase() // wake slow_headers / endless_body handlers
	shCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := hs.Shutdown(shCtx); err != nil {
		_ = hs.Close()
	}
	return nil
}

func discardLogger() *log.Logger { return log.New(io.Discard, "", 0) }
