package capacity

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/config/configtest"
)

func TestRequestsPerMinuteFollowsTheGuide(t *testing.T) {
	c := config.Defaults().Capacity
	// The guide's "API Service (per instance)": a t3.medium (2 vCPU) serves ~1000 requests/minute,
	// its scale-out trigger at the 70 % CPU target. Throughput scales with the CPU a unit may use.
	const guideRPM = 1000.0
	tests := []struct {
		name          string
		cpuMillis     int
		targetPercent int
		want          float64
	}{
		{"t3.medium at 70 %: the guide's ~1000 requests/minute", 2000, 70, guideRPM},
		{"t3.medium at half the target", 2000, 35, guideRPM / 2},
		{"c5.xlarge, twice the vCPUs, at 70 %", 4000, 70, guideRPM * 2},
		{"an API pod of 500m, a quarter of a t3.medium, at 70 % of its request", 500, 70, guideRPM / 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.InDelta(t, tt.want, rate(t, c, tt.cpuMillis, tt.targetPercent), 1e-9,
				"RequestsPerMinute(%dm, %d %%)", tt.cpuMillis, tt.targetPercent)
		})
	}
}

func TestRequestsPerMinuteRefusesAnUnknownReference(t *testing.T) {
	c := config.Defaults().Capacity
	c.API.ReferenceInstanceType = "t9.huge"
	_, err := RequestsPerMinute(c, 2000, 70)
	assert.ErrorContains(t, err, `openwan:capacity.api.referenceInstanceType: unknown instance type "t9.huge"`,
		"a reference type without vCPUs cannot scale the measured rate")
}

func TestReplicasForThePeak(t *testing.T) {
	tenth := 0.1 // a variable: 0.1 + 0.2 is then computed in float64, 0.30000000000000004
	tests := []struct {
		name          string
		peak, perUnit float64
		want          int
	}{
		{"the guide: 2500 req/min at 1000 per t3.medium is its baseline of 3", 2500, 1000, 3},
		{"the same load on 500m API pods", 2500, 250, 10},
		{"one request over whole units takes one more", 3001, 1000, 4},
		{"no load, no units", 0, 1000, 0},
		{"a unit that serves nothing cannot carry any", 2500, 0, 0},
		{"a quotient a float error above a whole count is that count", tenth + 2*tenth, tenth, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, ReplicasFor(tt.peak, tt.perUnit), "ReplicasFor(%v, %v)", tt.peak, tt.perUnit)
		})
	}
}

func TestJobsPerInstance(t *testing.T) {
	w := config.Defaults().Capacity.Worker // 1000m and 1536 MiB a job
	tests := []struct {
		name string
		want int
		why  string
	}{
		{"c5.xlarge", 4, "the guide's 4 transcoding jobs: 4 vCPUs (8 GiB holds 5)"},
		{"c5.2xlarge", 8, "8 vCPUs bind (16 GiB holds 10)"},
		{"m5.xlarge", 4, "4 vCPUs bind (16 GiB holds 10)"},
		{"c5.large", 2, "2 vCPUs, and 4 GiB holds 2"},
		{"t3.medium", 2, "2 vCPUs, and 4 GiB holds 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, JobsPerInstance(w, instance(t, tt.name)), "JobsPerInstance(%s): %s", tt.name, tt.why)
		})
	}
	bigJobs := config.WorkerCapacity{JobCPUMillis: 1000, JobMemoryMiB: 3072}
	assert.Equal(t, 2, JobsPerInstance(bigJobs, instance(t, "c5.xlarge")),
		"memory binds when jobs need more of it: 8 GiB holds 2 jobs of 3 GiB, though 4 vCPUs would run 4")
	assert.Zero(t, JobsPerInstance(config.WorkerCapacity{JobCPUMillis: 5000, JobMemoryMiB: 1}, instance(t, "c5.xlarge")),
		"a job larger than the instance: none, never a negative count")
}

