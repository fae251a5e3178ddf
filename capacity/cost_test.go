package capacity

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/config/configtest"
)

// The guide's "Cost Monitoring":
//
//	API: 3 instances × t3.medium × 730 hours × $0.0416 = ~$91/month
//	Workers: 2 instances × c5.xlarge × 730 hours × $0.17 = ~$248/month
//	Total: ~$340/month baseline
func TestMonthlyReproducesTheGuidesEstimate(t *testing.T) {
	c := config.Defaults().Capacity
	api := Monthly(3, c.Prices["t3.medium"], c.HoursPerMonth)
	workers := Monthly(2, c.Prices["c5.xlarge"], c.HoursPerMonth)
	assert.InDelta(t, 3*730*0.0416, api, 1e-9, "the guide's API line, with the default t3.medium price and month")
	assert.InDelta(t, 2*730*0.17, workers, 1e-9, "the guide's worker line, with the default c5.xlarge price and month")
	assert.InDelta(t, 91, api, 0.5, "the guide's ~$91/month")
	assert.InDelta(t, 248, workers, 0.5, "the guide's ~$248/month")
	assert.InDelta(t, 340, api+workers, 1, "the guide's ~$340/month")
	assert.Equal(t, cents(3*730*0.0416+2*730*0.17), cents(api+workers), "to the cent: $339.30")
}

// fleetCost is the named fleet of a stack's cost, which the test requires.
func fleetCost(t *testing.T, c StackCost, key string) FleetCost {
	t.Helper()
	for _, f := range c.Fleets {
		if f.Fleet == key {
			return f
		}
	}
	require.FailNow(t, "no fleet "+key, "fleets: %+v", c.Fleets)
	return FleetCost{}
}

// TestCostOfTheGuidesBaseline prices the guide's own baseline through Cost: prod's EC2 groups at
// their desired counts all month, all on demand.
func TestCostOfTheGuidesBaseline(t *testing.T) {
	c := configtest.Prod(t)
	c.Cluster.Enabled = false                        // the guide's estimate prices the EC2 groups only,
	c.EC2.API.Schedules = nil                        // at their desired counts all month,
	c.EC2.Worker.OnDemandBase = c.EC2.Worker.Desired // and all on demand
	got, err := Cost(c)
	require.NoError(t, err)

	prices, hours := c.Capacity.Prices, c.Capacity.HoursPerMonth
	apiPrice, workerPrice := prices[c.EC2.API.InstanceType], prices[c.EC2.Worker.InstanceTypes[0]]
	spotPrice := workerPrice * (1 - float64(c.Capacity.SpotDiscountPercent)/100)
	onDemand := cents(Monthly(float64(c.EC2.API.Desired), apiPrice, hours) + Monthly(float64(c.EC2.Worker.Desired), workerPrice, hours))
	assert.Equal(t, Split{OnDemand: onDemand, Spot: 0, Total: onDemand}, got.MonthlyUSD.Baseline,
		"the baseline is the guide's estimate: openwan:ec2.api.desired t3.medium and openwan:ec2.worker.desired c5.xlarge on demand")
	assert.InDelta(t, 340, got.MonthlyUSD.Baseline.Total, 1, "prod's desired counts are the guide's 3 and 2: ~$340/month")

	// At the maximum: every API instance on demand, the workers' on-demand base and the rest on
	// spot at the discount (prod: 10 t3.medium, 2 c5.xlarge on demand and 8 at half price).
	base := c.EC2.Worker.OnDemandBase
	max := Split{
		OnDemand: cents(Monthly(float64(c.EC2.API.Size.Max), apiPrice, hours) + Monthly(float64(base), workerPrice, hours)),
		Spot:     cents(Monthly(float64(c.EC2.Worker.Size.Max-base), spotPrice, hours)),
	}
	max.Total = cents(max.OnDemand + max.Spot)
	assert.Equal(t, max, got.MonthlyUSD.Max, "the maximum: the API group and the worker base on demand, the other workers on spot")

	// Reserving the on-demand minimum (prod: 2 API and 2 worker instances) at 40 % off.
	reserved := Monthly(float64(c.EC2.API.Size.Min), apiPrice, hours) + Monthly(float64(min(c.EC2.Worker.Size.Min, base)), workerPrice, hours)
	assert.Equal(t, cents(float64(c.Capacity.ReservedDiscountPercent)/100*reserved), got.ReservedSavingsUSD,
		"reserving each group's on-demand minimum saves openwan:capacity.reservedDiscountPercent of it")
}

