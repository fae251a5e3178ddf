package components_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/components/fleet"
	"github.com/openwan/openwan-infra/components/fleet/userdata"
	"github.com/openwan/openwan-infra/components/monitoring"
	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/config/configtest"
	"github.com/openwan/openwan-infra/internal/plan"
)

const (
	hookType       = "aws:autoscaling/lifecycleHook:LifecycleHook"
	rolePolicyType = "aws:iam/rolePolicy:RolePolicy"
	roleType       = "aws:iam/role:Role"
	topicType      = "aws:sns/topic:Topic"
	keyType        = "aws:kms/key:Key"
)

// ec2Fleet is an EC2 group's config and the name of its launch template.
type ec2Fleet struct {
	fleet          config.Fleet
	launchTemplate string
}

// fleetsOf are the EC2 groups of cfg by group name.
func fleetsOf(cfg config.Config) map[string]ec2Fleet {
	return map[string]ec2Fleet{
		apiGroup:    {cfg.EC2.API.Fleet, "openwan-api-lt"},
		workerGroup: {cfg.EC2.Worker.Fleet, "openwan-worker-lt"},
	}
}

// assertDrain asserts that a group's termination hook and its instances' drain both follow the
// group's terminationHookSeconds.
func assertDrain(t *testing.T, p *plan.Plan, group, launchTemplate string, hookSeconds int) {
	t.Helper()
	hook := group + "-termination-hook"
	runChecks(t, p, []check{
		{hookType, hook, "name", fleet.TerminationHookName},
		{hookType, hook, "lifecycleTransition", "autoscaling:EC2_INSTANCE_TERMINATING"},
		{hookType, hook, "heartbeatTimeout", hookSeconds},
		{hookType, hook, "defaultResult", "CONTINUE"},
	})
	assert.Contains(t, mustGet(t, p, groupType, group).IgnoreChanges, "initialLifecycleHooks",
		"%s keeps the initial hooks it was created with rather than being replaced", group)

	script := userData(t, p, launchTemplate)
	stop := userdata.StopTimeoutSeconds(hookSeconds)
	require.Less(t, stop, hookSeconds, "the app stops before the hook times out")
	assert.Contains(t, script, fmt.Sprintf(" --stop-timeout %d ", stop), "%s: the container's stop timeout follows the hook's %d s", launchTemplate, hookSeconds)
	assert.Contains(t, script, fmt.Sprintf("docker stop --time %d openwan", stop), "%s: the drain stops the app within the hook", launchTemplate)
	assert.Contains(t, script, "latest/meta-data/$1", "%s: the drain reads the instance metadata", launchTemplate)
	assert.Contains(t, script, "imds autoscaling/target-lifecycle-state",
		"%s: the drain follows the instance's target lifecycle state (components/fleet TestDrainFollowsTheLifecycle runs it)", launchTemplate)
	assert.Contains(t, script, "aws autoscaling complete-lifecycle-action", "%s: the drain completes the lifecycle action", launchTemplate)
	assert.Contains(t, script, "--lifecycle-hook-name '"+fleet.TerminationHookName+"' ", "%s: of the group's hook", launchTemplate)
	assert.Contains(t, script, "--lifecycle-action-result CONTINUE", "%s: letting the termination go on", launchTemplate)
}

// TestProdDrainsWithinTheTerminationHook: each prod group's termination hook waits its
// terminationHookSeconds, and its instances stop the app within that time, then complete the
// lifecycle action: a worker's transcode gets the guide's half hour, not Docker's former minute.
func TestProdDrainsWithinTheTerminationHook(t *testing.T) {
	cfg := configtest.Prod(t)
	require.Equal(t, 1800, cfg.EC2.Worker.TerminationHookSeconds, "prod's workers have the guide's 30 minutes to finish a transcode")
	p := runStack(t, "prod", false)
	for group, f := range fleetsOf(cfg) {
		t.Run(group, func(t *testing.T) {
			assertDrain(t, p, group, f.launchTemplate, f.fleet.TerminationHookSeconds)

			// The instances may complete lifecycle actions of their own group, and of no other.
			name := group + "-complete-lifecycle"
			policy := mustGet(t, p, rolePolicyType, name)
			assert.Equal(t, []string{mustGet(t, p, roleType, f.launchTemplate+"-role").URN}, policy.PropertyDependencies["role"],
				"%s is on the role of %s's instances", name, group)
			assert.Equal(t, []string{mustGet(t, p, groupType, group).URN}, policy.PropertyDependencies["policy"],
				"%s names %s (its ARN), and no other group", name, group)
			text, _ := policy.Inputs["policy"].(string)
			assert.Contains(t, text, `"autoscaling:CompleteLifecycleAction"`, "%s allows completing lifecycle actions", name)
		})
	}
	assert.Greater(t, userdata.StopTimeoutSeconds(cfg.EC2.Worker.TerminationHookSeconds), 60,
		"a worker's transcode is no longer killed after Docker's former 60 s")
}

