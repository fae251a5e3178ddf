package capacity

import (
	"math"
	"strings"
	"testing"

	"github.com/openwan/openwan-infra/config"
)

// prod is the defaults completed as Pulumi.prod.yaml completes them: the guide's numbers.
func prod() config.Config {
	c := config.Defaults()
	c.Capacity.Database.MaxConnections = 1500
	return c
}

func TestRequestsPerMinuteFollowsTheGuide(t *testing.T) {
	c := config.Defaults().Capacity
	tests := []struct {
		name          string
		cpuMillis     int
		targetPercent int
		want          float64
	}{
		{"t3.medium at 70 %: the guide's ~1000 requests/minute", 2000, 70, 1000},
		{"t3.medium at 35 %", 2000, 35, 500},
		{"c5.xlarge (4 vCPU) at 70 %", 4000, 70, 2000},
		{"an API pod of 500m at 70 % of its request", 500, 70, 250},
	}
	for _, tt := range tests {
		got, err := RequestsPerMinute(c, tt.cpuMillis, tt.targetPercent)
		if err != nil || math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("%s: RequestsPerMinute(%d, %d) = %v, %v, want %v", tt.name, tt.cpuMillis, tt.targetPercent, got, err, tt.want)
		}
	}
}

func TestReplicasForThePeak(t *testing.T) {
	tests := []struct {
		peak, perUnit float64
		want          int
	}{
		{2500, 1000, 3}, // the guide: 2500 req/min at 70 % CPU on t3.medium -> its baseline of 3
		{2500, 250, 10}, // the same load on 500m API pods
		{3001, 1000, 4},
		{0, 1000, 0},
		{2500, 0, 0},
	}
	for _, tt := range tests {
		if got := ReplicasFor(tt.peak, tt.perUnit); got != tt.want {
			t.Errorf("ReplicasFor(%v, %v) = %d, want %d", tt.peak, tt.perUnit, got, tt.want)
		}
	}
}

func TestJobsPerInstance(t *testing.T) {
	w := config.Defaults().Capacity.Worker
	for name, want := range map[string]int{"c5.xlarge": 4, "c5.2xlarge": 8, "m5.xlarge": 4, "c5.large": 2, "t3.medium": 2} {
		if got := JobsPerInstance(w, InstanceTypes[name]); got != want {
			t.Errorf("JobsPerInstance(%s) = %d, want %d", name, got, want)
		}
	}
	// Memory binds when jobs need more of it: 8 GiB holds 2 jobs of 3 GiB.
	if got := JobsPerInstance(config.WorkerCapacity{JobCPUMillis: 1000, JobMemoryMiB: 3072}, InstanceTypes["c5.xlarge"]); got != 2 {
		t.Errorf("JobsPerInstance(c5.xlarge, 3 GiB jobs) = %d, want 2", got)
	}
}

func TestThroughput(t *testing.T) {
	got, err := Throughput(prod())
	if err != nil || got.EKS != 5000 || got.EC2 != 10000 || got.Peak != 2500 {
		t.Errorf("Throughput(prod) = %+v, %v, want 5000 (20 pods x 250) and 10000 (10 x 1000) against 2500", got, err)
	}
	small := prod()
	small.API.Replicas.Max = 6
	small.EC2.API.Size.Max = 2
	_, err = Throughput(small)
	want := "openwan:api.replicas.max: 6 pods serve 1500 requests/minute at 70 % CPU (250 each at 500m), below openwan:capacity.api.peakRequestsPerMinute 2500; need 10\n" +
		"openwan:ec2.api.size.max: 2 instances serve 2000 requests/minute at 70 % CPU (1000 per t3.medium), below openwan:capacity.api.peakRequestsPerMinute 2500; need 3"
	if err == nil || err.Error() != want {
		t.Errorf("Throughput(small maxima) = %v, want\n%s", err, want)
	}
}

