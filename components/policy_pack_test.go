package components_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/policies/pack"
	"github.com/openwan/openwan-infra/policies/rules"
)

// These tests drive the pack over the analyzer protocol, as the Pulumi engine does, so they pin
// what the experimental policyx package does with our policies: levels, URNs, which config
// reaches which policy.

// startPack serves the pack in-process through policyx.Main and returns a client of it.
func packStart(t *testing.T) pulumirpc.AnalyzerClient {
	t.Helper()
	r, w, err := os.Pipe()
	require.NoError(t, err, "a pipe to read the pack's port from")
	stdout := os.Stdout
	os.Stdout = w // policyx.Main announces its port on stdout
	mainErr := make(chan error, 1)
	go func() {
		// Main returns only when it cannot serve; closing the pipe then ends the read below
		// instead of leaving it waiting for a port that never comes.
		mainErr <- policyx.Main(pack.NewPack)
		w.Close()
	}()
	port, err := bufio.NewReader(r).ReadString('\n')
	os.Stdout = stdout
	if err != nil {
		select {
		case e := <-mainErr:
			require.NoError(t, e, "policyx.Main must serve the pack")
		default:
		}
	}
	require.NoError(t, err, "policyx.Main announces its port on stdout, one line")
	conn, err := grpc.NewClient("127.0.0.1:"+strings.TrimSpace(port), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err, "a client of the pack on port %q", port)
	t.Cleanup(func() { conn.Close() })
	return pulumirpc.NewAnalyzerClient(conn)
}

// configure runs the engine's start-up calls for a stack: handshake, stack config, policy config.
func packConfigure(t *testing.T, c pulumirpc.AnalyzerClient, stack string, stackConfig map[string]string, policyConfig map[string]*pulumirpc.PolicyConfig) {
	t.Helper()
	ctx := context.Background()
	_, err := c.Handshake(ctx, &pulumirpc.AnalyzerHandshakeRequest{})
	require.NoError(t, err, "Handshake")
	_, err = c.ConfigureStack(ctx, &pulumirpc.AnalyzerStackConfigureRequest{Stack: stack, Project: "openwan", Config: stackConfig})
	require.NoError(t, err, "ConfigureStack(%s, %v)", stack, stackConfig)
	_, err = c.Configure(ctx, &pulumirpc.ConfigureAnalyzerRequest{PolicyConfig: policyConfig})
	require.NoError(t, err, "Configure(%v)", policyConfig)
}

func packProps(t *testing.T, m map[string]any) *structpb.Struct {
	t.Helper()
	s, err := plugin.MarshalProperties(resource.NewPropertyMapFromMap(m), plugin.MarshalOptions{KeepUnknowns: true})
	require.NoError(t, err, "marshalling the properties %v", m)
	return s
}

func packPolicyConfig(t *testing.T, level pulumirpc.EnforcementLevel, m map[string]any) *pulumirpc.PolicyConfig {
	t.Helper()
	s, err := structpb.NewStruct(m)
	require.NoError(t, err, "a policy config's properties %v", m)
	return &pulumirpc.PolicyConfig{EnforcementLevel: level, Properties: s}
}

// ruleNamed is the rule the pack serves as policy name.
func packRuleNamed(t *testing.T, name string) rules.Rule {
	t.Helper()
	i := slices.IndexFunc(rules.All(), func(r rules.Rule) bool { return r.Name == name })
	require.GreaterOrEqual(t, i, 0, "rules.All() must register a rule named %s", name)
	return rules.All()[i]
}

const ltURN = "urn:pulumi:prod::openwan::openwan:ec2:LaunchTemplate$aws:ec2/launchTemplate:LaunchTemplate::openwan-api-lt"

func packLaunchTemplate(t *testing.T, tokens string, hops float64) *pulumirpc.AnalyzeRequest {
	return &pulumirpc.AnalyzeRequest{
		Type: "aws:ec2/launchTemplate:LaunchTemplate", Name: "openwan-api-lt", Urn: ltURN,
		Properties: packProps(t, map[string]any{"metadataOptions": map[string]any{"httpTokens": tokens, "httpPutResponseHopLimit": hops}}),
	}
}

