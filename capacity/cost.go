package capacity

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/openwan/openwan-infra/config"
)

// Monthly is the guide's arithmetic: instances x hourly price x hours in a month (USD).
func Monthly(instances, hourlyUSD float64, hoursPerMonth int) float64 {
	return instances * hourlyUSD * float64(hoursPerMonth)
}

// Split is a monthly cost by purchase option (USD per month).
type Split struct {
	// OnDemand is the on-demand instances' cost.
	OnDemand float64 `json:"onDemand"`
	// Spot is the spot instances' cost, at the configured discount.
	Spot float64 `json:"spot"`
	// Total is OnDemand + Spot.
	Total float64 `json:"total"`
}

func (s Split) plus(o Split) Split {
	return Split{OnDemand: s.OnDemand + o.OnDemand, Spot: s.Spot + o.Spot, Total: s.Total + o.Total}
}

func (s Split) rounded() Split {
	return Split{OnDemand: cents(s.OnDemand), Spot: cents(s.Spot), Total: cents(s.Total)}
}

// Levels is one figure at a fleet's minimum, its scheduled baseline and its maximum. A group's
// minimum and maximum are those its scheduled actions really set (GroupLevels).
type Levels[T any] struct {
	// Min is the figure with every fleet at its minimum.
	Min T `json:"min"`
	// Baseline is the figure at each fleet's desired count, weighted over a week by its
	// scheduled actions (business hours up, nights down).
	Baseline T `json:"baseline"`
	// Max is the figure with every fleet at its maximum.
	Max T `json:"max"`
}

// FleetCost is what one fleet costs a month.
type FleetCost struct {
	// Fleet is the fleet's config key, e.g. "openwan:ec2.worker".
	Fleet string `json:"fleet"`
	// InstanceType is the type priced: the fleet's preferred (first) one.
	InstanceType string `json:"instanceType"`
	// Instances are the fleet's counts (instances or nodes; the baseline is a weekly average).
	Instances Levels[float64] `json:"instances"`
	// MonthlyUSD is the fleet's cost at each level.
	MonthlyUSD Levels[Split] `json:"monthlyUSD"`
	// MinReason says why the minimum is above the fleet's own configured minimum, where it is: a
	// node pool keeps the nodes its service's minimum, the headroom and the add-ons need.
	MinReason string `json:"minReason,omitempty"`
}

// StackCost is what a stack costs a month: its instances per fleet and in all (MonthlyUSD, the
// guide's arithmetic), and on top the warm pool's volumes and everything else it creates
// (Platform).
type StackCost struct {
	// Fleets are the node pools and Auto Scaling Groups of the stack.
	Fleets []FleetCost `json:"fleets"`
	// MonthlyUSD is the sum over the fleets.
	MonthlyUSD Levels[Split] `json:"monthlyUSD"`
	// ReservedSavingsUSD is what reserving every fleet's on-demand minimum would save a month
	// at openwan:capacity.reservedDiscountPercent.
	ReservedSavingsUSD float64 `json:"reservedSavingsUSD"`
	// Headroom is the node pools' spare room for placeholder pods; nil without any (or off EKS).
	Headroom *HeadroomCost `json:"headroom,omitempty"`
	// WarmPool is the EC2 API group's stopped instances; nil without a warm pool. Their
	// volumes are on top of MonthlyUSD, which prices instance hours only.
	WarmPool *WarmPoolCost `json:"warmPool,omitempty"`
	// Platform is everything else the stack creates, at the baseline (the EKS control plane,
	// NAT gateways, load balancers, volumes, logs, alarms, the dashboard, KMS keys): on top of
	// MonthlyUSD.
	Platform PlatformCost `json:"platform"`
}

// WarmPoolCost is what the EC2 API group's warm pool (openwan:ec2.api.warmPool) costs: stopped
// instances pay for their volumes only.
type WarmPoolCost struct {
	// Instances is the pool's size; VolumeGiB their root volumes in all (GiB).
	Instances int `json:"instances"`
	VolumeGiB int `json:"volumeGiB"`
	// MonthlyUSD is those volumes a month at openwan:capacity.volumeGiBMonthUSD (USD).
	MonthlyUSD float64 `json:"monthlyUSD"`
}

// HeadroomCost is what the node pools' headroom (openwan:cluster.headroom) adds to the baseline:
// the nodes its placeholders keep beyond those the pools hold anyway.
type HeadroomCost struct {
	// APIPods and WorkerPods are the placeholders per pool (pods).
	APIPods    int `json:"apiPods"`
	WorkerPods int `json:"workerPods"`
	// Nodes is how many more nodes the pools keep at rest for them (nodes).
	Nodes int `json:"nodes"`
	// MonthlyUSD is those nodes' cost a month (USD), part of MonthlyUSD.Baseline and Min.
	MonthlyUSD float64 `json:"monthlyUSD"`
}

// fleet is what pricing needs to know of one fleet.
type fleet struct {
	key, typeKey, instanceType string
	instances                  Levels[float64]
	minReason                  string
	// onDemand is how many of n instances are on-demand; the rest are spot.
	onDemand func(n float64) float64
}