func TestDatabaseBudget(t *testing.T) {
	b := DatabaseBudget(prod())
	if b.Total != 1250 || b.Available != 1480 {
		t.Errorf("DatabaseBudget(prod) = %d of %d, want 1250 of 1480", b.Total, b.Available)
	}
	if err := b.Check(prod().Capacity.Database); err != nil {
		t.Errorf("prod budget: %v", err)
	}
	tight := prod()
	tight.Capacity.Database.MaxConnections = 500 // 20 API pods x 25 is already 500
	err := DatabaseBudget(tight).Check(tight.Capacity.Database)
	want := "openwan:capacity.database.maxConnections: 500 minus 20 reserved leaves 480, below the 1250 connections the fleets open at their maxima " +
		"(openwan:api 20 x 25 = 500, openwan:worker 10 x 25 = 250, openwan:ec2.api 10 x 25 = 250, openwan:ec2.worker 10 x 25 = 250); " +
		"raise max_connections, or lower a maximum or a dbPoolSize"
	if err == nil || err.Error() != want {
		t.Errorf("tight budget = %v, want\n%s", err, want)
	}
	eksOnly := prod()
	eksOnly.EC2.Enabled = false
	if b := DatabaseBudget(eksOnly); b.Total != 750 || len(b.Users) != 2 {
		t.Errorf("DatabaseBudget(EKS only) = %d over %d fleets, want 750 over the API and worker pods", b.Total, len(b.Users))
	}
}

func TestMonthlyReproducesTheGuidesEstimate(t *testing.T) {
	c := config.Defaults().Capacity
	api := Monthly(3, c.Prices["t3.medium"], c.HoursPerMonth)
	workers := Monthly(2, c.Prices["c5.xlarge"], c.HoursPerMonth)
	// "API: 3 instances x t3.medium x 730 hours x $0.0416 = ~$91/month"
	// "Workers: 2 instances x c5.xlarge x 730 hours x $0.17 = ~$248/month", "~$340/month".
	if cents(api) != 91.10 || cents(workers) != 248.20 || cents(api+workers) != 339.30 {
		t.Errorf("Monthly = %.2f + %.2f = %.2f, want 91.10 + 248.20 = 339.30", api, workers, api+workers)
	}
}

// TestCostOfTheGuidesBaseline prices the guide's own baseline through Cost: three API instances
// and two on-demand c5.xlarge workers, no schedules.
func TestCostOfTheGuidesBaseline(t *testing.T) {
	c := prod()
	c.Cluster.Enabled = false
	c.EC2.API.Schedules = nil
	c.EC2.Worker.OnDemandBase = 2
	got, err := Cost(c)
	if err != nil {
		t.Fatal(err)
	}
	want := Split{OnDemand: 339.30, Spot: 0, Total: 339.30}
	if got.MonthlyUSD.Baseline != want {
		t.Errorf("Cost(guide baseline).Baseline = %+v, want %+v", got.MonthlyUSD.Baseline, want)
	}
	// At the maximum: 10 t3.medium on demand, 2 c5.xlarge on demand and 8 on spot at half price.
	max := Split{OnDemand: cents(Monthly(10, 0.0416, 730) + Monthly(2, 0.17, 730)), Spot: cents(Monthly(8, 0.085, 730))}
	max.Total = cents(max.OnDemand + max.Spot)
	if got.MonthlyUSD.Max != max {
		t.Errorf("Cost(guide baseline).Max = %+v, want %+v", got.MonthlyUSD.Max, max)
	}
	// Reserving the on-demand minimum (2 + 2) at 40 % off.
	if want := cents(0.4 * (Monthly(2, 0.0416, 730) + Monthly(2, 0.17, 730))); got.ReservedSavingsUSD != want {
		t.Errorf("ReservedSavingsUSD = %v, want %v", got.ReservedSavingsUSD, want)
	}
}

