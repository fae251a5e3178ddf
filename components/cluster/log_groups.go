package cluster

import (
	"fmt"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/openwan/openwan-infra/config"
)

// ControlPlaneLogGroup is where EKS sends a cluster's control-plane logs ("The log group name
// format is /aws/eks/my-cluster/cluster": EKS user guide, control plane logs).
func ControlPlaneLogGroup(cluster string) string {
	return "/aws/eks/" + cluster + "/cluster"
}

// ContainerInsightsLogGroups are the log groups the amazon-cloudwatch-observability add-on writes
// to: Fluent Bit's application, dataplane and host logs, and the agent's performance log
// events (CloudWatch user guide, "Set up Fluent Bit as a DaemonSet" and Container Insights).
func ContainerInsightsLogGroups(cluster string) []string {
	var out []string
	for _, kind := range []string{"application", "dataplane", "host", "performance"} {
		out = append(out, "/aws/containerinsights/"+cluster+"/"+kind)
	}
	return out
}

// checkRetention refuses a retention CloudWatch Logs would not take.
func checkRetention(field string, days int) error {
	if !slices.Contains(config.LogRetentionDays(), days) {
		return fmt.Errorf("%s: %d is not a retention CloudWatch Logs takes (%v days)", field, days, config.LogRetentionDays())
	}
	return nil
}

// declareLogGroups declares the named log groups with a retention, as children of parent under
// name-<suffix>-<i>. Whoever writes to them first creates them otherwise, with no expiry ("By
// default, logs are kept indefinitely and never expire") and without the stack's cost tag, out of
// the budget's sight; declared first (the writer depends on them), they are the stack's.
func declareLogGroups(ctx *pulumi.Context, name string, groups []string, days int, child pulumi.ResourceOption) ([]pulumi.Resource, error) {
	var out []pulumi.Resource
	for i, group := range groups {
		lg, err := cloudwatch.NewLogGroup(ctx, fmt.Sprintf("%s-%d", name, i), &cloudwatch.LogGroupArgs{
			Name: pulumi.String(group), RetentionInDays: pulumi.Int(days),
		}, child)
		if err != nil {
			return nil, err
		}
		out = append(out, lg)
	}
	return out, nil
}
