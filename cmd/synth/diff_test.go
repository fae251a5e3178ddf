package main

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
	"github.com/openwan/openwan-infra/internal/plan"
)

// TestSynthDiffAgainstAnEarlierPlan: the plan of main, then a change of prod's API maximum, as a
// pull request would make it: the diff names the resource and the field with both values.
func TestSynthDiffAgainstAnEarlierPlan(t *testing.T) {
	root := configtest.Root(t)
	baseFile := prodPlanFile(t, root)
	var stderr bytes.Buffer

	var out bytes.Buffer
	require.Equal(t, 0, run([]string{"--stack", "prod", "--dir", root, "--diff", baseFile}, &out, &stderr), "stderr: %s", stderr.String())
	assert.Equal(t, "stack prod:\nno resource changes\n", out.String(), "the same stack, no change")

	out.Reset()
	changed := prodWith(t, "openwan:api", "    replicas: {min: 2, max: 18}\n")
	require.Equal(t, 0, run([]string{"--stack", "prod", "--dir", changed, "--diff", baseFile}, &out, &stderr), "stderr: %s", stderr.String())
	// The HPA, and what watches it: the at-maximum alarm and the dashboard's line at the maximum.
	assert.Equal(t, "stack prod:\n~ HorizontalPodAutoscaler openwan-api-hpa: spec.maxReplicas 20 -> 18\n"+
		"~ MetricAlarm openwan-at-max-openwan-api: alarmDescription openwan-api has been at its HPA maximum of 20 pods for 15 minutes: it cannot grow, more load goes unserved or queues. First: kubectl describe hpa -n openwan; then raise the maximum (and the node pool's) or find what holds the load up -> openwan-api has been at its HPA maximum of 18 pods for 15 minutes: it cannot grow, more load goes unserved or queues. First: kubectl describe hpa -n openwan; then raise the maximum (and the node pool's) or find what holds the load up; threshold 20 -> 18\n"+
		"~ Dashboard openwan-dashboard: dashboardBody.widgets.11.properties.annotations.horizontal.0.value 20 -> 18\n"+
		"0 to create, 3 to update, 0 to replace, 0 to delete\n", out.String())
}

func TestWriteDiff(t *testing.T) {
	res := func(name string, inputs map[string]any) model.Resource {
		return model.Resource{URN: "urn:" + name, Type: "aws:autoscaling/group:Group", Name: name, Custom: true, Inputs: inputs}
	}
	cost := func(baseline, max float64) map[string]any {
		return map[string]any{"monthlyCostUSD": map[string]any{
			"fleets":     []any{map[string]any{"fleet": "openwan:ec2.api", "monthlyUSD": map[string]any{"baseline": map[string]any{"total": baseline}, "max": map[string]any{"total": max}}}},
			"monthlyUSD": map[string]any{"baseline": map[string]any{"total": baseline}, "max": map[string]any{"total": max}},
		}}
	}
	base := &plan.Plan{Stack: "s", Resources: []model.Resource{
		res("kept", map[string]any{"maxSize": 10.0, "tags": []any{"a"}}), res("gone", nil),
	}, Outputs: cost(100, 300)}
	head := &plan.Plan{Stack: "s", Resources: []model.Resource{
		res("kept", map[string]any{"maxSize": 12.0, "tags": []any{"a", "b"}, "minSize": 2.0}), res("new", nil),
	}, Outputs: cost(100, 360)}
	var out bytes.Buffer
	require.NoError(t, writeDiff(&out, base, head))
	assert.Equal(t, "stack s:\n~ Group kept: maxSize 10 -> 12; minSize (none) -> 2; tags [\"a\"] -> [\"a\",\"b\"]\n"+
		"+ Group new\n"+
		"- Group gone\n"+
		"$ openwan:ec2.api: USD per month baseline 100 -> 100, max 300 -> 360\n"+
		"$ the stack: USD per month baseline 100 -> 100, max 300 -> 360\n"+
		"1 to create, 1 to update, 0 to replace, 1 to delete\n", out.String())
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
	require.Equal(t, 0, run([]string{"--stack", "prod", "--dir", changed, "--diff", baseFile}, &out, &stderr), "stderr: %s", stderr.String())
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

// prodPlanFile writes the shipped prod's plan, as synth --json makes it on main, and returns its
// path: the base a pull request's diff compares with.
func prodPlanFile(t *testing.T, root string) string {
	t.Helper()
	var base, stderr bytes.Buffer
	require.Equal(t, 0, run([]string{"--stack", "prod", "--dir", root, "--json"}, &base, &stderr), "stderr: %s", stderr.String())
	file := filepath.Join(t.TempDir(), "base.json")
	require.NoError(t, os.WriteFile(file, base.Bytes(), 0o644))
	return file
}