func TestThroughput(t *testing.T) {
	cfg := configtest.Prod(t)
	got, err := Throughput(cfg)
	require.NoError(t, err, "prod's API fleets carry its peak at their maxima")

	perPod := rate(t, cfg.Capacity, cfg.API.Resources.Requests.CPUMillis, cfg.API.Targets.CPUPercent)
	apiType := instance(t, cfg.EC2.API.InstanceType)
	perInstance := rate(t, cfg.Capacity, apiType.VCPU*1000, cfg.EC2.API.Targets.CPUPercent)
	assert.Equal(t, cfg.Capacity.API.PeakRequestsPerMinute, got.Peak, "the peak is openwan:capacity.api.peakRequestsPerMinute")
	assert.Equal(t, float64(cfg.API.Replicas.Max)*perPod, got.EKS,
		"the API pods serve openwan:api.replicas.max times one pod's rate (prod: 20 pods x 250 at 500m)")
	assert.Equal(t, float64(cfg.EC2.API.Size.Max)*perInstance, got.EC2,
		"the API group serves openwan:ec2.api.size.max times one instance's rate (prod: 10 x 1000 per t3.medium)")

	// One unit short of the peak on both paths: each is refused with the count it needs, and that
	// count carries the peak.
	peak := float64(cfg.Capacity.API.PeakRequestsPerMinute)
	pods, instances := ReplicasFor(peak, perPod), ReplicasFor(peak, perInstance) // prod: 10 and 3
	require.Greater(t, instances, 1, "precondition: prod's peak needs more than one API instance")
	small := configtest.Prod(t)
	small.API.Replicas.Max = pods - 1
	small = withAPIMax(small, instances-1)
	_, err = Throughput(small)
	want := fmt.Sprintf("openwan:api.replicas.max: %d pods serve %.0f requests/minute at %d %% CPU (%.0f each at %dm), below openwan:capacity.api.peakRequestsPerMinute %d; need %d\n"+
		"openwan:ec2.api.size.max: %d instances serve %.0f requests/minute at %d %% CPU (%.0f per %s), below openwan:capacity.api.peakRequestsPerMinute %d; need %d",
		pods-1, float64(pods-1)*perPod, cfg.API.Targets.CPUPercent, perPod, cfg.API.Resources.Requests.CPUMillis, cfg.Capacity.API.PeakRequestsPerMinute, pods,
		instances-1, float64(instances-1)*perInstance, cfg.EC2.API.Targets.CPUPercent, perInstance, cfg.EC2.API.InstanceType, cfg.Capacity.API.PeakRequestsPerMinute, instances)
	require.Error(t, err, "maxima one unit short of the peak must be refused")
	assert.Equal(t, want, err.Error(), "both fleets are refused at once, each naming its key, its rate and the count it needs")

	enough := configtest.Prod(t)
	enough.API.Replicas.Max = pods
	enough = withAPIMax(enough, instances)
	_, err = Throughput(enough)
	assert.NoError(t, err, "the counts the refusal asks for (%d pods, %d instances) carry the peak", pods, instances)
}

// TestThroughputCountsTheMaxTheSchedulesSet: once its scheduled actions cap the API group below
// openwan:ec2.api.size.max, it never reaches that size, so the capacity plan counts their highest
// max, and a refusal names them.
func TestThroughputCountsTheMaxTheSchedulesSet(t *testing.T) {
	cfg := configtest.Prod(t)
	perInstance := rate(t, cfg.Capacity, instance(t, cfg.EC2.API.InstanceType).VCPU*1000, cfg.EC2.API.Targets.CPUPercent)
	instances := ReplicasFor(float64(cfg.Capacity.API.PeakRequestsPerMinute), perInstance) // prod: 3
	require.Greater(t, cfg.EC2.API.Size.Max, instances, "precondition: prod's size carries the peak")
	require.NotEmpty(t, cfg.EC2.API.Schedules, "precondition: prod's API group has scheduled actions")
	for _, a := range cfg.EC2.API.Schedules {
		a.Min, a.Max = new(instances-1), new(instances-1)
		a.Desired = instances - 1
	}
	got, err := Throughput(cfg)
	assert.Equal(t, float64(instances-1)*perInstance, got.EC2, "the API group serves at the highest max of its actions, not its size")
	assert.EqualError(t, err, fmt.Sprintf("openwan:ec2.api.schedules (their highest max): %d instances serve %.0f requests/minute at %d %% CPU (%.0f per %s), below openwan:capacity.api.peakRequestsPerMinute %d; need %d",
		instances-1, float64(instances-1)*perInstance, cfg.EC2.API.Targets.CPUPercent, perInstance, cfg.EC2.API.InstanceType, cfg.Capacity.API.PeakRequestsPerMinute, instances))
}

func TestThroughputSkipsDisabledPaths(t *testing.T) {
	cfg := configtest.Prod(t)
	cfg.Cluster.Enabled = false
	cfg.EC2.Enabled = false
	cfg.API.Replicas.Max = 0 // would be refused if the EKS path were judged
	got, err := Throughput(cfg)
	require.NoError(t, err, "a path that is off carries no load")
	assert.Zero(t, got.EKS, "no API pods without the EKS path")
	assert.Zero(t, got.EC2, "no API instances without the EC2 path")
}

func TestWorkerInstanceJobsFollowTheSmallestType(t *testing.T) {
	cfg := configtest.Prod(t)
	cfg.EC2.Worker.InstanceTypes = append(cfg.EC2.Worker.InstanceTypes, "c5.large") // smaller than prod's 4-vCPU types
	jobs, err := WorkerInstanceJobs(cfg)
	require.NoError(t, err)
	assert.Equal(t, JobsPerInstance(cfg.Capacity.Worker, instance(t, "c5.large")), jobs,
		"each worker instance runs what the smallest of openwan:ec2.worker.instanceTypes holds, whichever type the group launches")

	cfg.Capacity.Worker.JobCPUMillis = instance(t, "c5.large").VCPU*1000 + 1
	_, err = WorkerInstanceJobs(cfg)
	assert.ErrorContains(t, err, fmt.Sprintf("openwan:capacity.worker: one job (%dm CPU, %d MiB) does not fit a c5.large of openwan:ec2.worker.instanceTypes",
		cfg.Capacity.Worker.JobCPUMillis, cfg.Capacity.Worker.JobMemoryMiB), "a job larger than the smallest worker type is refused, naming it")
}
