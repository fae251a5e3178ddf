package components_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config/configtest"
	"github.com/openwan/openwan-infra/internal/model"
)

// TestSynthDiffAgainstAnEarlierPlan: the plan of main, then a change of prod's API maximum, as a
// pull request would make it: the diff names the resource and the field with both values.
func TestSynthDiffAgainstAnEarlierPlan(t *testing.T) {
	root := configtest.Root(t)
	baseFile := prodPlanFile(t, root)
	var stderr bytes.Buffer

	var out bytes.Buffer
	require.Equal(t, 0, synthRun([]string{"--stack", "prod", "--dir", root, "--diff", baseFile}, &out, &stderr), "stderr: %s", stderr.String())
	assert.Equal(t, "stack prod: from the plan in "+baseFile+" to Pulumi.prod.yaml\nno resource changes\n", out.String(), "the same stack, no change")

	out.Reset()
	changed := prodWith(t, "openwan:api", "    replicas: {min: 2, max: 18}\n")
	require.Equal(t, 0, synthRun([]string{"--stack", "prod", "--dir", changed, "--diff", baseFile}, &out, &stderr), "stderr: %s", stderr.String())
	// The HPA, and what watches it: the at-maximum alarm and the dashboard's line at the maximum.
	assert.Equal(t, "stack prod: from the plan in "+baseFile+" to Pulumi.prod.yaml\n~ HorizontalPodAutoscaler openwan-api-hpa: spec.maxReplicas 20 -> 18\n"+
		"~ MetricAlarm openwan-at-max-openwan-api: alarmDescription openwan-api has been at its HPA maximum of 20 pods for 15 minutes: it cannot grow, more load goes unserved or queues. First: kubectl describe hpa -n openwan; then raise the maximum (and the node pool's) or find what holds the load up -> openwan-api has been at its HPA maximum of 18 pods for 15 minutes: it cannot grow, more load goes unserved or queues. First: kubectl describe hpa -n openwan; then raise the maximum (and the node pool's) or find what holds the load up; threshold 20 -> 18\n"+
		"~ Dashboard openwan-dashboard: dashboardBody.widgets.11.properties.annotations.horizontal.0.value 20 -> 18\n"+
		"0 to create, 3 to update, 0 to replace, 0 to delete\n", out.String())
}

// A change AWS can only make by creating anew is a replacement, marked as `pulumi preview` marks
// it, and so is every resource whose create-only input holds the replaced one's ID: a new VPC
// block replaces the VPC, its subnets, and the NAT gateways, route tables, security groups and
// node groups that live in them. (Before, the VPC read "~ Vpc openwan: cidrBlock ..." and
// nothing else: an update, where AWS rebuilds production.)
func TestSynthDiffMarksReplacements(t *testing.T) {
	root := configtest.Root(t)
	baseFile := prodPlanFile(t, root)
	var stderr bytes.Buffer

	var out bytes.Buffer
	changed := stackReplacing(t, "prod", "  openwan:app:\n", "  openwan:network:\n    cidr: 10.1.0.0/16\n  openwan:app:\n")
	require.Equal(t, 0, synthRun([]string{"--stack", "prod", "--dir", changed, "--diff", baseFile}, &out, &stderr), "stderr: %s", stderr.String())
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	assert.Contains(t, lines, "+- Vpc openwan: cidrBlock 10.0.0.0/16 -> 10.1.0.0/16; replaces: AWS sets cidrBlock at creation only")
	assert.Contains(t, lines, "+- Subnet openwan-private-0: cidrBlock 10.0.0.0/19 -> 10.1.0.0/19; replaces: AWS sets cidrBlock at creation only")
	for _, want := range []string{
		"+- NatGateway openwan-nat-0: replaced with Subnet openwan-public-0 (subnetId)",
		"+- RouteTable openwan-public: replaced with Vpc openwan (vpcId)",
		"+- SecurityGroup openwan-api-lb-lb: replaced with Vpc openwan (vpcId)",
		"+- TargetGroup openwan-api-lb-api: replaced with Vpc openwan (vpcId)",
	} {
		assert.Contains(t, lines, want)
	}
	var nodeGroups int
	for _, l := range lines {
		if strings.HasPrefix(l, "+- NodeGroup ") {
			nodeGroups++
		}
		assert.False(t, strings.HasPrefix(l, "~ Vpc ") || strings.HasPrefix(l, "~ Subnet "), "not in place: %s", l)
	}
	assert.Equal(t, 2, nodeGroups, "both node groups move to the new subnets")
	assert.Regexp(t, `^\d+ to create, \d+ to update, 3\d to replace, 0 to delete$`, lines[len(lines)-1], "the count, as pulumi preview closes")
}

