package awsmodel

import (
	"fmt"
	"math"
	"net/netip"

	"github.com/openwan/openwan-infra/internal/model"
)

// Rules AWS states only in its documentation, which the API models cannot hold, are the
// project's own and offline. Those checked on the plan here:
//   - an alarm's period is 10, 30 or a multiple of 60 s (PutMetricAlarm, Period);
//   - a group with a mixed instances policy takes no warm pool (PutWarmPool: "You cannot add a
//     warm pool to an Auto Scaling group that has a mixed instances policy");
//   - a VPC's block is /16 to /28 (CreateVpc), and each subnet's block lies inside its VPC's
//     (CreateSubnet).
//
// And those checked before any resource is declared, where the config or a component's args
// are validated (a plan never holds them wrong):
//   - a lifecycle hook's heartbeat timeout is 30 to 7200 s (fleet.GroupArgs; the model's
//     HeartbeatTimeout is a bare integer);
//   - a log group's retention is one of CloudWatch Logs' values (config.LogRetentionDays);
//   - a scheduled action's recurrence is a five-field cron in an IANA time zone (config);
//   - the subnets' arithmetic: a zone's private and public blocks (network.SubnetCIDRs).
func documentedRules(r model.Resource, all map[string]model.Resource) []string {
	var out []string
	switch r.Type {
	case model.TypeCloudWatchMetricAlarm:
		periods := []any{r.Inputs["period"]}
		for _, q := range objects(r.Inputs["metricQueries"]) {
			periods = append(periods, get(q, "metric")["period"])
		}
		for _, p := range periods {
			if f, ok := p.(float64); ok && f != 10 && f != 30 && math.Mod(f, 60) != 0 {
				out = append(out, fmt.Sprintf("period %v s: an alarm's period is 10, 30 or a multiple of 60 (PutMetricAlarm)", f))
			}
		}
	case model.TypeAutoscalingGroup:
		if get(r.Inputs, "warmPool") != nil && get(r.Inputs, "mixedInstancesPolicy") != nil {
			out = append(out, "warmPool with mixedInstancesPolicy: AWS adds no warm pool to a group with a mixed instances policy (PutWarmPool)")
		}
	case model.TypeEC2VPC:
		if prefix, err := netip.ParsePrefix(str(r.Inputs["cidrBlock"])); err == nil && (prefix.Bits() < 16 || prefix.Bits() > 28) {
			out = append(out, fmt.Sprintf("cidrBlock %s: a VPC's block is /16 to /28 (CreateVpc)", prefix))
		}
	case model.TypeEC2Subnet:
		subnet, err := netip.ParsePrefix(str(r.Inputs["cidrBlock"]))
		if err != nil {
			break
		}
		for _, dep := range r.PropertyDependencies["vpcId"] {
			if vpc, err := netip.ParsePrefix(str(all[dep].Inputs["cidrBlock"])); err == nil &&
				(!vpc.Contains(subnet.Addr()) || subnet.Bits() < vpc.Bits()) {
				out = append(out, fmt.Sprintf("cidrBlock %s lies outside its VPC's %s (CreateSubnet)", subnet, vpc))
			}
		}
	}
	return out
}