// TestDrainFollowsTerminationHookSeconds: a new terminationHookSeconds reaches the hook and the
// app's stop timeout alike.
func TestDrainFollowsTerminationHookSeconds(t *testing.T) {
	prod := configtest.Prod(t)
	const hookSeconds = 3600
	require.NotEqual(t, hookSeconds, prod.EC2.Worker.TerminationHookSeconds, "the test changes the worker's hook")
	raw := withConfig(t, configtest.Raw(t, "prod"), "openwan:ec2", "worker.terminationHookSeconds", hookSeconds)
	eachMode(t, func(t *testing.T, dryRun bool) {
		p := runRaw(t, "prod", raw, dryRun)
		assertDrain(t, p, workerGroup, "openwan-worker-lt", hookSeconds)
		assertDrain(t, p, apiGroup, "openwan-api-lt", prod.EC2.API.TerminationHookSeconds)
	})
}

func TestSpotAllocationStrategyFollowsConfig(t *testing.T) {
	const path = "mixedInstancesPolicy.instancesDistribution.spotAllocationStrategy"
	assert.Equal(t, "price-capacity-optimized", configtest.Prod(t).EC2.Worker.SpotAllocationStrategy,
		"prod's workers use AWS's recommended strategy for mixed instances groups")
	assert.ElementsMatch(t, fleet.SpotAllocationStrategies(), config.SpotAllocationStrategies(),
		"the config allows exactly the strategies the group accepts")

	raw := withConfig(t, configtest.Raw(t, "prod"), "openwan:ec2", "worker.spotAllocationStrategy", "capacity-optimized-prioritized")
	runChecks(t, runRaw(t, "prod", raw, false), []check{{groupType, workerGroup, path, "capacity-optimized-prioritized"}})

	raw = withConfig(t, configtest.Raw(t, "prod"), "openwan:ec2", "worker.spotAllocationStrategy", "cheapest")
	assert.ErrorContains(t, refuse(t, raw),
		fmt.Sprintf(`openwan:ec2.worker.spotAllocationStrategy: "cheapest" is not one of %v`, config.SpotAllocationStrategies()),
		"an unknown strategy is refused, naming the key, the value and the allowed ones")
}

// keyStatement is one statement of a key policy.
type keyStatement struct {
	Sid       string
	Principal map[string]string
	Action    any
	Condition map[string]map[string]string
}

// TestAlertsTopicIsEncrypted: prod's alerts topic is encrypted with a customer-managed key (the
// AWS-managed one admits no CloudWatch alarm), whose policy lets CloudWatch (this account's
// alarms), EventBridge and Auto Scaling publish.
func TestAlertsTopicIsEncrypted(t *testing.T) {
	p := runStack(t, "prod", false)
	topic, key := mustGet(t, p, topicType, "openwan-alerts"), mustGet(t, p, keyType, "openwan-alerts-key")
	assert.Equal(t, []string{key.URN}, topic.PropertyDependencies["kmsMasterKeyId"], "the topic is encrypted with the alerts key")
	runChecks(t, p, []check{{keyType, "openwan-alerts-key", "enableKeyRotation", true}})

	// The account the mocks answer getCallerIdentity with, as the topic's ARN shows it.
	arn, _ := output(t, p, "alertsTopicArn").(string)
	parts := strings.Split(arn, ":")
	require.Len(t, parts, 6, "alertsTopicArn %q is an ARN", arn)
	account := parts[4]

	text, _ := key.Inputs["policy"].(string)
	var policy struct{ Statement []keyStatement }
	require.NoError(t, json.Unmarshal([]byte(text), &policy), "the key policy is JSON")
	publish := []any{"kms:Decrypt", "kms:GenerateDataKey*"}
	var admin, cloudWatch, events, autoScaling bool
	for _, s := range policy.Statement {
		switch {
		case s.Principal["AWS"] == "arn:aws:iam::"+account+":root":
			admin = s.Action == "kms:*"
		case s.Principal["Service"] == "cloudwatch.amazonaws.com":
			cloudWatch = assert.Equal(t, publish, s.Action, "CloudWatch only makes and reads data keys") &&
				assert.Equal(t, account, s.Condition["StringEquals"]["aws:SourceAccount"], "for this account's alarms only")
		case s.Principal["Service"] == "events.amazonaws.com":
			events = assert.Equal(t, publish, s.Action, "EventBridge only makes and reads data keys")
		case s.Condition["StringEquals"]["aws:PrincipalArn"] == monitoring.AutoScalingServiceRoleARN(account):
			autoScaling = assert.Equal(t, publish, s.Action, "Auto Scaling only makes and reads data keys")
		default:
			t.Errorf("key policy statement %s admits an unexpected principal", s.Sid)
		}
	}
	assert.True(t, admin, "the account's root administers the key")
	assert.True(t, cloudWatch, "CloudWatch alarms may publish to the topic")
	assert.True(t, events, "EventBridge may publish the groups' pages")
	assert.True(t, autoScaling, "Auto Scaling's service-linked role may publish the groups' notifications")
}
