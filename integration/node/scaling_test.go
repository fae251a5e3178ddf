//go:build integration

package node

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/capacity"
	"github.com/openwan/openwan-infra/simulation"
)

const apiName = "openwan-api"

// TestGuideScalingTests deploys the local stack onto the real node and runs the guide's four
// scaling tests on it, in an order that lets each start from where the last left the cluster:
// cold start (the first pods), load-based scaling against the simulator, graceful shutdown under
// load, and manual scaling (with the cold start of the pods it adds).
func TestGuideScalingTests(t *testing.T) {
	ctx := context.Background()
	stack, cfg := deploy(t)
	t.Cleanup(func() { _, _ = stack.Destroy(ctx) })
	ns := cfg.App.Namespace
	out := filepath.Join(env.Cache, "node-suite")
	require.NoError(t, os.MkdirAll(out, 0o755))
	// The CPU one request costs (ms): the capacity plan's, so the simulator's pods and the real
	// ones do the same work per request.
	perCore, err := capacity.RequestsPerMinute(cfg.Capacity, 1000, 100)
	require.NoError(t, err)
	cpuPerRequest := int(math.Round(60000 / perCore))
	coldStartLimit := time.Duration(cfg.Capacity.ColdStartSeconds) * time.Second

	var coldStart time.Duration
	t.Run("cold start of the first pods", func(t *testing.T) {
		starts := podStarts(t, ns)
		require.Len(t, starts, cfg.API.Replicas.Min, "the API runs at its minimum")
		for pod, d := range starts {
			t.Logf("cold start %s: %v (creation to Ready)", pod, d)
			assert.LessOrEqual(t, d, coldStartLimit, "%s: the guide's cold start, openwan:capacity.coldStartSeconds", pod)
			coldStart = max(coldStart, d)
		}
	})

	t.Run("load-based scaling agrees with the simulator", func(t *testing.T) {
		waitForMetrics(t, ns)
		memory := hpaMetric(get(t, hpaPath(ns)), "memory")
		peak := float64(cfg.Capacity.API.PeakRequestsPerMinute)
		// The simulator's spike (20 % of the peak, the peak, 20 % again), its minutes shortened: 2
		// at the base, 4 at the peak, 3 back at the base, at the stack's own peak.
		phases := []struct {
			minutes int
			share   float64
		}{{2, 0.2}, {4, 1}, {3, 0.2}}
		trace := simulation.Trace{Name: "spike, shortened", Start: time.Now().UTC()}
		minute := 0
		for _, p := range phases {
			for range p.minutes {
				trace.Points = append(trace.Points, simulation.Point{At: time.Duration(minute) * time.Minute, RequestsPerMinute: p.share * peak})
				minute++
			}
		}

		l := newLoad(ns, apiName)
		runCtx, stop := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); l.run(runCtx) }()
		var real []sample
		begin := time.Now()
		for _, p := range trace.Points {
			l.setRate(p.RequestsPerMinute/60, cpuPerRequest)
			real = append(real, sampleUntil(t, ns, begin, begin.Add(p.At+time.Minute), p.RequestsPerMinute)...)
		}
		stop()
		wg.Wait()
		t.Logf("load: %d sent, %d ok, %d failed %v", l.sent.Load(), l.ok.Load(), l.failed.Load(), l.firstFailures())

		opts := simulation.Defaults()
		opts.Settle = 0 // deployed just now: at its minimum, no history
		// The pods' start as measured on this node, to the simulator's step: the model's
		// PodStart is an assumption about a node, and this is the node.
		opts.PodStart = max(opts.Step, coldStart.Round(opts.Step))
		// The stand-in's memory does not follow its CPU: its measured share, flat.
		opts.MemoryIdlePercent, opts.MemoryPerCPU = memory, 0
		opts.RecordEvery = opts.Step // every sync, to hold the real samples against
		res, err := simulation.Simulate(cfg, trace, opts)
		require.NoError(t, err)
		sim, ok := res.Fleet("k8s-api")
		require.True(t, ok)

		rows := compare(real, sim.Series)
		writeComparison(t, out, rows, real, sim.Series)
		for _, r := range rows {
			t.Logf("minute %d: load %4.0f/min  real %v pods (CPU %3.0f %%)  simulated %v pods (CPU %3.0f %%)", r.minute, r.load, r.real, r.realCPU, r.sim, r.simCPU)
		}
		var maxReal float64
		for _, s := range real {
			maxReal = max(maxReal, s.desired)
		}
		maxSim := slices.Max(sim.Series.Desired)
		// The real HPA asks for what the simulated one asked for at most lagTolerance earlier:
		// the real metrics pipeline (the kubelet's CPU window, metrics-server's 15 s resolution,
		// the HPA's 15 s sync) reads a load step 15 to 45 s after the simulator's instant
		// metrics do. No replica of tolerance: at every sample, the real count is one the
		// simulator held within that window.
		const lagTolerance = time.Minute
		for _, s := range real {
			lo, hi := simWindow(sim.Series, s.at-lagTolerance, s.at)
			assert.True(t, s.desired >= lo && s.desired <= hi, "at %v the real HPA asked for %v pods; the simulated one asked for %v to %v in the minute before",
				s.at.Round(time.Second), s.desired, lo, hi)
		}
		assert.Equal(t, maxSim, maxReal, "the peak replica count")
		assert.Greater(t, maxReal, float64(cfg.API.Replicas.Min), "the spike scaled the API out")
		assert.Zero(t, l.failed.Load(), "no request failed while the API scaled: %v", l.firstFailures())
	})

	t.Run("graceful shutdown under load", func(t *testing.T) {
		l := newLoad(ns, apiName)
		runCtx, stop := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); l.run(runCtx) }()
		l.setRate(20, 5) // 20 cheap requests a second: many answers to lose, little CPU
		time.Sleep(10 * time.Second)
		before := readyReplicas(t, ns)
		victim, ip := servingPod(t, ns, cfg.API.Port)

		// Slow requests in flight on the victim when it is told to stop: they must complete.
		var slow sync.WaitGroup
		slowOK := make([]bool, 3)
		for i := range slowOK {
			slow.Add(1)
			go func() { defer slow.Done(); _, slowOK[i] = l.request(ip, 3000) }()
		}
		time.Sleep(500 * time.Millisecond)
		deleted := time.Now()
		require.NoError(t, kube.Delete(ctx, "/api/v1/namespaces/"+ns+"/pods/"+victim))
		slow.Wait()
		var replacement string
		var ready time.Duration
		waitFor(t, 3*time.Minute, func() string {
			for pod, d := range podReadyAfter(t, ns, deleted) {
				replacement, ready = pod, d
				return ""
			}
			return "no replacement pod is Ready yet"
		})
		time.Sleep(20 * time.Second) // the victim's preStop sleep and drain, under load
		stop()
		wg.Wait()
		t.Logf("deleted %s with %d ready; replacement %s Ready %v after the delete; load: %d sent, %d ok, %d failed",
			victim, before, replacement, ready.Round(time.Second), l.sent.Load(), l.ok.Load(), l.failed.Load())
		assert.Equal(t, []bool{true, true, true}, slowOK, "the requests in flight on the stopped pod completed")
		assert.Zero(t, l.failed.Load(), "no request failed: %v", l.firstFailures())
		assert.LessOrEqual(t, ready, coldStartLimit, "the replacement is Ready within the guide's 60 s")
	})

	t.Run("manual scaling spreads traffic over the new pods", func(t *testing.T) {
		target := cfg.API.Replicas.Max - 1
		scaled := time.Now()
		require.NoError(t, kube.Patch(ctx, "/apis/apps/v1/namespaces/"+ns+"/deployments/"+apiName+"/scale",
			map[string]any{"spec": map[string]any{"replicas": target}}))
		waitFor(t, 3*time.Minute, func() string {
			if n := readyReplicas(t, ns); n < target {
				return fmt.Sprintf("%d of %d replicas ready", n, target)
			}
			return ""
		})
		for pod, d := range podReadyAfter(t, ns, scaled) {
			t.Logf("cold start %s: %v", pod, d)
			assert.LessOrEqual(t, d, coldStartLimit, "%s: the guide's cold start", pod)
		}
		l := newLoad(ns, apiName)
		eps, err := readyEndpoints(ctx, ns, apiName)
		require.NoError(t, err)
		require.Len(t, eps, target, "every new pod is an endpoint")
		l.endpoints = eps
		for range 50 * target {
			_, ok := l.request(l.pick(), 1)
			require.True(t, ok, "%v", l.firstFailures())
		}
		served := l.served()
		t.Logf("answers per pod: %v", served)
		assert.Len(t, served, target, "every pod answered")
		for pod, n := range served {
			assert.GreaterOrEqual(t, n, 25, "%s took its share of the traffic", pod)
		}
	})
}

