package simulation

import (
	"fmt"
	"time"

	"github.com/openwan/openwan-infra/config"
)

// Readiness is what the capacity a stack keeps ready buys, next to what it costs: the time to
// capacity of the built-in 5x spike, scaled to the stack's openwan:capacity.api.peakRequestsPerMinute,
// with and without it.
type Readiness struct {
	// Headroom is the EKS API's time to capacity on the spike with the stack's headroom and
	// with none; nil off EKS or without headroom.
	Headroom *WithAndWithout `json:"headroom,omitempty"`
	// WarmPool is how long a launched EC2 API instance takes to serve from the warm pool and
	// from a cold boot; nil without a warm pool.
	WarmPool *WithAndWithout `json:"warmPool,omitempty"`
}

// WithAndWithout is one figure with the ready capacity and without it (s; -1: never).
type WithAndWithout struct {
	// WithSeconds and WithoutSeconds are the figure with and without (s).
	WithSeconds    float64 `json:"withSeconds"`
	WithoutSeconds float64 `json:"withoutSeconds"`
}

// ReadinessOf replays the spike through cfg and through cfg without its headroom.
func ReadinessOf(cfg config.Config, opts Options) (Readiness, error) {
	var r Readiness
	if h := cfg.Cluster.Headroom; cfg.Cluster.EKS() && h.APIPods+h.WorkerPods > 0 {
		with, err := spikeTimeToCapacity(cfg, opts)
		if err != nil {
			return r, err
		}
		bare := cfg
		bare.Cluster.Headroom.APIPods, bare.Cluster.Headroom.WorkerPods = 0, 0
		without, err := spikeTimeToCapacity(bare, opts)
		if err != nil {
			return r, err
		}
		r.Headroom = &WithAndWithout{WithSeconds: seconds(with), WithoutSeconds: seconds(without)}
	}
	if cfg.EC2.Enabled && cfg.EC2.API.WarmPool.Size > 0 {
		cold := opts.InstanceBoot
		if cold == 0 {
			cold = time.Duration(cfg.Capacity.ColdStartSeconds) * time.Second
		}
		r.WarmPool = &WithAndWithout{WithSeconds: opts.WarmStart.Seconds(), WithoutSeconds: cold.Seconds()}
	}
	return r, nil
}

// spikeTimeToCapacity is the EKS API's longest time to capacity on the spike trace, scaled to
// the stack's peak: the spike it is sized for.
func spikeTimeToCapacity(cfg config.Config, opts Options) (time.Duration, error) {
	trace, ok := Builtin("spike", float64(cfg.Capacity.API.PeakRequestsPerMinute))
	if !ok {
		return 0, fmt.Errorf("the spike trace at openwan:capacity.api.peakRequestsPerMinute %d: no such trace",
			cfg.Capacity.API.PeakRequestsPerMinute)
	}
	res, err := Simulate(cfg, trace, opts)
	if err != nil {
		return 0, err
	}
	f, _ := res.Fleet("eks-api")
	return f.MaxTimeToCapacity, nil
}

func seconds(d time.Duration) float64 {
	if d < 0 {
		return -1
	}
	return d.Seconds()
}