// TestSynthDiffShowsTheScriptDecoded: a one-word image change shows as the script's line that
// changed, not as two 9 KB base64 blobs (before: "userData IyEvYmluL2Jhc2gK... -> IyEv...").
func TestSynthDiffShowsTheScriptDecoded(t *testing.T) {
	root := configtest.Root(t)
	variant := filepath.Join(stackReplacing(t, "prod", "openwan-api:1.8.2", "openwan-api:1.8.3"), "Pulumi.prod.yaml")
	try := filepath.Join(t.TempDir(), "Pulumi.try.yaml")
	data, err := os.ReadFile(variant)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(try, data, 0o644))
	var out, stderr bytes.Buffer
	require.Equal(t, 0, synthRun([]string{"--stack", "prod", "--dir", root, "--against", try}, &out, &stderr), "stderr: %s", stderr.String())
	lines := strings.Split(out.String(), "\n")
	assert.Equal(t, "stack prod: from Pulumi.prod.yaml to "+try, lines[0], "a variant file, compared under the stack's name")
	assert.Equal(t, "~ LaunchTemplate openwan-api-lt: userData (the script, decoded) changed:", lines[1])
	assert.Contains(t, lines, "    - image='ghcr.io/openwan/openwan-api:1.8.2'")
	assert.Contains(t, lines, "    + image='ghcr.io/openwan/openwan-api:1.8.3'")
	assert.Contains(t, lines, "~ Deployment openwan-api-deployment: spec.template.spec.containers.0.image ghcr.io/openwan/openwan-api:1.8.2 -> ghcr.io/openwan/openwan-api:1.8.3")
	assert.Contains(t, lines, "0 to create, 2 to update, 0 to replace, 0 to delete")
	for _, l := range lines {
		assert.Less(t, len(l), 300, "no blob: %.80s...", l)
	}
}

// TestSynthDiffRefusesAnotherStacksPlan: URNs carry the stack's name, so a plan of another stack
// would show every resource added; the refusal names both and the way to compare them.
func TestSynthDiffRefusesAnotherStacksPlan(t *testing.T) {
	root := configtest.Root(t)
	baseFile := prodPlanFile(t, root)
	var out, stderr bytes.Buffer
	require.Equal(t, 1, synthRun([]string{"--stack", "dev", "--dir", root, "--diff", baseFile}, &out, &stderr))
	assert.Contains(t, stderr.String(), "is a plan of stack prod, not of dev")
	assert.Contains(t, stderr.String(), "synth --stack prod --against Pulumi.dev.yaml")
	assert.Empty(t, out.String())
}

// TestSynthDiffOfAPreviewBase: a base written with --preview holds "[unknown]" where a deploy
// computes a value; the diff runs as its base ran, so those are not read as changes (before:
// "[unknown] -> value" lines on every resource).
func TestSynthDiffOfAPreviewBase(t *testing.T) {
	root := configtest.Root(t)
	var base, stderr bytes.Buffer
	require.Equal(t, 0, synthRun([]string{"--stack", "prod", "--dir", root, "--json", "--preview"}, &base, &stderr), "stderr: %s", stderr.String())
	require.Contains(t, base.String(), model.Unknown, "the base is a preview's")
	file := filepath.Join(t.TempDir(), "base.json")
	require.NoError(t, os.WriteFile(file, base.Bytes(), 0o644))

	var out bytes.Buffer
	changed := prodWith(t, "openwan:api", "    replicas: {min: 2, max: 18}\n")
	require.Equal(t, 0, synthRun([]string{"--stack", "prod", "--dir", changed, "--diff", file}, &out, &stderr), "stderr: %s", stderr.String())
	assert.NotContains(t, out.String(), model.Unknown)
	assert.Contains(t, out.String(), "(as previews: values known only after a deploy are not compared; a base of synth --json without --preview compares them all)")
	assert.Contains(t, out.String(), "~ HorizontalPodAutoscaler openwan-api-hpa: spec.maxReplicas 20 -> 18\n")
	// The dashboard's body holds the load balancer's ARN, unknown in a preview on both sides: its
	// line at the maximum is a change only a base of synth --json shows.
	assert.Contains(t, out.String(), "0 to create, 2 to update, 0 to replace, 0 to delete\n")
}

// prodPlanFile writes the shipped prod's plan, as synth --json makes it on main, and returns its
// path: the base a pull request's diff compares with.
func prodPlanFile(t *testing.T, root string) string {
	t.Helper()
	var base, stderr bytes.Buffer
	require.Equal(t, 0, synthRun([]string{"--stack", "prod", "--dir", root, "--json"}, &base, &stderr), "stderr: %s", stderr.String())
	file := filepath.Join(t.TempDir(), "base.json")
	require.NoError(t, os.WriteFile(file, base.Bytes(), 0o644))
	return file
}