// sample is the API's state at one moment of the load test.
type sample struct {
	at               time.Duration
	load             float64 // requests/minute sent
	desired, current float64 // the HPA's
	cpu              float64 // the HPA's CPU utilization (percent of request)
}

// sampleUntil records the HPA every 5 s until end.
func sampleUntil(t *testing.T, ns string, begin, end time.Time, load float64) []sample {
	var out []sample
	for time.Now().Before(end) {
		h := get(t, hpaPath(ns))
		status, _ := h["status"].(map[string]any)
		desired, _ := status["desiredReplicas"].(float64)
		current, _ := status["currentReplicas"].(float64)
		out = append(out, sample{at: time.Since(begin), load: load, desired: desired, current: current, cpu: hpaMetric(h, "cpu")})
		time.Sleep(min(5*time.Second, time.Until(end)))
	}
	return out
}

type row struct {
	minute          int
	load, real, sim float64
	realCPU, simCPU float64
}

// compare pairs the real HPA's desired replicas at the end of each minute with the simulator's
// at the same moment, for the log and the CSV.
func compare(real []sample, sim simulation.Series) []row {
	var rows []row
	for m := 1; ; m++ {
		end := time.Duration(m) * time.Minute
		var last *sample
		for j := range real {
			if real[j].at <= end {
				last = &real[j]
			}
		}
		if last == nil || end > real[len(real)-1].at+time.Minute {
			return rows
		}
		i, ok := slices.BinarySearch(sim.At, end)
		if !ok {
			i--
		}
		i = min(max(i, 0), len(sim.At)-1)
		rows = append(rows, row{minute: m, load: last.load, real: last.desired, sim: sim.Desired[i], realCPU: last.cpu, simCPU: sim.CPU[i]})
	}
}

