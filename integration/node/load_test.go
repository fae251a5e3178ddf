//go:build integration

package node

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// load is a bounded, open-loop load generator spreading requests over the ready endpoints of a
// Service, as a load balancer with IP targets does (the AWS Load Balancer Controller's `ip` target
// type sends to pod IPs): it reads the Service's EndpointSlices every 200 ms and sends only to the
// endpoints marked ready, so a terminating pod leaves its rotation when Kubernetes says so.
// Requests go out at the set rate whatever the answers take (open loop), at most maxInFlight at
// once; one beyond that is counted as failed, never queued.
type load struct {
	ns, service string
	client      *http.Client

	rate      atomic.Uint64 // requests per second, as math.Float64bits
	cpuMillis atomic.Int64  // CPU each request costs the pod (ms), the stand-in's cpuMillis

	mu        sync.Mutex
	endpoints []string       // ready "ip:port"
	servedBy  map[string]int // X-Served-By (the pod's name) -> answers
	failures  []string       // the first failures, for the report
	next      int

	sent, ok, failed atomic.Int64
	inFlight         atomic.Int64
}

const maxInFlight = 200

func newLoad(ns, service string) *load {
	return &load{ns: ns, service: service, servedBy: map[string]int{},
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
}

// setRate sets the requests per second and the CPU milliseconds each costs.
func (l *load) setRate(perSecond float64, cpuMillis int) {
	l.rate.Store(math.Float64bits(perSecond))
	l.cpuMillis.Store(int64(cpuMillis))
}

// run sends requests until ctx ends, then waits for those in flight.
func (l *load) run(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	go l.watchEndpoints(ctx)
	next := time.Now()
	for ctx.Err() == nil {
		rate := math.Float64frombits(l.rate.Load())
		if rate <= 0 {
			next = time.Now().Add(100 * time.Millisecond)
			sleepUntil(ctx, next)
			continue
		}
		next = next.Add(time.Duration(float64(time.Second) / rate))
		if lag := time.Since(next); lag > time.Second {
			next = time.Now() // a stalled sender does not burst to catch up
		}
		sleepUntil(ctx, next)
		if ctx.Err() != nil {
			return
		}
		target := l.pick()
		l.sent.Add(1)
		if target == "" || l.inFlight.Load() >= maxInFlight {
			l.fail(fmt.Sprintf("no ready endpoint or %d in flight", maxInFlight))
			continue
		}
		wg.Add(1)
		l.inFlight.Add(1)
		go func() {
			defer wg.Done()
			defer l.inFlight.Add(-1)
			l.request(target, int(l.cpuMillis.Load()))
		}()
	}
}

// request sends one request to an endpoint and records the answer.
func (l *load) request(target string, cpuMillis int) (servedBy string, ok bool) {
	resp, err := l.client.Get(fmt.Sprintf("http://%s/work?cpuMillis=%d", target, cpuMillis))
	if err != nil {
		l.fail(err.Error())
		return "", false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		l.fail(fmt.Sprintf("%s: %s", target, resp.Status))
		return "", false
	}
	by := resp.Header.Get("X-Served-By")
	l.ok.Add(1)
	l.mu.Lock()
	l.servedBy[by]++
	l.mu.Unlock()
	return by, true
}

func (l *load) fail(msg string) {
	l.failed.Add(1)
	l.mu.Lock()
	if len(l.failures) < 10 {
		l.failures = append(l.failures, msg)
	}
	l.mu.Unlock()
}

func (l *load) pick() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.endpoints) == 0 {
		return ""
	}
	l.next = (l.next + 1) % len(l.endpoints)
	return l.endpoints[l.next]
}

// served is a copy of the answers per pod.
func (l *load) served() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]int{}
	for k, v := range l.servedBy {
		out[k] = v
	}
	return out
}

func (l *load) firstFailures() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.failures...)
}

// watchEndpoints keeps the ready endpoints of the Service, from its EndpointSlices.
func (l *load) watchEndpoints(ctx context.Context) {
	for ctx.Err() == nil {
		if eps, err := readyEndpoints(ctx, l.ns, l.service); err == nil {
			l.mu.Lock()
			l.endpoints = eps
			l.mu.Unlock()
		}
		sleepUntil(ctx, time.Now().Add(200*time.Millisecond))
	}
}

// readyEndpoints are the "ip:port" of a Service's endpoints whose ready condition is true.
func readyEndpoints(ctx context.Context, ns, service string) ([]string, error) {
	list, err := kube.Get(ctx, "/apis/discovery.k8s.io/v1/namespaces/"+ns+"/endpointslices?labelSelector=kubernetes.io/service-name="+service)
	if err != nil || list == nil {
		return nil, fmt.Errorf("endpoint slices of %s: %v", service, err)
	}
	var out []string
	items, _ := list["items"].([]any)
	for _, item := range items {
		slice, _ := item.(map[string]any)
		ports, _ := slice["ports"].([]any)
		if len(ports) == 0 {
			continue
		}
		port, _ := ports[0].(map[string]any)["port"].(float64)
		endpoints, _ := slice["endpoints"].([]any)
		for _, e := range endpoints {
			ep, _ := e.(map[string]any)
			cond, _ := ep["conditions"].(map[string]any)
			addrs, _ := ep["addresses"].([]any)
			if ready, _ := cond["ready"].(bool); ready && len(addrs) > 0 {
				out = append(out, fmt.Sprintf("%v:%d", addrs[0], int(port)))
			}
		}
	}
	return out, nil
}

func sleepUntil(ctx context.Context, t time.Time) {
	d := time.Until(t)
	if d <= 0 {
		return
	}
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