func TestCostOfProdByFleet(t *testing.T) {
	got, err := Cost(prod())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Levels[float64]{
		"openwan:cluster.nodePools.api":     {Min: 2, Baseline: 3, Max: 10},
		"openwan:cluster.nodePools.workers": {Min: 2, Baseline: 2, Max: 5},
		"openwan:ec2.api":                   {Min: 2, Baseline: 3.25, Max: 10}, // 5 for 70 business hours, 2 for 98
		"openwan:ec2.worker":                {Min: 2, Baseline: 2, Max: 10},
	}
	if len(got.Fleets) != len(want) {
		t.Fatalf("Cost(prod) has %d fleets, want %d", len(got.Fleets), len(want))
	}
	for _, f := range got.Fleets {
		if f.Instances != want[f.Fleet] {
			t.Errorf("%s instances = %+v, want %+v", f.Fleet, f.Instances, want[f.Fleet])
		}
	}
	// The spot pool is all spot at half price: 2 c5.xlarge nodes, $124.10.
	if w := got.Fleets[1].MonthlyUSD.Baseline; w != (Split{OnDemand: 0, Spot: 124.10, Total: 124.10}) {
		t.Errorf("spot node pool baseline = %+v, want all spot, 124.10", w)
	}
	// The EC2 workers keep one on-demand instance under spot.
	if w := got.Fleets[3].MonthlyUSD.Baseline; w != (Split{OnDemand: 124.10, Spot: 62.05, Total: 186.15}) {
		t.Errorf("EC2 worker baseline = %+v, want 124.10 on demand + 62.05 spot", w)
	}
	if got.MonthlyUSD.Baseline.Total != 500.05 {
		t.Errorf("prod baseline total = %v, want 500.05", got.MonthlyUSD.Baseline.Total)
	}
}

func TestScheduledBaseline(t *testing.T) {
	f := config.Defaults().EC2.API.Fleet
	got, err := ScheduledBaseline(f, "Europe/Berlin")
	if err != nil || got != 3.25 {
		t.Errorf("ScheduledBaseline(guide schedules) = %v, %v, want 3.25", got, err)
	}
	f.Schedules = nil
	if got, _ := ScheduledBaseline(f, "UTC"); got != 3 {
		t.Errorf("ScheduledBaseline(no schedules) = %v, want the desired 3", got)
	}
}

func TestCheckReportsEveryProblem(t *testing.T) {
	c := prod()
	c.Capacity.Database.MaxConnections = 500
	c.API.Replicas.Max = 6
	delete(c.Capacity.Prices, "c5.xlarge")
	_, err := Check(c)
	for _, want := range []string{
		"openwan:api.replicas.max: 6 pods serve 1500 requests/minute",
		"openwan:capacity.database.maxConnections: 500 minus 20 reserved leaves 480, below the 900 connections",
		"openwan:capacity.prices: no price for c5.xlarge (openwan:cluster.nodePools.workers.instanceTypes[0])",
		"openwan:capacity.prices: no price for c5.xlarge (openwan:ec2.worker.instanceTypes[0])",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Check() = %v, want it to contain %q", err, want)
		}
	}
	if _, err := Check(prod()); err != nil {
		t.Errorf("Check(prod) = %v, want nil", err)
	}
}

func TestNodeFitCountsKEDA(t *testing.T) {
	c := prod()
	c.Cluster.NodePools.API.Size.Max = 8 // holds 20 API pods and the add-ons without KEDA
	if err := CheckNodeFit(c); err != nil {
		t.Fatalf("without KEDA: %v", err)
	}
	c.Cluster.KEDA.Enabled = true
	c.Cluster.KEDA.Requests = config.Quantity{CPUMillis: 500, MemoryMiB: 512} // add-ons then need a second node
	if err := CheckNodeFit(c); err == nil || !strings.Contains(err.Error(), "openwan:cluster.nodePools.api.size.max: 8 nodes cannot hold") {
		t.Errorf("with KEDA's three pods: %v, want the API pool refused", err)
	}
}