// simWindow is the least and the most replicas the simulator asked for at its samples in
// [from, to], and at the last sample before from (what it held then).
func simWindow(sim simulation.Series, from, to time.Duration) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for i, at := range sim.At {
		if at > to {
			break
		}
		if at >= from || i+1 < len(sim.At) && sim.At[i+1] > from {
			lo, hi = min(lo, sim.Desired[i]), max(hi, sim.Desired[i])
		}
	}
	return lo, hi
}

func hpaPath(ns string) string {
	return "/apis/autoscaling/v2/namespaces/" + ns + "/horizontalpodautoscalers/" + apiName + "-hpa"
}

// hpaMetric is the HPA's current average utilization of a resource (percent), 0 when unknown.
func hpaMetric(h map[string]any, resource string) float64 {
	status, _ := h["status"].(map[string]any)
	metrics, _ := status["currentMetrics"].([]any)
	for _, m := range metrics {
		r, _ := m.(map[string]any)["resource"].(map[string]any)
		if r["name"] == resource {
			cur, _ := r["current"].(map[string]any)
			v, _ := cur["averageUtilization"].(float64)
			return v
		}
	}
	return 0
}

// waitForMetrics waits until the HPA reads the API's CPU from metrics-server.
func waitForMetrics(t *testing.T, ns string) {
	start := time.Now()
	waitFor(t, 3*time.Minute, func() string {
		h := get(t, hpaPath(ns))
		status, _ := h["status"].(map[string]any)
		metrics, _ := status["currentMetrics"].([]any)
		if len(metrics) == 0 {
			return "the HPA has no metrics yet"
		}
		for _, m := range metrics {
			r, _ := m.(map[string]any)["resource"].(map[string]any)
			if cur, _ := r["current"].(map[string]any); cur["averageUtilization"] == nil {
				return "the HPA has no utilization yet"
			}
		}
		return ""
	})
	t.Logf("the HPA reads metrics-server's figures %v after the load test asked", time.Since(start).Round(time.Second))
}

