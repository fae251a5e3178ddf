package simulation

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/openwan/openwan-infra/config"
)

// prod is the config Pulumi.prod.yaml deploys.
func prod(t testing.TB) config.Config {
	t.Helper()
	cfg, err := config.FromStackFile("..", "prod")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func simulate(t testing.TB, cfg config.Config, trace string) *Result {
	t.Helper()
	r, err := Simulate(cfg, Builtin[trace](), Defaults())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func fleet(t testing.TB, r *Result, name string) FleetResult {
	t.Helper()
	f, ok := r.Fleet(name)
	if !ok {
		t.Fatalf("no fleet %s in the %s simulation", name, r.Trace)
	}
	return f
}

// TestProdHoldsTheLoadTest: the guide's 1000-user test (2500 requests/minute) is served with
// every API fleet at or under its CPU target once scaled, and never overloaded.
func TestProdHoldsTheLoadTest(t *testing.T) {
	r := simulate(t, prod(t), "load-test")
	for _, name := range []string{"eks-api", "ec2-api"} {
		f := fleet(t, r, name)
		if f.SteadyCPU > f.CPUTarget || f.OverloadMinutes > 0 {
			t.Errorf("%s under the load test: steady CPU %.1f %% (target %.0f), %.1f overloaded minutes; want at or under target, none",
				name, f.SteadyCPU, f.CPUTarget, f.OverloadMinutes)
		}
	}
}

// TestProdReachesCapacityForTheSpike: a 5x spike within one minute. Each HPA round adds what a
// CPU metric saturated at the pods' limit (200 % against 70 %) shows, damped by pods not ready
// yet, and new pods wait for nodes: three rounds of a sync, a node and a pod start bound it.
// The EC2 API (3 instances, 1000 requests/minute each at 70 %) holds the spike without scaling.
func TestProdReachesCapacityForTheSpike(t *testing.T) {
	opts := Defaults()
	bound := 3 * (SyncPeriod + opts.NodeProvision + opts.PodStart)
	r := simulate(t, prod(t), "spike")
	eks := fleet(t, r, "eks-api")
	if len(eks.TimeToCapacity) != 1 || eks.MaxTimeToCapacity < 0 || eks.MaxTimeToCapacity > bound {
		t.Errorf("eks-api reached capacity after %v (%d steps seen), want one step within %v", eks.MaxTimeToCapacity, len(eks.TimeToCapacity), bound)
	}
	if ec2 := fleet(t, r, "ec2-api"); ec2.OverloadMinutes > 0 || ec2.AboveTargetMinutes > 0 {
		t.Errorf("ec2-api: %.1f minutes overloaded, %.1f above target; want none", ec2.OverloadMinutes, ec2.AboveTargetMinutes)
	}
}

// TestProdDoesNotFlap: a flat load with +-20 % noise every 15 s moves no fleet back and forth.
// Scale-down stabilization is what prevents it: without it the test fails.
func TestProdDoesNotFlap(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*config.Config)
		flaps  bool
	}{
		{"prod", func(*config.Config) {}, false},
		{"no scale-down stabilization", func(c *config.Config) { c.API.ScaleDown.StabilizationSeconds = 0 }, true},
	} {
		cfg := prod(t)
		tc.change(&cfg)
		r := simulate(t, cfg, "noisy")
		reversals := 0
		for _, f := range r.Fleets {
			reversals += f.Reversals
		}
		if (reversals > 0) != tc.flaps {
			t.Errorf("%s: %d reversals on the noisy trace, want flapping %v", tc.name, reversals, tc.flaps)
		}
	}
}

// TestBusinessWeekCost: the EC2 path's week, schedules and spot included, costs no more than
// the guide's monthly estimate (3 x t3.medium + 2 x c5.xlarge, $339.30) scaled to a week; so
// does the EKS path's node pools.
func TestBusinessWeekCost(t *testing.T) {
	cfg := prod(t)
	week := 339.30 * (7 * 24) / float64(cfg.Capacity.HoursPerMonth)
	r := simulate(t, cfg, "business-week")
	ec2 := fleet(t, r, "ec2-api").CostUSD + fleet(t, r, "ec2-worker").CostUSD
	eks := fleet(t, r, "eks-api").CostUSD + fleet(t, r, "eks-worker").CostUSD
	if ec2 > week || eks > week || ec2 <= 0 || eks <= 0 {
		t.Errorf("business week: EC2 $%.2f, EKS $%.2f; want each within the guide's $%.2f a week", ec2, eks, week)
	}
}