func TestPackReportsResourceViolationsWithURN(t *testing.T) {
	c := packStart(t)
	packConfigure(t, c, "prod", nil, nil)
	resp, err := c.Analyze(context.Background(), packLaunchTemplate(t, "optional", 1))
	require.NoError(t, err, "Analyze(IMDSv1 launch template)")
	require.Len(t, resp.Diagnostics, 1, "an IMDSv1 launch template at one hop breaks imdsv2-required only: %v", resp.Diagnostics)
	d := resp.Diagnostics[0]
	assert.Equal(t, pack.PackName, d.PolicyPackName, "the diagnostic names the pack")
	assert.Equal(t, "imdsv2-required", d.PolicyName, "the diagnostic names the rule")
	assert.Equal(t, ltURN, d.Urn, "the diagnostic names the resource at fault")
	assert.Equal(t, pulumirpc.EnforcementLevel_MANDATORY, d.EnforcementLevel, "imdsv2-required is mandatory in every stack")
	want := `LaunchTemplate openwan-api-lt: metadataOptions.httpTokens is "optional", not "required"; require IMDSv2 (openwan:ec2.metadata.httpTokens)`
	assert.Equal(t, packRuleNamed(t, "imdsv2-required").Description+"\n"+want, d.Message,
		"policyx reports the rule's description, then our message on a line of its own")
}

func TestPackResourcePoliciesReadPolicyConfig(t *testing.T) {
	const maxHops = 2.0
	require.Greater(t, maxHops, packRuleNamed(t, "imdsv2-required").Params["maxHopLimit"].Default,
		"the configured maxHopLimit must be above the default, so that a template at it passes only if the config arrived")
	c := packStart(t)
	packConfigure(t, c, "prod", nil, map[string]*pulumirpc.PolicyConfig{
		"imdsv2-required": packPolicyConfig(t, pulumirpc.EnforcementLevel_ADVISORY, map[string]any{"maxHopLimit": maxHops}),
	})
	for _, tc := range []struct {
		name string
		hops float64
		want int
	}{
		{"at the configured maxHopLimit", maxHops, 0},
		{"one above the configured maxHopLimit", maxHops + 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := c.Analyze(context.Background(), packLaunchTemplate(t, "required", tc.hops))
			require.NoError(t, err, "Analyze(launch template at %v hops)", tc.hops)
			assert.Len(t, resp.Diagnostics, tc.want, "hop limit %v against the configured maxHopLimit %v: %v", tc.hops, maxHops, resp.Diagnostics)
			for _, d := range resp.Diagnostics {
				assert.Equal(t, "imdsv2-required", d.PolicyName, "only the hop limit is wrong")
				assert.Equal(t, pulumirpc.EnforcementLevel_ADVISORY, d.EnforcementLevel, "the policy config sets imdsv2-required advisory")
			}
		})
	}
}

func packLevels(t *testing.T, c pulumirpc.AnalyzerClient) map[string]pulumirpc.EnforcementLevel {
	t.Helper()
	info, err := c.GetAnalyzerInfo(context.Background(), nil)
	require.NoError(t, err, "GetAnalyzerInfo")
	out := map[string]pulumirpc.EnforcementLevel{}
	for _, p := range info.Policies {
		out[p.Name] = p.EnforcementLevel
	}
	return out
}

func TestPackLevelsPerStack(t *testing.T) {
	for _, tc := range []struct {
		name   string
		stack  string
		config map[string]string
		want   pulumirpc.EnforcementLevel
	}{
		{"a stack that declares nothing is production", "prod", nil, pulumirpc.EnforcementLevel_MANDATORY},
		{"a development stack keeps the rule's advisory level", "dev", map[string]string{"openwan:app": `{"environment": "development"}`}, pulumirpc.EnforcementLevel_ADVISORY},
		{"a copy of prod under another name is still production", "production", map[string]string{"openwan:app": `{"environment": "production"}`}, pulumirpc.EnforcementLevel_MANDATORY},
		{"a stack named prod that says development is development", "prod", map[string]string{"openwan:app": `{"environment": "development"}`}, pulumirpc.EnforcementLevel_ADVISORY},
		{"the stack's config wins over strictness", "prod", map[string]string{"openwan-policy:min-capacity": "disabled"}, pulumirpc.EnforcementLevel_DISABLED},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := packStart(t)
			packConfigure(t, c, tc.stack, tc.config, nil)
			assert.Equal(t, tc.want, packLevels(t, c)["min-capacity"], "min-capacity's level in %s with stack config %v", tc.stack, tc.config)
		})
	}
}

func TestPackPublishesThresholdSchema(t *testing.T) {
	c := packStart(t)
	packConfigure(t, c, "prod", nil, nil)
	info, err := c.GetAnalyzerInfo(context.Background(), nil)
	require.NoError(t, err, "GetAnalyzerInfo")
	i := slices.IndexFunc(info.Policies, func(p *pulumirpc.PolicyInfo) bool { return p.Name == "max-hourly-cost" })
	require.GreaterOrEqual(t, i, 0, "the pack serves a max-hourly-cost policy")
	prop := info.Policies[i].ConfigSchema.GetProperties().GetFields()["maxHourlyUSD"].GetStructValue().GetFields()
	assert.Equal(t, "number", prop["type"].GetStringValue(), "maxHourlyUSD is published as a number, so a config file giving a string is refused: %v", prop)
	assert.Equal(t, packRuleNamed(t, "max-hourly-cost").Params["maxHourlyUSD"].Default, prop["default"].GetNumberValue(),
		"the published default is the rule's: %v", prop)
}