func apiPods(t *testing.T, ns string) []map[string]any {
	list := get(t, "/api/v1/namespaces/"+ns+"/pods?labelSelector=app.kubernetes.io/name="+apiName)
	items, _ := list["items"].([]any)
	var out []map[string]any
	for _, i := range items {
		out = append(out, i.(map[string]any))
	}
	return out
}

// readyAt is when a pod became Ready, and whether it is.
func readyAt(pod map[string]any) (time.Time, bool) {
	status, _ := pod["status"].(map[string]any)
	conds, _ := status["conditions"].([]any)
	for _, c := range conds {
		cond, _ := c.(map[string]any)
		if cond["type"] == "Ready" && cond["status"] == "True" {
			at, err := time.Parse(time.RFC3339, fmt.Sprint(cond["lastTransitionTime"]))
			return at, err == nil
		}
	}
	return time.Time{}, false
}

func created(pod map[string]any) time.Time {
	meta, _ := pod["metadata"].(map[string]any)
	at, _ := time.Parse(time.RFC3339, fmt.Sprint(meta["creationTimestamp"]))
	return at
}

func podName(pod map[string]any) string {
	meta, _ := pod["metadata"].(map[string]any)
	return fmt.Sprint(meta["name"])
}

// podStarts is each Ready, not terminating API pod's time from creation to Ready (to the second,
// the API's resolution).
func podStarts(t *testing.T, ns string) map[string]time.Duration {
	out := map[string]time.Duration{}
	for _, p := range apiPods(t, ns) {
		if meta, _ := p["metadata"].(map[string]any); meta["deletionTimestamp"] != nil {
			continue
		}
		if at, ok := readyAt(p); ok {
			out[podName(p)] = at.Sub(created(p))
		}
	}
	return out
}

// podReadyAfter is podStarts of the pods created at or after since (to the API's second).
func podReadyAfter(t *testing.T, ns string, since time.Time) map[string]time.Duration {
	out := map[string]time.Duration{}
	for _, p := range apiPods(t, ns) {
		if created(p).Before(since.Truncate(time.Second)) {
			continue
		}
		if at, ok := readyAt(p); ok {
			out[podName(p)] = at.Sub(created(p))
		}
	}
	return out
}

func readyReplicas(t *testing.T, ns string) int {
	d := get(t, "/apis/apps/v1/namespaces/"+ns+"/deployments/"+apiName)
	status, _ := d["status"].(map[string]any)
	n, _ := status["readyReplicas"].(float64)
	return int(n)
}

// servingPod is a Ready API pod's name and "ip:port", port being the API container's.
func servingPod(t *testing.T, ns string, port int) (string, string) {
	for _, p := range apiPods(t, ns) {
		if _, ok := readyAt(p); ok {
			status, _ := p["status"].(map[string]any)
			return podName(p), fmt.Sprintf("%v:%d", status["podIP"], port)
		}
	}
	t.Fatal("no Ready API pod")
	return "", ""
}

