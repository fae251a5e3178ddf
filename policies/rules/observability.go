package rules

import (
	"fmt"
	"strings"

	"github.com/openwan/openwan-infra/internal/model"
)

// sloAlarms are the three alarms an API load balancer must have: what each reads.
var sloAlarms = []struct {
	name  string
	match func(alarm model.Resource) bool
}{
	{"p95 response time", latencyAlarm("p95")},
	{"p99 response time", latencyAlarm("p99")},
	{"5xx share", func(a model.Resource) bool {
		return strings.Contains(fmt.Sprint(a.Inputs["metricQueries"]), "HTTPCode_Target_5XX_Count")
	}},
}

func latencyAlarm(percentile string) func(model.Resource) bool {
	return func(a model.Resource) bool {
		metric, _ := str(a.Inputs, "metricName")
		stat, _ := str(a.Inputs, "extendedStatistic")
		return metric == "TargetResponseTime" && stat == percentile
	}
}

var apiLoadBalancerSLO = Rule{
	Name:               "api-load-balancer-slo",
	Description:        "Every internet-facing application load balancer has p95 and p99 response-time alarms and a 5xx-share alarm, each with actions.",
	Why:                "The guide's load test sets the targets the platform exists to hold; a load balancer nobody pages on misses them silently.",
	Level:              Advisory,
	StrictInProduction: true,
	CheckStack: func(s *Stack, _ Params) []Finding {
		var out []Finding
		for _, lb := range s.OfType(model.TypeLBLoadBalancer) {
			if t, ok := str(lb.Inputs, "loadBalancerType"); ok && t != "application" {
				continue
			}
			if internal, _ := lb.Inputs["internal"].(bool); internal {
				continue
			}
			alarms := s.Dependents(lb, model.TypeCloudWatchMetricAlarm)
			var missing []string
			for _, want := range sloAlarms {
				found := false
				for _, a := range alarms {
					if want.match(a) && hasActions(a) {
						found = true
						break
					}
				}
				if !found {
					missing = append(missing, want.name)
				}
			}
			if len(missing) > 0 {
				out = append(out, Finding{URN: lb.URN, Message: fmt.Sprintf(
					"%s: no alarm with actions on its %s; declare its monitoring.SLOAlarms (openwan:alerts.latency, errorRatePercent)",
					label(lb), strings.Join(missing, ", "))})
			}
		}
		return out
	},
}

// hasActions reports whether an alarm notifies or acts on something: a list of actions (whose
// ARNs a preview may not know yet), or actions unknown as a whole before the deploy.
func hasActions(alarm model.Resource) bool {
	if enabled, ok := alarm.Inputs["actionsEnabled"].(bool); ok && !enabled {
		return false
	}
	return len(list(alarm.Inputs, "alarmActions")) > 0 || alarm.Inputs["alarmActions"] == model.Unknown
}