func allOnDemand(n float64) float64 { return n }
func allSpot(float64) float64       { return 0 }

// poolFleet prices a node pool: at rest it holds at least resting nodes (its service's minimum,
// the headroom, the add-ons), at its desired count if that is more.
func poolFleet(key string, p config.NodePool, resting int, why string) fleet {
	f := fleet{key: key, typeKey: key + ".instanceTypes[0]", instanceType: p.InstanceTypes[0], onDemand: allOnDemand,
		instances: Levels[float64]{float64(max(p.Size.Min, resting)), float64(max(p.Desired, resting)), float64(p.Size.Max)}}
	if resting > p.Size.Min {
		f.minReason = fmt.Sprintf("%d nodes hold %s, above %s.size.min %d", resting, why, key, p.Size.Min)
	}
	if p.Spot {
		f.onDemand = allSpot
	}
	return f
}

// eksPools are the two node pools with the given headroom (API pods, worker pods).
func eksPools(cfg config.Config, apiHeadroom, workerHeadroom int) ([]fleet, error) {
	pools := cfg.Cluster.NodePools
	api, err := RestingNodes(pools.API, cfg.API, apiHeadroom, AddOns(cfg), cfg)
	if err != nil {
		return nil, err
	}
	worker, err := RestingNodes(pools.Workers, cfg.Worker, workerHeadroom, config.Quantity{}, cfg)
	if err != nil {
		return nil, err
	}
	// Why a pool rests above its own minimum: what it holds, in the words of the keys that set it.
	why := func(pool config.NodePool, svcKey string, svc config.Service, headroom int, addOns string) string {
		_, node, _ := PoolNode("cluster.nodePools", pool, cfg) // RestingNodes has checked the pool
		text := fmt.Sprintf("openwan:%s.replicas.min %d", svcKey, svc.Replicas.Min)
		if headroom > 0 {
			text += fmt.Sprintf(" and openwan:cluster.headroom's %d placeholders", headroom)
		}
		return text + fmt.Sprintf(" at %d per %s node%s", PodsPerNode(node, svc.Resources.Requests), pool.InstanceTypes[0], addOns)
	}
	return []fleet{
		poolFleet("openwan:cluster.nodePools.api", pools.API, api, why(pools.API, "api", cfg.API, apiHeadroom, ", with the add-ons")),
		poolFleet("openwan:cluster.nodePools.workers", pools.Workers, worker, why(pools.Workers, "worker", cfg.Worker, workerHeadroom, "")),
	}, nil
}

func fleets(cfg config.Config) ([]fleet, error) {
	var out []fleet
	if cfg.Cluster.EKS() {
		h := cfg.Cluster.Headroom
		pools, err := eksPools(cfg, h.APIPods, h.WorkerPods)
		if err != nil {
			return nil, err
		}
		out = append(out, pools...)
	}
	if cfg.EC2.Enabled {
		api, err := GroupLevels(cfg.EC2.API.Fleet, cfg.EC2.TimeZone)
		if err != nil {
			return nil, err
		}
		worker, err := GroupLevels(cfg.EC2.Worker.Fleet, cfg.EC2.TimeZone)
		if err != nil {
			return nil, err
		}
		w := cfg.EC2.Worker
		out = append(out,
			fleet{key: "openwan:ec2.api", typeKey: "openwan:ec2.api.instanceType", instanceType: cfg.EC2.API.InstanceType,
				instances: api, onDemand: allOnDemand},
			fleet{key: "openwan:ec2.worker", typeKey: "openwan:ec2.worker.instanceTypes[0]", instanceType: w.InstanceTypes[0],
				instances: worker, onDemand: func(n float64) float64 {
					base := min(n, float64(w.OnDemandBase))
					return base + (n-base)*float64(w.OnDemandPercentAboveBase)/100
				}})
	}
	return out, nil
}

// GroupLevels are an Auto Scaling Group's instance counts over a week of its scheduled actions:
// the lowest minimum and the highest maximum the actions hold it to, and its desired count
// averaged over the week, the baseline. The group holds its own size and desired count until an
// action fires; each action holds its bounds and desired count from its cron time until the
// next. Without actions the levels are the group's size and desired count.
func GroupLevels(f config.Fleet, timeZone string) (Levels[float64], error) {
	if len(f.Schedules) == 0 {
		return Levels[float64]{float64(f.Size.Min), float64(f.Desired), float64(f.Size.Max)}, nil
	}
	loc, err := time.LoadLocation(timeZone)
	if err != nil {
		return Levels[float64]{}, err
	}
	type action struct {
		cron    config.Cron
		bounds  config.Range
		desired int
	}
	var actions []action
	for _, name := range slices.Sorted(maps.Keys(f.Schedules)) {
		a := f.Schedules[name]
		c, err := config.ParseCron(a.Recurrence)
		if err != nil {
			return Levels[float64]{}, fmt.Errorf("schedule %s: %w", name, err)
		}
		actions = append(actions, action{c, a.Bounds(f.Size), a.Desired})
	}
	// Two weeks from a Monday: the first settles which action holds at the start of a week,
	// the second is measured.
	const week = 7 * 24 * 60
	start := time.Date(2024, time.January, 1, 0, 0, 0, 0, loc)
	held := action{bounds: f.Size, desired: f.Desired}
	lowest, highest, sum := math.MaxInt, 0, 0
	for minute := range 2 * week {
		t := start.Add(time.Duration(minute) * time.Minute)
		for _, a := range actions {
			if a.cron.Matches(t) {
				held = a
			}
		}
		if minute >= week {
			lowest, highest = min(lowest, held.bounds.Min), max(highest, held.bounds.Max)
			sum += held.desired
		}
	}
	return Levels[float64]{float64(lowest), float64(sum) / week, float64(highest)}, nil
}