// groupAndPolicy is an ASG and a scaling policy wired to it through a property dependency.
func groupAndPolicy(t *testing.T, ignore []string) []*pulumirpc.AnalyzerResource {
	group := "urn:pulumi:prod::openwan::aws:autoscaling/group:Group::openwan-api-asg"
	return []*pulumirpc.AnalyzerResource{
		{Type: "aws:autoscaling/group:Group", Name: "openwan-api-asg", Urn: group,
			Properties: packProps(t, map[string]any{"minSize": 2, "maxSize": 10, "launchTemplate": map[string]any{"id": "lt"}}),
			Options:    &pulumirpc.AnalyzerResourceOptions{IgnoreChanges: ignore}},
		{Type: "aws:autoscaling/policy:Policy", Name: "cpu", Urn: "urn:pulumi:prod::openwan::aws:autoscaling/policy:Policy::cpu",
			Properties:           packProps(t, map[string]any{"autoscalingGroupName": resource.MakeComputed(resource.NewProperty(""))}),
			PropertyDependencies: map[string]*pulumirpc.AnalyzerPropertyDependencies{"autoscalingGroupName": {Urns: []string{group}}}},
	}
}

// analyzeStack returns the names of the policies that report on resources, sorted.
func analyzeStack(t *testing.T, c pulumirpc.AnalyzerClient, resources []*pulumirpc.AnalyzerResource) []string {
	t.Helper()
	resp, err := c.AnalyzeStack(context.Background(), &pulumirpc.AnalyzeStackRequest{Resources: resources})
	require.NoError(t, err, "AnalyzeStack")
	var out []string
	for _, d := range resp.Diagnostics {
		out = append(out, d.PolicyName)
	}
	slices.Sort(out)
	return out
}

func TestPackStackPoliciesSeeDependenciesAndOptions(t *testing.T) {
	c := packStart(t)
	packConfigure(t, c, "prod", nil, nil)
	assert.Contains(t, analyzeStack(t, c, groupAndPolicy(t, nil)), "asg-ignores-desired-capacity",
		"the scaling policy reaches the group only through its property dependency, and the group does not ignore desiredCapacity")
	assert.NotContains(t, analyzeStack(t, c, groupAndPolicy(t, []string{"desiredCapacity"})), "asg-ignores-desired-capacity",
		"the group's ignoreChanges option reaches the stack policy")
}

// TestPackStackThresholdsComeFromStackConfig pins pulumi/pulumi#24657: policyx gives stack
// policies no policy config, so the pack reads their thresholds from the stack's
// openwan-policy:* config. If this test fails because the policy config did arrive, the SDK
// fixed the gap: read args.Config in stack policies too and update docs/policies.md.
func TestPackStackThresholdsComeFromStackConfig(t *testing.T) {
	const ceiling = 0.1 // USD/hour
	// The group's ten instances at most, all t3.medium, priced as the rule prices them.
	atMax := 10 * config.Defaults().Capacity.Prices["t3.medium"]
	require.Greater(t, atMax, ceiling, "ten t3.medium ($%.3f/h) must cost more than the $%.2f/h ceiling", atMax, ceiling)
	resources := groupAndPolicy(t, []string{"desiredCapacity"})
	resources[0].Properties = packProps(t, map[string]any{"minSize": 2, "maxSize": 10,
		"mixedInstancesPolicy": map[string]any{"launchTemplate": map[string]any{"overrides": []any{map[string]any{"instanceType": "t3.medium"}}}}})

	c := packStart(t)
	packConfigure(t, c, "prod", nil, map[string]*pulumirpc.PolicyConfig{
		"max-hourly-cost": packPolicyConfig(t, pulumirpc.EnforcementLevel_ADVISORY, map[string]any{"maxHourlyUSD": ceiling}),
	})
	assert.NotContains(t, analyzeStack(t, c, resources), "max-hourly-cost",
		"policy config reached the stack policy: policyx now passes it, see pulumi/pulumi#24657")

	c = packStart(t)
	packConfigure(t, c, "prod", map[string]string{"openwan-policy:max-hourly-cost": fmt.Sprintf(`{"maxHourlyUSD": %v}`, ceiling)}, nil)
	assert.Contains(t, analyzeStack(t, c, resources), "max-hourly-cost",
		"the stack config's $%.2f/h ceiling reaches the stack policy, under the fleet's $%.3f/h", ceiling, atMax)
}