func TestCostOfProdByFleet(t *testing.T) {
	c := configtest.Prod(t)
	got, err := Cost(c)
	require.NoError(t, err)
	require.Len(t, got.Fleets, 4, "prod has both node pools and both EC2 groups")

	// The API group's schedules: 8:00 on weekdays to 22:00 is 5 x 14 = 70 business hours of the
	// week's 168 at the business-hours desired count, the other 98 at the night's.
	up, down := c.EC2.API.Schedules["scale-up-business-hours"], c.EC2.API.Schedules["scale-down-night"]
	require.Len(t, c.EC2.API.Schedules, 2, "prod keeps the guide's two API schedules")
	require.Equal(t, "0 8 * * MON-FRI", up.Recurrence, "the 70 business hours below start at 8:00 on weekdays")
	require.Equal(t, "0 22 * * *", down.Recurrence, "the 70 business hours below end at 22:00")
	apiBaseline := (float64(up.Desired)*70 + float64(down.Desired)*98) / 168 // prod: 3.25
	require.Empty(t, c.EC2.Worker.Schedules, "prod's worker group has no schedules: its baseline is its desired count")

	pools, ec2 := c.Cluster.NodePools, c.EC2
	// The API pool rests on the nodes that hold the HPA's minimum, the headroom's placeholders
	// and the add-ons (prod: 2 + 8 pods at 2 per t3.medium, 5 nodes, and 1 for the add-ons).
	_, node, err := PoolNode("api", pools.API, c)
	require.NoError(t, err)
	perNode := PodsPerNode(node, c.API.Resources.Requests)
	addOnNodes, _ := NodesNeeded(node, 0, c.API.Resources.Requests, AddOns(c))
	apiResting := float64((c.API.Replicas.Min+c.Cluster.Headroom.APIPods+perNode-1)/perNode + addOnNodes)
	require.Greater(t, apiResting, float64(pools.API.Desired), "precondition: prod's headroom keeps more API nodes than the desired count")
	want := map[string]Levels[float64]{
		"openwan:cluster.nodePools.api":     {Min: apiResting, Baseline: apiResting, Max: float64(pools.API.Size.Max)},
		"openwan:cluster.nodePools.workers": {Min: float64(pools.Workers.Size.Min), Baseline: float64(pools.Workers.Desired), Max: float64(pools.Workers.Size.Max)},
		"openwan:ec2.api":                   {Min: float64(ec2.API.Size.Min), Baseline: apiBaseline, Max: float64(ec2.API.Size.Max)},
		"openwan:ec2.worker":                {Min: float64(ec2.Worker.Size.Min), Baseline: float64(ec2.Worker.Desired), Max: float64(ec2.Worker.Size.Max)},
	}
	for key, levels := range want {
		assert.Equal(t, levels, fleetCost(t, got, key).Instances, "%s instances: min, weekly baseline, max", key)
	}
	// The API pool's minimum is not its size.min: the reason says what it holds, in its keys.
	assert.Equal(t, fmt.Sprintf("%d nodes hold openwan:api.replicas.min %d and openwan:cluster.headroom's %d placeholders at %d per %s node, with the add-ons, above openwan:cluster.nodePools.api.size.min %d",
		int(apiResting), c.API.Replicas.Min, c.Cluster.Headroom.APIPods, perNode, pools.API.InstanceTypes[0], pools.API.Size.Min),
		fleetCost(t, got, "openwan:cluster.nodePools.api").MinReason)
	for _, key := range []string{"openwan:cluster.nodePools.workers", "openwan:ec2.api", "openwan:ec2.worker"} {
		assert.Empty(t, fleetCost(t, got, key).MinReason, "%s rests at its own minimum: nothing to explain", key)
	}

	prices, hours := c.Capacity.Prices, c.Capacity.HoursPerMonth
	spot := 1 - float64(c.Capacity.SpotDiscountPercent)/100
	// The spot pool is all spot at the discount (prod: 2 c5.xlarge nodes at half price).
	poolWorkers := Monthly(float64(pools.Workers.Desired), prices[pools.Workers.InstanceTypes[0]]*spot, hours)
	assert.Equal(t, Split{OnDemand: 0, Spot: cents(poolWorkers), Total: cents(poolWorkers)},
		fleetCost(t, got, "openwan:cluster.nodePools.workers").MonthlyUSD.Baseline, "the spot node pool's baseline is all spot")
	// The EC2 workers keep openwan:ec2.worker.onDemandBase on demand under spot (prod: 1 of 2).
	workerPrice := prices[ec2.Worker.InstanceTypes[0]]
	require.Zero(t, ec2.Worker.OnDemandPercentAboveBase, "precondition: above the base prod's workers are all spot")
	groupOnDemand := Monthly(float64(ec2.Worker.OnDemandBase), workerPrice, hours)
	groupSpot := Monthly(float64(ec2.Worker.Desired-ec2.Worker.OnDemandBase), workerPrice*spot, hours)
	assert.Equal(t, Split{OnDemand: cents(groupOnDemand), Spot: cents(groupSpot), Total: cents(groupOnDemand + groupSpot)},
		fleetCost(t, got, "openwan:ec2.worker").MonthlyUSD.Baseline, "the EC2 workers' baseline: the on-demand base and the rest on spot")

	poolAPI := Monthly(apiResting, prices[pools.API.InstanceTypes[0]], hours)
	groupAPI := Monthly(apiBaseline, prices[ec2.API.InstanceType], hours)
	assert.Equal(t, cents(poolAPI+poolWorkers+groupAPI+groupOnDemand+groupSpot), got.MonthlyUSD.Baseline.Total,
		"prod's baseline total is its four fleets' (prod: $560.79)")

	// The headroom's share: the API nodes it keeps beyond the desired count.
	require.NotNil(t, got.Headroom, "prod keeps headroom")
	extra := apiResting - float64(pools.API.Desired)
	assert.Equal(t, HeadroomCost{APIPods: c.Cluster.Headroom.APIPods, Nodes: int(extra),
		MonthlyUSD: cents(Monthly(extra, prices[pools.API.InstanceTypes[0]], hours))}, *got.Headroom,
		"the headroom costs its extra nodes (prod: 2 t3.medium, $60.74)")
}