// Cost prices every fleet of the stack at its minimum, scheduled baseline and maximum, on-demand
// and spot apart, with the prices of openwan:capacity.prices.
func Cost(cfg config.Config) (StackCost, error) {
	c := cfg.Capacity
	fs, err := fleets(cfg)
	if err != nil {
		return StackCost{}, err
	}
	var out StackCost
	var errs []error
	for _, f := range fs {
		price, ok := c.Prices[f.instanceType]
		if !ok {
			errs = append(errs, fmt.Errorf("openwan:capacity.prices: no price for %s (%s)", f.instanceType, f.typeKey))
			continue
		}
		split := func(n float64) Split {
			od := f.onDemand(n)
			s := Split{
				OnDemand: Monthly(od, price, c.HoursPerMonth),
				Spot:     Monthly(n-od, price*(1-float64(c.SpotDiscountPercent)/100), c.HoursPerMonth),
			}
			s.Total = s.OnDemand + s.Spot
			return s
		}
		fc := FleetCost{Fleet: f.key, InstanceType: f.instanceType, MinReason: f.minReason, Instances: Levels[float64]{
			Min: f.instances.Min, Baseline: math.Round(f.instances.Baseline*100) / 100, Max: f.instances.Max,
		}}
		lv := Levels[Split]{split(f.instances.Min), split(f.instances.Baseline), split(f.instances.Max)}
		out.MonthlyUSD = Levels[Split]{out.MonthlyUSD.Min.plus(lv.Min), out.MonthlyUSD.Baseline.plus(lv.Baseline), out.MonthlyUSD.Max.plus(lv.Max)}
		out.ReservedSavingsUSD += lv.Min.OnDemand * float64(c.ReservedDiscountPercent) / 100
		fc.MonthlyUSD = Levels[Split]{lv.Min.rounded(), lv.Baseline.rounded(), lv.Max.rounded()}
		out.Fleets = append(out.Fleets, fc)
	}
	out.MonthlyUSD = Levels[Split]{out.MonthlyUSD.Min.rounded(), out.MonthlyUSD.Baseline.rounded(), out.MonthlyUSD.Max.rounded()}
	out.ReservedSavingsUSD = cents(out.ReservedSavingsUSD)
	if h := cfg.Cluster.Headroom; cfg.Cluster.EKS() && h.APIPods+h.WorkerPods > 0 && len(errs) == 0 {
		hc, err := headroomCost(cfg)
		if err != nil {
			return out, err
		}
		out.Headroom = &hc
	}
	if w := cfg.EC2.API.WarmPool; cfg.EC2.Enabled && w.Size > 0 {
		gib := w.Size * cfg.EC2.API.RootVolumeGiB
		out.WarmPool = &WarmPoolCost{Instances: w.Size, VolumeGiB: gib, MonthlyUSD: cents(float64(gib) * c.VolumeGiBMonthUSD)}
	}
	out.Platform = Platform(cfg, out)
	return out, errors.Join(errs...)
}

// headroomCost is the baseline of the node pools with the headroom less without it.
func headroomCost(cfg config.Config) (HeadroomCost, error) {
	h := cfg.Cluster.Headroom
	with, err := eksPools(cfg, h.APIPods, h.WorkerPods)
	if err != nil {
		return HeadroomCost{}, err
	}
	without, err := eksPools(cfg, 0, 0)
	if err != nil {
		return HeadroomCost{}, err
	}
	out := HeadroomCost{APIPods: h.APIPods, WorkerPods: h.WorkerPods}
	usd := 0.0
	for i, f := range with {
		extra := f.instances.Baseline - without[i].instances.Baseline
		price := cfg.Capacity.Prices[f.instanceType]
		if f.onDemand(1) == 0 {
			price *= 1 - float64(cfg.Capacity.SpotDiscountPercent)/100
		}
		out.Nodes += int(extra)
		usd += Monthly(extra, price, cfg.Capacity.HoursPerMonth)
	}
	out.MonthlyUSD = cents(usd)
	return out, nil
}

func cents(usd float64) float64 { return math.Round(usd*100) / 100 }
