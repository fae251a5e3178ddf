package main

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestParseCPUMillis(t *testing.T) {
	for _, tc := range []struct {
		raw     string
		want    time.Duration
		wantErr string
	}{
		{raw: "0", want: 0},
		{raw: "10", want: 10 * time.Millisecond},
		{raw: "10000", want: 10 * time.Second},
		{raw: "10001", wantErr: "out of range 0..10000"},
		{raw: "-1", wantErr: "out of range 0..10000"},
		{raw: "", wantErr: "not a whole number"},
		{raw: "1.5", wantErr: "not a whole number"},
		{raw: "ten", wantErr: "not a whole number"},
	} {
		got, err := parseCPUMillis(tc.raw)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("parseCPUMillis(%q) = %v, %v; want error containing %q", tc.raw, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("parseCPUMillis(%q) = %v, %v; want %v", tc.raw, got, err, tc.want)
		}
	}
}

// get sends one request to h in-process and returns its status and body.
func get(t *testing.T, h http.Handler, target string) (int, string, http.Header) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	return rec.Code, rec.Body.String(), rec.Header()
}

func TestWork(t *testing.T) {
	var burned []time.Duration
	s := newServer("pod-a", 7*time.Millisecond)
	s.burn = func(_ context.Context, d time.Duration) { burned = append(burned, d) }
	h := s.routes()

	code, body, hdr := get(t, h, "/")
	if code != 200 || !strings.Contains(body, "pod-a") || hdr.Get("X-Served-By") != "pod-a" {
		t.Errorf("GET / = %d %q %v; want 200 naming pod-a in body and X-Served-By", code, body, hdr)
	}
	if code, _, _ = get(t, h, "/work?cpuMillis=50"); code != 200 {
		t.Errorf("GET /work?cpuMillis=50 = %d; want 200", code)
	}
	if want := []time.Duration{7 * time.Millisecond, 50 * time.Millisecond}; !slices.Equal(burned, want) {
		t.Errorf("burned %v; want %v (the default, then the query's)", burned, want)
	}
	for _, q := range []string{"?cpuMillis=", "?cpuMillis=x", "?cpuMillis=10001", "?cpuMillis=-5"} {
		code, body, _ := get(t, h, "/"+q)
		if code != http.StatusBadRequest || !strings.Contains(body, "cpuMillis") {
			t.Errorf("GET /%s = %d %q; want 400 explaining cpuMillis", q, code, body)
		}
	}
	if len(burned) != 2 {
		t.Errorf("bad requests burned CPU: %v", burned)
	}
}

func TestProbes(t *testing.T) {
	s := newServer("pod-a", 0)
	h := s.routes()
	for _, p := range []string{"/health", "/healthz", "/livez", "/ready", "/readyz"} {
		if code, body, _ := get(t, h, p); code != 200 || strings.TrimSpace(body) != "ok" {
			t.Errorf("GET %s = %d %q; want 200 ok", p, code, body)
		}
	}
	close(s.stopping)
	for _, p := range []string{"/ready", "/readyz"} {
		if code, _, _ := get(t, h, p); code != http.StatusServiceUnavailable {
			t.Errorf("GET %s after shutdown began = %d; want 503", p, code)
		}
	}
	for _, p := range []string{"/health", "/healthz", "/livez"} {
		if code, _, _ := get(t, h, p); code != 200 {
			t.Errorf("GET %s after shutdown began = %d; want 200: liveness must not fail while draining", p, code)
		}
	}
}

// start runs serve on a loopback port with a burn the test controls: each request signals on
// started and then waits for release. Nothing waits on the clock.
func start(t *testing.T, drain time.Duration) (s *server, addr string, sigs chan os.Signal, started chan struct{}, release chan struct{}, done chan error, logs *syncBuffer) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s = newServer("pod-a", 0)
	started, release = make(chan struct{}, 1), make(chan struct{})
	s.burn = func(context.Context, time.Duration) { started <- struct{}{}; <-release }
	sigs, done, logs = make(chan os.Signal, 1), make(chan error, 1), &syncBuffer{}
	go func() { done <- serve(ln, s, sigs, drain, log.New(logs, "", 0)) }()
	return s, ln.Addr().String(), sigs, started, release, done, logs
}

func TestInFlightRequestCompletesAcrossShutdown(t *testing.T) {
	s, addr, sigs, started, release, done, logs := start(t, time.Hour)

	type result struct {
		code int
		body string
		err  error
	}
	res := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/work?cpuMillis=2000")
		if err != nil {
			res <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		res <- result{resp.StatusCode, string(b), err}
	}()

	<-started
	sigs <- syscall.SIGTERM
	<-s.stopping
	if code, _, _ := get(t, s.routes(), "/ready"); code != http.StatusServiceUnavailable {
		t.Errorf("/ready during drain = %d; want 503", code)
	}
	close(release)

	r := <-res
	if r.err != nil || r.code != 200 || !strings.Contains(r.body, "pod-a") {
		t.Errorf("in-flight request = %d %q %v; want 200 from pod-a", r.code, r.body, r.err)
	}
	if err := <-done; err != nil {
		t.Errorf("serve = %v; want nil after a clean drain", err)
	}
	if _, err := net.Dial("tcp", addr); err == nil {
		t.Errorf("a new connection was accepted after shutdown")
	}
	for _, want := range []string{"started on", "SIGTERM received", "drained 1 in-flight"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
}

func TestDrainTimeoutIsAnError(t *testing.T) {
	_, addr, sigs, started, release, done, _ := start(t, 0)
	defer close(release)
	go func() {
		if resp, err := http.Get("http://" + addr + "/"); err == nil {
			resp.Body.Close()
		}
	}()
	<-started
	sigs <- syscall.SIGTERM
	err := <-done
	if err == nil || !strings.Contains(err.Error(), "1 of 1 in-flight requests unfinished") {
		t.Errorf("serve = %v; want an error counting the unfinished request", err)
	}
}
