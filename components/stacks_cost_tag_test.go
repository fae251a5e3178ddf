package components_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config"
)

// untaggable are the AWS types of the plans that take no tags (their schemas have none): each
// costs nothing of its own.
var untaggable = []string{
	"aws:ec2/routeTableAssociation:RouteTableAssociation", "aws:sns/topicSubscription:TopicSubscription",
	"aws:autoscaling/lifecycleHook:LifecycleHook", "aws:autoscaling/notification:Notification",
	"aws:autoscaling/policy:Policy", "aws:autoscaling/schedule:Schedule", "aws:iam/rolePolicy:RolePolicy",
	"aws:ec2/securityGroupRule:SecurityGroupRule", "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
	"aws:cloudwatch/dashboard:Dashboard", "aws:sns/topicPolicy:TopicPolicy", "aws:cloudwatch/eventTarget:EventTarget",
	"aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
}

// TestEveryResourceCarriesTheCostTag: each AWS resource of every shipped stack that takes tags
// carries openwan-stack=<stack>, the budget's filter; so do the instances and volumes the launch
// templates start and the instances the groups launch.
func TestEveryResourceCarriesTheCostTag(t *testing.T) {
	for _, stack := range shippedStacks(t) {
		t.Run(stack, func(t *testing.T) {
			p := runStack(t, stack, false)
			tagged := 0
			for _, r := range p.Resources {
				if !r.Custom || !(strings.HasPrefix(r.Type, "aws:") || strings.HasPrefix(r.Type, "eks:")) {
					continue
				}
				switch r.Type {
				case "aws:autoscaling/group:Group":
					tags, err := r.Input("tags")
					require.NoError(t, err)
					assert.Contains(t, tags, map[string]any{"key": config.CostTagKey, "value": stack, "propagateAtLaunch": true},
						"%s tags the instances it launches", r.URN)
					tagged++
					continue
				case "aws:ec2/launchTemplate:LaunchTemplate":
					specs, err := r.Input("tagSpecifications")
					require.NoError(t, err)
					for _, s := range specs.([]any) {
						spec := s.(map[string]any)
						assert.Equal(t, stack, spec["tags"].(map[string]any)[config.CostTagKey], "%s tags its %s", r.URN, spec["resourceType"])
					}
				}
				tags, err := r.Input("tags")
				if slices.Contains(untaggable, r.Type) {
					continue
				}
				require.NoError(t, err, "%s takes tags and carries none", r.URN)
				assert.Equal(t, stack, tags.(map[string]any)[config.CostTagKey], "%s carries the cost tag", r.URN)
				tagged++
			}
			if stack != "local" {
				assert.Greater(t, tagged, 10, "the stack's AWS resources are tagged")
			}
		})
	}
}