// TestCostOfProdAtEveryLevel prices every fleet of prod at its minimum, baseline and maximum by
// the guide's "Cost Monitoring" arithmetic, instances x hourly price x hours in a month, with
// spot capacity at the guide's spot saving: per fleet, on demand and spot apart; for the stack,
// the sums over its fleets. The counts are TestCostOfProdByFleet's.
func TestCostOfProdAtEveryLevel(t *testing.T) {
	c := configtest.Prod(t)
	pools, ec2 := c.Cluster.NodePools, c.EC2
	require.True(t, c.Cluster.EKS() && ec2.Enabled, "prod runs both paths: two node pools and two groups")
	require.True(t, pools.Workers.Spot && !pools.API.Spot, "prod's worker pool alone is spot")
	require.Zero(t, ec2.Worker.OnDemandPercentAboveBase, "above their on-demand base prod's worker instances are all spot")
	got, err := Cost(c)
	require.NoError(t, err)

	hours := float64(c.Capacity.HoursPerMonth)                   // the guide's month: 730 hours
	spotShare := 1 - float64(c.Capacity.SpotDiscountPercent)/100 // what spot costs of on demand: the guide's 50 % saving
	// Each fleet, and how many of n instances it buys on demand (the rest run on spot).
	everyInstance := func(n float64) float64 { return n }
	fleets := []struct {
		key, instanceType string
		onDemand          func(n float64) float64
	}{
		{"openwan:cluster.nodePools.api", pools.API.InstanceTypes[0], everyInstance},
		{"openwan:cluster.nodePools.workers", pools.Workers.InstanceTypes[0], func(float64) float64 { return 0 }},
		{"openwan:ec2.api", ec2.API.InstanceType, everyInstance},
		{"openwan:ec2.worker", ec2.Worker.InstanceTypes[0], func(n float64) float64 { return min(n, float64(ec2.Worker.OnDemandBase)) }},
	}
	var keys []string
	for _, f := range got.Fleets {
		keys = append(keys, f.Fleet)
	}
	require.Equal(t, []string{fleets[0].key, fleets[1].key, fleets[2].key, fleets[3].key}, keys,
		"the fleets in order: node pools, then groups; API before workers")

	levels := []string{"min", "baseline", "max"}
	at := func(l Levels[Split]) [3]Split { return [3]Split{l.Min, l.Baseline, l.Max} }
	var sum [3]struct{ onDemand, spot float64 }
	for i, f := range fleets {
		fc := got.Fleets[i]
		assert.Equal(t, f.instanceType, fc.InstanceType, "%s is priced as its preferred type", f.key)
		price, ok := c.Capacity.Prices[f.instanceType]
		require.True(t, ok, "openwan:capacity.prices has %s", f.instanceType)
		instances, splits := [3]float64{fc.Instances.Min, fc.Instances.Baseline, fc.Instances.Max}, at(fc.MonthlyUSD)
		for l, level := range levels {
			n := instances[l]
			od := f.onDemand(n)
			onDemand, spot := od*price*hours, (n-od)*price*spotShare*hours
			sum[l].onDemand += onDemand
			sum[l].spot += spot
			assert.InDelta(t, cents(onDemand), splits[l].OnDemand, 1e-9, "%s on-demand USD at its %s", f.key, level)
			assert.InDelta(t, cents(spot), splits[l].Spot, 1e-9, "%s spot USD at its %s", f.key, level)
			assert.InDelta(t, cents(onDemand+spot), splits[l].Total, 1e-9, "%s USD at its %s", f.key, level)
		}
		// Relations the figures must keep whatever the prices: more instances never cost less.
		assert.LessOrEqual(t, splits[0].Total, splits[1].Total, "%s: min <= baseline", f.key)
		assert.LessOrEqual(t, splits[1].Total, splits[2].Total, "%s: baseline <= max", f.key)
		// Linear in the count: an all-on-demand fleet costs the same per instance at every level,
		// its price x hours (prod: a t3.medium is $30.37 a month).
		if f.onDemand(instances[2]) == instances[2] {
			for _, l := range []int{0, 2} {
				assert.InDelta(t, price*hours, splits[l].Total/instances[l], 0.01, "%s: one instance a month at its %s", f.key, levels[l])
			}
		}
	}

	// The stack's totals are the sums over its fleets (prod's baseline: 5 t3.medium nodes $151.84
	// + 2 spot c5.xlarge nodes $124.10 + 3.25 t3.medium instances $98.70 + 1 on-demand and 1 spot
	// c5.xlarge instance $186.15 = $560.79; at the minimum $522.83, at the maximum $1600.16).
	totals := at(got.MonthlyUSD)
	for l, level := range levels {
		s := sum[l]
		assert.InDelta(t, cents(s.onDemand), totals[l].OnDemand, 1e-9, "prod's on-demand USD at its %s", level)
		assert.InDelta(t, cents(s.spot), totals[l].Spot, 1e-9, "prod's spot USD at its %s", level)
		assert.InDelta(t, cents(s.onDemand+s.spot), totals[l].Total, 1e-9, "prod's USD at its %s", level)
		// Rounded apart, the parts add up to the total within a cent per rounding.
		assert.InDelta(t, totals[l].Total, totals[l].OnDemand+totals[l].Spot, 0.01, "prod's %s: on demand + spot = total", level)
	}
	assert.LessOrEqual(t, totals[0].Total, totals[1].Total, "prod costs no more at its minimum than at its baseline")
	assert.LessOrEqual(t, totals[1].Total, totals[2].Total, "prod costs no more at its baseline than at its maximum")
}