// writeComparison writes the real and simulated replicas as CSV and as one SVG picture.
func writeComparison(t *testing.T, dir string, rows []row, real []sample, sim simulation.Series) {
	var csv strings.Builder
	csv.WriteString("minute,requests_per_minute,real_replicas,simulated_replicas,real_cpu_percent,simulated_cpu_percent\n")
	for _, r := range rows {
		fmt.Fprintf(&csv, "%d,%.0f,%.0f,%.0f,%.0f,%.0f\n", r.minute, r.load, r.real, r.sim, r.realCPU, r.simCPU)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "real-vs-simulated.csv"), []byte(csv.String()), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "real-vs-simulated.svg"), []byte(comparisonSVG(real, sim)), 0o644))
	t.Logf("wrote %s", filepath.Join(dir, "real-vs-simulated.{csv,svg}"))
}

// comparisonSVG plots the load and the real (every 5 s) and simulated (every minute) replica
// counts over the test's minutes.
func comparisonSVG(real []sample, sim simulation.Series) string {
	const w, h, left, top, bottom = 720.0, 300.0, 50.0, 30.0, 40.0
	end := real[len(real)-1].at.Minutes()
	maxPods := 1.0
	maxLoad := 1.0
	for _, s := range real {
		maxPods, maxLoad = max(maxPods, s.desired, s.current), max(maxLoad, s.load)
	}
	maxPods = max(maxPods, slices.Max(sim.Desired)) + 1
	x := func(min float64) float64 { return left + (w-left-20)*min/end }
	y := func(v, top2 float64) float64 { return top + (h-top-bottom)*(1-v/top2) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" font-family="sans-serif" font-size="12">`, w, h)
	b.WriteString(`<rect width="100%" height="100%" fill="white"/>`)
	fmt.Fprintf(&b, `<text x="%.0f" y="18">API replicas on the real node (HPA desired, every 5 s) and simulated (every minute), under the shortened spike</text>`, left)
	for p := 0.0; p <= maxPods; p++ {
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#ddd"/><text x="%.0f" y="%.1f" text-anchor="end">%.0f</text>`, left, w-20, y(p, maxPods), y(p, maxPods), left-6, y(p, maxPods)+4, p)
	}
	for m := 0.0; m <= end; m++ {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" text-anchor="middle">%.0f</text>`, x(m), h-bottom+16, m)
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" text-anchor="middle">minutes</text>`, (w+left)/2, h-6)
	line := func(color, dash string, pts [][2]float64) {
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" stroke-dasharray="%s" points="`, color, dash)
		for _, p := range pts {
			fmt.Fprintf(&b, "%.1f,%.1f ", p[0], p[1])
		}
		b.WriteString(`"/>`)
	}
	var loadPts, realPts, simPts [][2]float64
	for _, s := range real {
		loadPts = append(loadPts, [2]float64{x(s.at.Minutes()), y(s.load, maxLoad*1.1)})
		realPts = append(realPts, [2]float64{x(s.at.Minutes()), y(s.desired, maxPods)})
	}
	for i, at := range sim.At {
		if at.Minutes() <= end {
			simPts = append(simPts, [2]float64{x(at.Minutes()), y(sim.Desired[i], maxPods)})
		}
	}
	line("#bbb", "4 3", loadPts)
	line("#1f77b4", "", realPts)
	line("#d62728", "6 4", simPts)
	legend := []struct{ color, label string }{{"#1f77b4", "real (HPA desired)"}, {"#d62728", "simulated"}, {"#bbb", "load (requests/minute, scaled)"}}
	for i, l := range legend {
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="12" height="3" fill="%s"/><text x="%.0f" y="%.0f">%s</text>`, w-230, top+8+float64(i)*16, l.color, w-212, top+12+float64(i)*16, l.label)
	}
	b.WriteString(`</svg>`)
	return b.String()
}
