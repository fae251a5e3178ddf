package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/internal/model"
)

// prices are the default on-demand prices of openwan:capacity.prices (USD/hour). A rule sees
// resources, not a stack's config, so it prices with the defaults; a stack's own price table
// shows in its cost outputs.
var prices = config.Defaults().Capacity.Prices

// isSpotGroup reports whether a group buys any spot capacity: a mixed instances policy with an
// on-demand share below 100 % above its base.
func isSpotGroup(g model.Resource) bool {
	if object(g.Inputs, "mixedInstancesPolicy") == nil {
		return false
	}
	pct, ok := num(g.Inputs, "mixedInstancesPolicy.instancesDistribution.onDemandPercentageAboveBaseCapacity")
	return !ok || pct < 100 // AWS' default is 100 % on-demand, but an unset share in a mixed policy is a spot intent
}

var spotDiversity = Rule{
	Name:        "spot-diversity",
	Description: "Spot pools offer at least `minInstanceTypes` instance types, and spot groups rebalance capacity.",
	Why:         "One spot type is one capacity pool: an interruption wave empties it. Rebalancing replaces instances at risk before they are reclaimed.",
	Level:       Mandatory,
	Params: map[string]Param{
		"minInstanceTypes": {Description: "fewest interchangeable instance types of a spot pool", Default: 2.0},
	},
	Check: func(r model.Resource, p Params) []string {
		want := p.Number("minInstanceTypes")
		switch r.Type {
		case model.TypeAutoscalingGroup:
			if !isSpotGroup(r) {
				return nil
			}
			var out []string
			if n := len(objects(r.Inputs, "mixedInstancesPolicy.launchTemplate.overrides")); float64(n) < want {
				out = append(out, fmt.Sprintf("%s: spot group with %d instance type(s), below %s; list more in openwan:ec2.worker.instanceTypes", label(r), n, fmtNum(want)))
			}
			if on, _ := boolean(r.Inputs, "capacityRebalance"); !on {
				out = append(out, fmt.Sprintf("%s: spot group without capacityRebalance; set it true", label(r)))
			}
			return out
		case model.TypePulumiEKSManagedNodeGroup, model.TypeEKSNodeGroup:
			if ct, _ := str(r.Inputs, "capacityType"); ct != "SPOT" {
				return nil
			}
			if n := len(strs(r.Inputs, "instanceTypes")); float64(n) < want {
				return []string{fmt.Sprintf("%s: spot node group with %d instance type(s), below %s; list more in openwan:cluster.nodePools.workers.instanceTypes", label(r), n, fmtNum(want))}
			}
		}
		return nil
	},
}

// fleetAtMax is one fleet's most expensive hour: every instance of its maximum at the dearest
// of its instance types, on demand (spot never costs more).
type fleetAtMax struct {
	resource  model.Resource
	instances float64
	types     []string
	unpriced  []string
	hourlyUSD float64
}

func (s *Stack) fleetsAtMax() []fleetAtMax {
	var out []fleetAtMax
	for _, r := range s.OfType(model.TypeAutoscalingGroup, model.TypePulumiEKSManagedNodeGroup, model.TypeEKSNodeGroup) {
		f := fleetAtMax{resource: r}
		switch r.Type {
		case model.TypeAutoscalingGroup:
			f.instances, _ = num(r.Inputs, "maxSize")
			for _, o := range objects(r.Inputs, "mixedInstancesPolicy.launchTemplate.overrides") {
				if t, ok := str(o, "instanceType"); ok {
					f.types = append(f.types, t)
				}
			}
			if len(f.types) == 0 {
				for _, lt := range append(s.DependedOn(r, "launchTemplate", model.TypeEC2LaunchTemplate), s.DependedOn(r, "mixedInstancesPolicy", model.TypeEC2LaunchTemplate)...) {
					if t, ok := str(lt.Inputs, "instanceType"); ok {
						f.types = append(f.types, t)
					}
				}
			}
		default:
			f.instances, _ = num(r.Inputs, "scalingConfig.maxSize")
			f.types = strs(r.Inputs, "instanceTypes")
		}
		var dearest float64
		for _, t := range f.types {
			price, ok := prices[t]
			if !ok {
				f.unpriced = append(f.unpriced, t)
				continue
			}
			dearest = max(dearest, price)
		}
		f.hourlyUSD = f.instances * dearest
		out = append(out, f)
	}
	return out
}

var maxHourlyCost = Rule{
	Name:        "max-hourly-cost",
	Description: "The stack's instances at every fleet's maximum cost at most `maxHourlyUSD` an hour.",
	Why:         "Autoscaling bounds are a budget: a max raised by a typo (100 for 10) is a bill, not an outage, and nobody sees it until the month ends.",
	Level:       Advisory,
	Params: map[string]Param{
		"maxHourlyUSD": {Description: "ceiling on the instances' on-demand cost with every fleet at its maximum (USD/hour)", Default: 5.0},
	},
	CheckStack: func(s *Stack, p Params) []Finding {
		fleets := s.fleetsAtMax()
		var total float64
		var parts, unpriced []string
		urn := ""
		var dearest float64
		for _, f := range fleets {
			total += f.hourlyUSD
			parts = append(parts, fmt.Sprintf("%s %s x %s = $%.2f", f.resource.Name, fmtNum(f.instances), strings.Join(f.types, "|"), f.hourlyUSD))
			unpriced = append(unpriced, f.unpriced...)
			if f.hourlyUSD >= dearest {
				dearest, urn = f.hourlyUSD, f.resource.URN
			}
		}
		var out []Finding
		if ceiling := p.Number("maxHourlyUSD"); total > ceiling {
			out = append(out, Finding{URN: urn, Message: fmt.Sprintf(
				"stack %s: instances at maximum cost $%.2f/h, above the ceiling of $%.2f/h (%s); lower the fleets' max or raise max-hourly-cost.maxHourlyUSD",
				s.Name, total, ceiling, strings.Join(parts, ", "))})
		}
		slices.Sort(unpriced)
		if unpriced = slices.Compact(unpriced); len(unpriced) > 0 {
			out = append(out, Finding{URN: urn, Message: fmt.Sprintf(
				"stack %s: no price for instance types %v, so they count $0; add them to the default openwan:capacity.prices", s.Name, unpriced)})
		}
		return out
	},
}