// TestWarmPoolCostsItsVolumes: prod's three stopped API instances pay for their 30 GiB root
// volumes only (3 x 30 GiB x $0.08 = $7.20 a month).
func TestWarmPoolCostsItsVolumes(t *testing.T) {
	c := configtest.Prod(t)
	got, err := Cost(c)
	require.NoError(t, err)
	w := c.EC2.API.WarmPool.Size
	require.Equal(t, 3, w, "prod keeps the default warm pool of three")
	require.NotNil(t, got.WarmPool)
	gib := w * c.EC2.API.RootVolumeGiB
	assert.Equal(t, WarmPoolCost{Instances: w, VolumeGiB: gib, MonthlyUSD: cents(float64(gib) * c.Capacity.VolumeGiBMonthUSD)}, *got.WarmPool)
	assert.InDelta(t, 7.20, got.WarmPool.MonthlyUSD, 1e-9, "prod: $7.20 a month")

	c.EC2.API.WarmPool.Size = 0
	got, err = Cost(c)
	require.NoError(t, err)
	assert.Nil(t, got.WarmPool, "no pool, no volumes")
}

// TestHeadroomCostsNothingWhenOff: without placeholders the pools rest at their desired counts
// and the cost has no headroom share.
func TestHeadroomCostsNothingWhenOff(t *testing.T) {
	c := configtest.Prod(t)
	c.Cluster.Headroom.APIPods = 0
	got, err := Cost(c)
	require.NoError(t, err)
	assert.Nil(t, got.Headroom, "no headroom, no share")
	assert.Equal(t, float64(c.Cluster.NodePools.API.Desired), fleetCost(t, got, "openwan:cluster.nodePools.api").Instances.Baseline,
		"the API pool rests at its desired count")
}

