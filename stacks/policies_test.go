package stacks_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config/configtest"
	"github.com/openwan/openwan-infra/policies/rules"
)

// TestStacksPassEveryMandatoryPolicy runs each shipped stack's real config through the program,
// as an `up` and as a preview, and the policy rules over what it declared, as the pack would.
func TestStacksPassEveryMandatoryPolicy(t *testing.T) {
	for _, stack := range shippedStacks(t) {
		t.Run(stack, func(t *testing.T) {
			raw := configtest.Raw(t, stack)
			policy, err := rules.FromStackConfig(raw)
			require.NoError(t, err, "Pulumi.%s.yaml's policy config must parse", stack)
			eachMode(t, func(t *testing.T, dryRun bool) {
				violations, err := runRaw(t, stack, raw, dryRun).Check(policy)
				require.NoError(t, err, "the policy rules must evaluate %s", stack)
				for _, v := range violations {
					assert.NotEqual(t, rules.Mandatory, v.Level, "%s on %s: %s", v.Rule, v.URN, v.Message)
				}
			})
		})
	}
}
