package capacity

import (
	"errors"
	"fmt"
	"math"

	"github.com/openwan/openwan-infra/config"
)

// RequestsPerMinute is what one API unit (a pod with cpuMillis of CPU request, or an instance
// with cpuMillis of vCPU) serves while its CPU sits at targetPercent. The guide measured
// c.RequestsPerMinute on a reference instance at c.AtCPUPercent; throughput scales with the CPU
// a unit may use.
func RequestsPerMinute(c config.Capacity, cpuMillis, targetPercent int) (float64, error) {
	ref, err := Lookup("capacity.api.referenceInstanceType", c.API.ReferenceInstanceType)
	if err != nil {
		return 0, err
	}
	perMilliAtReference := float64(c.API.RequestsPerMinute) / (float64(c.API.AtCPUPercent) / 100 * float64(ref.VCPU*1000))
	return perMilliAtReference * float64(cpuMillis) * float64(targetPercent) / 100, nil
}

// ReplicasFor is how many units serving perUnit requests/minute each carry peak.
func ReplicasFor(peak, perUnit float64) int {
	if perUnit <= 0 {
		return 0
	}
	// Round first: 2500 / (1000 x 70/70) must be 3, not 3.0000000001 -> 4.
	return int(math.Ceil(math.Round(peak/perUnit*1e6) / 1e6))
}

// JobsPerInstance is how many transcoding jobs one worker instance of type t runs at once: as
// many as its vCPUs and its memory hold at the guide's per-job needs (4 on a c5.xlarge).
func JobsPerInstance(w config.WorkerCapacity, t InstanceType) int {
	return max(0, min(t.VCPU*1000/w.JobCPUMillis, t.MemoryMiB/w.JobMemoryMiB))
}

// APIThroughput is what each API fleet serves at its maximum, at its CPU target.
type APIThroughput struct {
	// EKS is the API pods' requests/minute at openwan:api.replicas.max (0 without the EKS path).
	EKS float64 `json:"eksRequestsPerMinute"`
	// EC2 is the API instances' requests/minute at the group's maximum (0 without EC2): the
	// highest its scheduled actions set, openwan:ec2.api.size.max unless they all cap it.
	EC2 float64 `json:"ec2RequestsPerMinute"`
	// Peak is the load each fleet must carry (openwan:capacity.api.peakRequestsPerMinute).
	Peak int `json:"peakRequestsPerMinute"`
}

// Throughput computes APIThroughput and refuses a fleet whose maximum cannot carry the peak,
// naming the key to raise and the count it needs.
func Throughput(cfg config.Config) (APIThroughput, error) {
	out := APIThroughput{Peak: cfg.Capacity.API.PeakRequestsPerMinute}
	peak := float64(out.Peak)
	var errs []error
	if cfg.Cluster.Enabled {
		perPod, err := RequestsPerMinute(cfg.Capacity, cfg.API.Resources.Requests.CPUMillis, cfg.API.Targets.CPUPercent)
		if err != nil {
			return out, err
		}
		out.EKS = perPod * float64(cfg.API.Replicas.Max)
		if out.EKS < peak {
			errs = append(errs, fmt.Errorf("openwan:api.replicas.max: %d pods serve %.0f requests/minute at %d %% CPU (%.0f each at %dm), below openwan:capacity.api.peakRequestsPerMinute %d; need %d",
				cfg.API.Replicas.Max, out.EKS, cfg.API.Targets.CPUPercent, perPod, cfg.API.Resources.Requests.CPUMillis, out.Peak, ReplicasFor(peak, perPod)))
		}
	}
	if cfg.EC2.Enabled {
		t, err := Lookup("ec2.api.instanceType", cfg.EC2.API.InstanceType)
		if err != nil {
			return out, err
		}
		perInstance, err := RequestsPerMinute(cfg.Capacity, t.VCPU*1000, cfg.EC2.API.Targets.CPUPercent)
		if err != nil {
			return out, err
		}
		levels, err := GroupLevels(cfg.EC2.API.Fleet, cfg.EC2.TimeZone)
		if err != nil {
			return out, err
		}
		maxKey, most := "openwan:ec2.api.size.max", int(levels.Max)
		if most < cfg.EC2.API.Size.Max {
			maxKey = "openwan:ec2.api.schedules (their highest max)"
		}
		out.EC2 = perInstance * float64(most)
		if out.EC2 < peak {
			errs = append(errs, fmt.Errorf("%s: %d instances serve %.0f requests/minute at %d %% CPU (%.0f per %s), below openwan:capacity.api.peakRequestsPerMinute %d; need %d",
				maxKey, most, out.EC2, cfg.EC2.API.Targets.CPUPercent, perInstance, cfg.EC2.API.InstanceType, out.Peak, ReplicasFor(peak, perInstance)))
		}
	}
	return out, errors.Join(errs...)
}

// WorkerInstanceJobs is how many jobs each EC2 worker instance runs (its WORKER_CONCURRENCY):
// what the smallest of openwan:ec2.worker.instanceTypes holds, so any type the group launches
// can carry it.
func WorkerInstanceJobs(cfg config.Config) (int, error) {
	name, t, err := Smallest("ec2.worker.instanceTypes", cfg.EC2.Worker.InstanceTypes)
	if err != nil {
		return 0, err
	}
	jobs := JobsPerInstance(cfg.Capacity.Worker, t)
	if jobs < 1 {
		return 0, fmt.Errorf("openwan:capacity.worker: one job (%dm CPU, %d MiB) does not fit a %s of openwan:ec2.worker.instanceTypes",
			cfg.Capacity.Worker.JobCPUMillis, cfg.Capacity.Worker.JobMemoryMiB, name)
	}
	return jobs, nil
}
