package components_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config/configtest"
	"github.com/openwan/openwan-infra/internal/plan"
	"github.com/openwan/openwan-infra/stacks"
)

// engineProgram is stacks.Program, the program the engine runs, in the mocks' shape.
func engineProgram(raw map[string]string) plan.Program {
	run := stacks.Program(slices.Sorted(maps.Keys(raw)))
	return func(ctx *pulumi.Context) (pulumi.Map, error) { return pulumi.Map{}, run(ctx) }
}

// A real `pulumi up` of a stack that still holds placeholders (documentation CIDRs, example
// domains and ARNs) stops before anything exists, naming each key; its preview, and the offline
// plan, go on and show them.
func TestUpRefusesPlaceholders(t *testing.T) {
	raw := configtest.Raw(t, "prod")
	p, err := plan.Run("prod", raw, engineProgram(raw), plan.Options{DryRun: false})
	require.Error(t, err, "prod ships placeholders")
	assert.Empty(t, p.Resources, "nothing is created")
	for _, key := range []string{
		"openwan:cluster.publicAccessCidrs[0]", "openwan:cluster.publicAccessCidrs[1]", "openwan:alerts.emails[0]",
		"openwan:app.redisAddress", "openwan:cluster.ingress.certificateArn", "openwan:ec2.api.certificateArn",
		"openwan:cluster.access.admins[0]", "openwan:cluster.access.viewers[0]",
	} {
		assert.ErrorContains(t, err, key+": ")
	}
	assert.ErrorContains(t, err, "replace them before deploying")

	_, err = plan.Run("prod", raw, engineProgram(raw), plan.Options{DryRun: true})
	assert.NoError(t, err, "a preview shows the plan")

	real := withConfig(t, withConfig(t, withConfig(t, raw, "openwan:app", "redisAddress", "openwan-prod.x1y2z3.ng.0001.use1.cache.amazonaws.com:6379"),
		"openwan:alerts", "emails", []any{"platform-oncall@openwan.tv"}),
		"openwan:cluster", "publicAccessCidrs", []any{"34.201.10.0/28"})
	real = withConfig(t, real, "openwan:cluster", "access", map[string]any{"admins": []any{"arn:aws:iam::210987654321:role/ops"}})
	real = withConfig(t, withConfig(t, real, "openwan:cluster", "ingress.certificateArn", "arn:aws:acm:us-east-1:210987654321:certificate/2b3c4d5e-1111-2222-3333-444455556666"),
		"openwan:ec2", "api.certificateArn", "arn:aws:acm:us-east-1:210987654321:certificate/2b3c4d5e-1111-2222-3333-444455556666")
	p, err = plan.Run("prod", real, engineProgram(real), plan.Options{DryRun: false})
	require.NoError(t, err, "with the operator's own values the up goes on")
	assert.NotEmpty(t, p.Resources)
}