func TestGroupLevels(t *testing.T) {
	f := config.Defaults().EC2.API.Fleet
	up, down := f.Schedules["scale-up-business-hours"], f.Schedules["scale-down-night"]
	require.NotNil(t, up.Min, "precondition: the business-hours action raises the minimum")
	// The guide's schedules: 5 instances for the 70 hours from 8:00 to 22:00 on weekdays, 2 for the
	// week's other 98; at least 3 by day and the group's own minimum by night; the group's max
	// throughout, as neither action sets one.
	want := Levels[float64]{
		Min:      float64(min(*up.Min, f.Size.Min)),
		Baseline: (float64(up.Desired)*70 + float64(down.Desired)*98) / 168,
		Max:      float64(f.Size.Max),
	}
	for _, zone := range []string{"UTC", "Europe/Berlin"} {
		got, err := GroupLevels(f, zone)
		require.NoError(t, err, zone)
		assert.Equal(t, want, got, "the week of the guide's schedules in %s (2, 3.25, 10)", zone)
	}

	business := config.Defaults().EC2.API.Fleet
	delete(business.Schedules, "scale-down-night")
	got, err := GroupLevels(business, "UTC")
	require.NoError(t, err)
	assert.Equal(t, Levels[float64]{Min: float64(*up.Min), Baseline: float64(up.Desired), Max: float64(f.Size.Max)}, got,
		"with no action to undo it, the business-hours action holds the whole measured week (the first week settles it)")

	// A night capped below the group's max and a day raised to it: the levels are the bounds the
	// actions set, not the group's size.
	capped := config.Defaults().EC2.API.Fleet
	capped.Size = config.Range{Min: 2, Max: 20}
	capped.Schedules["scale-down-night"].Max = new(6)
	capped.Schedules["scale-up-business-hours"].Max = new(12)
	got, err = GroupLevels(capped, "UTC")
	require.NoError(t, err)
	assert.Equal(t, 12.0, got.Max, "the highest max an action sets, below the group's 20")
	assert.Equal(t, float64(capped.Size.Min), got.Min, "the night follows the group's minimum")

	f.Schedules = nil
	got, err = GroupLevels(f, "UTC")
	require.NoError(t, err)
	assert.Equal(t, Levels[float64]{Min: float64(f.Size.Min), Baseline: float64(f.Desired), Max: float64(f.Size.Max)}, got,
		"without schedules: the group's size and desired count, 2, 3, 10")

	_, err = GroupLevels(config.Defaults().EC2.API.Fleet, "Mars/Olympus")
	assert.Error(t, err, "an unknown time zone cannot place the schedules")
}

