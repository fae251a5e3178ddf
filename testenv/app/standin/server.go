package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
)

// maxCPUMillis bounds the CPU one request may ask for, so a typo cannot pin a core for minutes.
const maxCPUMillis = 10000

// server holds the state the handlers share: who this pod is, the default cost of a request,
// and whether shutdown has begun.
type server struct {
	hostname   string
	defaultCPU time.Duration
	// burn spends CPU for one request; a field so tests can replace it with something they
	// control instead of racing the clock.
	burn func(ctx context.Context, d time.Duration)
	// stopping is closed when shutdown begins; readiness reads it, and tests wait on it.
	stopping chan struct{}
	inflight atomic.Int64
}

func newServer(hostname string, defaultCPU time.Duration) *server {
	return &server{hostname: hostname, defaultCPU: defaultCPU, burn: burnCPU, stopping: make(chan struct{})}
}

// parseCPUMillis reads a CPU cost in whole milliseconds, 0..maxCPUMillis.
func parseCPUMillis(raw string) (time.Duration, error) {
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, fmt.Errorf("cpuMillis %q is not a whole number of milliseconds", raw)
	}
	if n < 0 || n > maxCPUMillis {
		return 0, fmt.Errorf("cpuMillis %d is out of range 0..%d", n, maxCPUMillis)
	}
	return time.Duration(n) * time.Millisecond, nil
}

// routes answers the probe paths a Deployment may use; every other path is a unit of work.
func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	for _, p := range []string{"/health", "/healthz", "/livez"} {
		mux.HandleFunc(p, func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
	}
	for _, p := range []string{"/ready", "/readyz"} {
		mux.HandleFunc(p, s.ready)
	}
	mux.HandleFunc("/", s.work)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.inflight.Add(1)
		defer s.inflight.Add(-1)
		mux.ServeHTTP(w, r)
	})
}

// ready fails once shutdown has begun, so the endpoints controller stops sending new traffic
// while in-flight requests still finish.
func (s *server) ready(w http.ResponseWriter, _ *http.Request) {
	select {
	case <-s.stopping:
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
	default:
		io.WriteString(w, "ok\n")
	}
}

// work spends the request's CPU, then names the pod that served it.
func (s *server) work(w http.ResponseWriter, r *http.Request) {
	cpu := s.defaultCPU
	if q := r.URL.Query(); q.Has("cpuMillis") {
		var err error
		if cpu, err = parseCPUMillis(q.Get("cpuMillis")); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
	}
	s.burn(r.Context(), cpu)
	w.Header().Set("X-Served-By", s.hostname)
	fmt.Fprintf(w, "served by %s (%d ms cpu)\n", s.hostname, cpu.Milliseconds())
}

// serve answers on ln until a signal arrives on sigs, then drains: readiness fails, the listener
// closes, and requests already in flight get up to drain to finish. It returns nil only after a
// clean drain, so the exit status tells whether requests were cut off.
func serve(ln net.Listener, s *server, sigs <-chan os.Signal, drain time.Duration, logger *log.Logger) error {
	srv := &http.Server{Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	logger.Printf("started on %s as %s (default %d ms cpu per request, drain %s)",
		ln.Addr(), s.hostname, s.defaultCPU.Milliseconds(), drain)

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case sig := <-sigs:
		logger.Printf("%s received: not ready, draining", signalName(sig))
	}
	close(s.stopping)
	n := s.inflight.Load()
	ctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		left := s.inflight.Load()
		srv.Close()
		return fmt.Errorf("drain: %d of %d in-flight requests unfinished after %s: %w", left, n, drain, err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Printf("drained %d in-flight", n)
	return nil
}

// signalName spells the signals serve stops on as a reader of the log knows them.
func signalName(sig os.Signal) string {
	switch sig {
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGINT:
		return "SIGINT"
	}
	return sig.String()
}
