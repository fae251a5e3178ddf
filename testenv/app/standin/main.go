// Command standin stands in for the OpenWan API container in the test environment.
//
// It answers probes like the real API does and spends a known amount of CPU per request, so the
// environment can exercise what the platform builds around the API (Deployment rollouts,
// readiness gating, graceful termination, CPU-based autoscaling) without building the API itself.
// Each answer names the pod that served it, so a client can see load spread across replicas.
//
// Configuration is by environment only, as a Deployment sets it:
//
//	PORT                  listen port (default 8080)
//	STANDIN_CPU_MILLIS    CPU milliseconds per request when the request has no cpuMillis (default 10)
//	STANDIN_DRAIN_SECONDS how long in-flight requests may take to finish after SIGTERM (default 25,
//	                      below the pod's default terminationGracePeriodSeconds of 30)
//
// It writes no files, so it runs as uid 10001 on a read-only root filesystem.
package main

import (
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

func main() {
	logger := log.New(os.Stderr, "standin: ", log.LstdFlags|log.LUTC)
	if err := run(logger); err != nil {
		logger.Print(err)
		os.Exit(1)
	}
	logger.Print("exited")
}

func run(logger *log.Logger) error {
	port := envOr("PORT", "8080")
	cpu, err := parseCPUMillis(envOr("STANDIN_CPU_MILLIS", "10"))
	if err != nil {
		return fmt.Errorf("STANDIN_CPU_MILLIS: %w", err)
	}
	drainSecs, err := strconv.Atoi(envOr("STANDIN_DRAIN_SECONDS", "25"))
	if err != nil || drainSecs < 0 {
		return fmt.Errorf("STANDIN_DRAIN_SECONDS %q: want a whole number of seconds >= 0", os.Getenv("STANDIN_DRAIN_SECONDS"))
	}
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}

	// Subscribe before listening: a SIGTERM that arrives as soon as the port is open must drain,
	// not kill the process with the default action.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)

	ln, err := net.Listen("tcp", ":"+port)
	if err != nil {
		return err
	}
	return serve(ln, newServer(host, cpu), sigs, time.Duration(drainSecs)*time.Second, logger)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
