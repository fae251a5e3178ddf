package components_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config/configtest"
	"github.com/openwan/openwan-infra/internal/plan"
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

// TestStrictnessFollowsTheDeclaredEnvironment: a copy of prod under another name, with a
// single-replica API, fails min-capacity as a mandatory rule because it says it is production;
// the same stack declaring development gets the rule's advisory level.
func TestStrictnessFollowsTheDeclaredEnvironment(t *testing.T) {
	raw := withConfig(t, configtest.Raw(t, "prod"), "openwan:api", "replicas.min", 1)
	levelOf := func(p *plan.Plan) rules.Level {
		t.Helper()
		violations, err := p.Check(rules.Config{})
		require.NoError(t, err)
		for _, v := range violations {
			if v.Rule == "min-capacity" {
				return v.Level
			}
		}
		require.Fail(t, "min-capacity must flag the single-replica API")
		return ""
	}
	p := runRaw(t, "production", raw, false)
	assert.Equal(t, "production", p.Environment)
	assert.Equal(t, rules.Mandatory, levelOf(p), "a copy of prod named production is strict: it says it is production")

	p = runRaw(t, "prod", withConfig(t, raw, "openwan:app", "environment", "development"), false)
	assert.Equal(t, rules.Advisory, levelOf(p), "a stack named prod that says development is not")
}