// TestBudgetFollowsThePlan: prod's budget is its whole baseline month (fleets, warm pool, and
// everything else it creates) plus the margin, and says that a month at the maximum would
// exceed it.
func TestBudgetFollowsThePlan(t *testing.T) {
	c := configtest.Prod(t)
	cost, err := Cost(c)
	require.NoError(t, err)
	b := Budget(c.Alerts, cost)
	baseline := cents(cost.MonthlyUSD.Baseline.Total + cost.WarmPool.MonthlyUSD + cost.Platform.MonthlyUSD)
	assert.Equal(t, baseline, b.BaselineUSD, "the instances, the warm pool's volumes and the platform (prod: $902.33)")
	assert.Equal(t, cents(baseline*(1+float64(c.Alerts.Budget.MarginPercent)/100)), b.LimitUSD, "plus openwan:alerts.budget.marginPercent")
	assert.InDelta(t, 1173.03, b.LimitUSD, 1e-9, "prod: $902.33 + 30 %")
	assert.True(t, b.MaxExceedsLimit, "prod at its maximum ($%.2f) would break the budget", b.MaxUSD)
	c.Alerts.Budget.MarginPercent = 500
	assert.False(t, Budget(c.Alerts, cost).MaxExceedsLimit, "a margin of 500 %% covers prod's maximum")
}

// TestNormalMonthDoesNotMail: the budget mails at 80 % of its limit spent. A normal month (the
// whole baseline) of prod and of dev ends under that line, so the mail means something; with
// the former 20 % margin it ended at 83 % and mailed every month.
func TestNormalMonthDoesNotMail(t *testing.T) {
	for _, stack := range []string{"prod", "dev"} {
		c := configtest.Stack(t, stack)
		cost, err := Cost(c)
		require.NoError(t, err)
		b := Budget(c.Alerts, cost)
		assert.Less(t, b.BaselineUSD, 0.8*b.LimitUSD, "%s: a normal month stays under the 80 %% mail", stack)
		c.Alerts.Budget.MarginPercent = 20
		assert.GreaterOrEqual(t, b.BaselineUSD, 0.8*Budget(c.Alerts, cost).LimitUSD, "%s: with a 20 %% margin it would mail", stack)
	}
}

// TestPlatformCostsEveryKind: the bill has a line for each kind of resource prod creates besides
// instance hours, each priced from config.
func TestPlatformCostsEveryKind(t *testing.T) {
	c := configtest.Prod(t)
	cost, err := Cost(c)
	require.NoError(t, err)
	p, hours := c.Capacity.Platform, float64(c.Capacity.HoursPerMonth)
	lines := map[string]PlatformLine{}
	var sum float64
	for _, l := range cost.Platform.Lines {
		lines[l.Kind] = l
		sum += l.MonthlyUSD
	}
	assert.InDelta(t, cents(sum), cost.Platform.MonthlyUSD, 1e-9, "the lines add up")
	assert.InDelta(t, cents(hours*p.EKSClusterHourUSD), lines["EKS control plane"].MonthlyUSD, 1e-9)
	assert.InDelta(t, cents(3*hours*p.NATGatewayHourUSD), lines["NAT gateways"].MonthlyUSD, 1e-9, "three zones, a gateway each")
	assert.InDelta(t, cents(float64(p.NATDataGiBPerMonth)*p.NATDataGiBUSD), lines["NAT data processing"].MonthlyUSD, 1e-9)
	assert.InDelta(t, cents(2*hours*(p.LoadBalancerHourUSD+p.LoadBalancerLCUs*p.LoadBalancerLCUHourUSD)), lines["load balancers"].MonthlyUSD, 1e-9,
		"the EC2 API's ALB and the EKS Ingress's")
	for _, kind := range []string{"EBS volumes (nodes and instances at the baseline)", "log ingestion", "log storage", "alarms", "dashboard", "KMS keys"} {
		assert.Positive(t, lines[kind].MonthlyUSD, kind)
		assert.NotEmpty(t, lines[kind].Price, "%s names its price's key", kind)
	}
	assert.InDelta(t, cents(float64(p.LogIngestGiBPerMonth)*float64(c.Cluster.LogRetentionDays)/30*p.LogStorageGiBMonthUSD), lines["log storage"].MonthlyUSD, 1e-9,
		"what a month logs, kept for the retention")

	c.Network.SingleNATGateway = true
	cost, err = Cost(c)
	require.NoError(t, err)
	for _, l := range cost.Platform.Lines {
		if l.Kind == "NAT gateways" {
			assert.InDelta(t, cents(hours*p.NATGatewayHourUSD), l.MonthlyUSD, 1e-9, "one gateway")
		}
	}
}