// TestSchedulesPrewarmBusinessHours: the API group is at 5 instances from Monday 8:00, down to
// the schedule's minimum of 3 by the quiet evening (the scale-in alarm), and back to 2 from
// 22:00, in its time zone.
func TestSchedulesPrewarmBusinessHours(t *testing.T) {
	f := fleet(t, simulate(t, prod(t), "business-week"), "ec2-api")
	at := func(d time.Duration) float64 { return f.Series.Desired[int(d/time.Minute)] }
	for _, tc := range []struct {
		at   time.Duration
		want float64
	}{
		{7*time.Hour + 59*time.Minute, 2}, // the night's scale-in from 3
		{8*time.Hour + 1*time.Minute, 5},
		{12 * time.Hour, 5},
		{21*time.Hour + 59*time.Minute, 3},
		{22*time.Hour + 1*time.Minute, 2},
	} {
		if got := at(tc.at); got != tc.want {
			t.Errorf("ec2-api desired on Monday at %v = %v, want %v", tc.at, got, tc.want)
		}
	}
}

// TestSpotInterruptionIsReplaced: two worker instances reclaimed are relaunched and in service
// again within the boot time.
func TestSpotInterruptionIsReplaced(t *testing.T) {
	opts := Defaults()
	opts.Interruptions = []Interruption{{At: 30 * time.Minute, Fleet: "ec2-worker", Count: 2}}
	r, err := Simulate(prod(t), Builtin["load-test"](), opts)
	if err != nil {
		t.Fatal(err)
	}
	f := fleet(t, r, "ec2-worker")
	before, during, after := f.Series.Ready[29], f.Series.Ready[30], f.Series.Ready[32]
	if during != before-2 || after != before {
		t.Errorf("ec2-worker ready around the interruption = %v, %v, %v; want %v, %v, %v", before, during, after, before, before-2, before)
	}
}

// TestQueueBurstScalesWorkersToTheirMaximum: 1000 jobs drive KEDA's queue trigger and the
// worker group's backlog tracking to their maxima.
func TestQueueBurstScalesWorkersToTheirMaximum(t *testing.T) {
	cfg := prod(t)
	r := simulate(t, cfg, "queue-burst")
	for name, max := range map[string]float64{"eks-worker": float64(cfg.Worker.Replicas.Max), "ec2-worker": float64(cfg.EC2.Worker.Size.Max)} {
		f := fleet(t, r, name)
		peak := 0.0
		for _, d := range f.Series.Desired {
			peak = maxf(peak, d)
		}
		if peak != max {
			t.Errorf("%s peaked at %v replicas during the burst, want its maximum %v", name, peak, max)
		}
	}
}

func maxf(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}

func TestCSVRoundTrip(t *testing.T) {
	in := Builtin["spike"]()
	var buf bytes.Buffer
	if err := WriteCSV(&buf, in); err != nil {
		t.Fatal(err)
	}
	out, err := ReadCSV("spike", &buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Points) != len(in.Points) || out.Points[20] != in.Points[20] {
		t.Errorf("round trip: %d points, point 20 %+v; want %d, %+v", len(out.Points), out.Points[20], len(in.Points), in.Points[20])
	}
}

func TestReadCSVRejects(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"time,rpm\n0,1\n", `want a header "seconds,requests_per_minute,queue_depth"`},
		{"seconds,requests_per_minute,queue_depth\n60,1,0\n", "line 2: the first row must be at 0 seconds"},
		{"seconds,requests_per_minute,queue_depth\n0,1,0\n0,2,0\n", "line 3: 0 s is not after the previous row"},
		{"seconds,requests_per_minute,queue_depth\n0,-5,0\n", `line 2: requests_per_minute "-5" is not a number >= 0`},
	} {
		_, err := ReadCSV("mine", strings.NewReader(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ReadCSV(%q) = %v, want %q", tc.in, err, tc.want)
		}
	}
}

// BenchmarkMonth simulates 30 days of 15 s steps for every prod fleet and reports the steps per
// second (go test -bench Month ./simulation).
func BenchmarkMonth(b *testing.B) {
	cfg := prod(b)
	week := Builtin["business-week"]()
	month := Trace{Name: "month", Start: week.Start}
	for w := range 5 {
		for _, p := range week.Points {
			if at := p.At + time.Duration(w)*7*24*time.Hour; at < 30*24*time.Hour {
				p.At = at
				month.Points = append(month.Points, p)
			}
		}
	}
	b.ResetTimer()
	steps := 0
	for b.Loop() {
		r, err := Simulate(cfg, month, Defaults())
		if err != nil {
			b.Fatal(err)
		}
		steps += r.Steps * len(r.Fleets)
	}
	b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "fleet-steps/s")
}
