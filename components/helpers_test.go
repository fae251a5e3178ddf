package components_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/config/configtest"
	"github.com/openwan/openwan-infra/internal/model"
	"github.com/openwan/openwan-infra/internal/plan"
	"github.com/openwan/openwan-infra/stacks"
)

// The resource types the tests read, as the engine's type tokens.
const (
	hpaType        = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
	deploymentType = "kubernetes:apps/v1:Deployment"
	pdbType        = "kubernetes:policy/v1:PodDisruptionBudget"
	releaseType    = "kubernetes:helm.sh/v3:Release"
	clusterType    = "eks:index:Cluster"
	nodeGroupType  = "aws:eks/nodeGroup:NodeGroup"
	// scaledObjectType is KEDA's ScaledObject as the Kubernetes provider types a custom resource.
	scaledObjectType = "kubernetes:keda.sh/v1alpha1:ScaledObject"

	groupType    = "aws:autoscaling/group:Group"
	policyType   = "aws:autoscaling/policy:Policy"
	scheduleType = "aws:autoscaling/schedule:Schedule"
	alarmType    = "aws:cloudwatch/metricAlarm:MetricAlarm"
	ltType       = "aws:ec2/launchTemplate:LaunchTemplate"
	sgRuleType   = "aws:ec2/securityGroupRule:SecurityGroupRule"
	subnetType   = "aws:ec2/subnet:Subnet"
	natType      = "aws:ec2/natGateway:NatGateway"
)

// shippedStacks are the stacks the repository ships: one per Pulumi.<stack>.yaml at its root.
func shippedStacks(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(configtest.Root(t), "Pulumi.*.yaml"))
	require.NoError(t, err, "globbing the stack files")
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "Pulumi."), ".yaml"))
	}
	require.Contains(t, names, "prod", "the repository root holds Pulumi.prod.yaml; found stacks %v", names)
	return names
}

// runStack runs the program with the stack's real Pulumi.<stack>.yaml on the recording mocks.
func runStack(t *testing.T, stack string, dryRun bool) *plan.Plan {
	t.Helper()
	return runRaw(t, stack, configtest.Raw(t, stack), dryRun)
}

// runRaw runs the program with raw config (full keys to raw values, as the engine passes them),
// requiring it to succeed. A plan is deterministic in its stack, config and mode, so each is run
// once per test binary (most tests read the shipped stacks' plans) and every caller gets its own
// copy, free to change.
func runRaw(t *testing.T, stack string, raw map[string]string, dryRun bool) *plan.Plan {
	t.Helper()
	key, err := json.Marshal([]any{stack, raw, dryRun}) // a map marshals with its keys sorted
	require.NoError(t, err)
	e, _ := plans.LoadOrStore(string(key), &cachedPlan{})
	c := e.(*cachedPlan)
	c.once.Do(func() {
		p, err := plan.RunStack(stack, raw, stacks.Build, plan.Options{DryRun: dryRun})
		if c.err = err; err == nil {
			c.doc, c.err = json.Marshal(p)
		}
	})
	require.NoError(t, c.err, "plan.RunStack(%s, dryRun=%v) must succeed", stack, dryRun)
	var p plan.Plan
	require.NoError(t, json.Unmarshal(c.doc, &p), "a plan reads back as synth --json writes it")
	return &p
}

// plans are the plans run so far by runRaw's key, each a *cachedPlan.
var plans sync.Map

// cachedPlan is one plan, run once, as its JSON.
type cachedPlan struct {
	once sync.Once
	doc  []byte
	err  error
}

// eachMode runs f as `pulumi up` and as `pulumi preview` (DryRun), in subtests.
func eachMode(t *testing.T, f func(t *testing.T, dryRun bool)) {
	t.Helper()
	for _, dryRun := range []bool{false, true} {
		name := "up"
		if dryRun {
			name = "preview"
		}
		t.Run(name, func(t *testing.T) { f(t, dryRun) })
	}
}

// withConfig is raw with one value of one config section changed: key is the full config key
// ("openwan:ec2"), path the dotted path inside its JSON object ("metadata.hopLimit"). Everything
// else stays as the stack file has it, so a test changes only the one field it is about.
func withConfig(t *testing.T, raw map[string]string, key, path string, value any) map[string]string {
	t.Helper()
	out := maps.Clone(raw)
	section := map[string]any{}
	if text, ok := out[key]; ok {
		require.NoError(t, json.Unmarshal([]byte(text), &section), "%s must hold a JSON object", key)
	}
	node := section
	segments := strings.Split(path, ".")
	for _, seg := range segments[:len(segments)-1] {
		next, ok := node[seg].(map[string]any)
		if !ok {
			next = map[string]any{}
			node[seg] = next
		}
		node = next
	}
	node[segments[len(segments)-1]] = value
	text, err := json.Marshal(section)
	require.NoError(t, err, "encoding %s", key)
	out[key] = string(text)
	return out
}

// mustGet returns the one resource of the given type and name, which the test requires.
func mustGet(t *testing.T, p *plan.Plan, typ, name string) model.Resource {
	t.Helper()
	r, err := p.Get(typ, name)
	require.NoError(t, err, "the plan must declare %s %s", typ, name)
	return r
}

// input is an input of a named resource, which the test requires to be declared.
func input(t *testing.T, p *plan.Plan, typ, name, path string) any {
	t.Helper()
	v, err := mustGet(t, p, typ, name).Input(path)
	require.NoError(t, err, "%s %s must declare %s", typ, name, path)
	return v
}

// output is a stack output at a dotted path, which the test requires.
func output(t *testing.T, p *plan.Plan, path string) any {
	t.Helper()
	v, err := model.Lookup(p.Outputs, path)
	require.NoError(t, err, "the stack must export %s", path)
	return v
}

// outputNumber is a numeric stack output at a dotted path.
func outputNumber(t *testing.T, p *plan.Plan, path string) float64 {
	t.Helper()
	v := output(t, p, path)
	n, ok := v.(float64)
	require.True(t, ok, "output %s = %v (%T), want a number", path, v, v)
	return n
}

// assertJSON asserts that got, a plain JSON value from the plan, is want once both are encoded
// as JSON: 2 and 2.0 are alike, as are a []any and a []map[string]any of the same items.
func assertJSON(t *testing.T, want, got any, msgAndArgs ...any) bool {
	t.Helper()
	w, err := json.Marshal(want)
	require.NoError(t, err, "encoding the expected value %v", want)
	g, err := json.Marshal(got)
	require.NoError(t, err, "encoding the plan's value %v", got)
	return assert.JSONEq(t, string(w), string(g), msgAndArgs...)
}

// check is one expected input: resource type and name, dotted input path, plain JSON value.
type check struct {
	typ, name, path string
	want            any
}

// runChecks asserts every check, reporting each missing resource or input and each mismatch.
func runChecks(t *testing.T, p *plan.Plan, checks []check) {
	t.Helper()
	for _, c := range checks {
		r, err := p.Get(c.typ, c.name)
		if !assert.NoError(t, err, "the plan must declare %s %s", c.typ, c.name) {
			continue
		}
		got, err := r.Input(c.path)
		if !assert.NoError(t, err, "%s must declare %s", c.name, c.path) {
			continue
		}
		assertJSON(t, c.want, got, "%s %s", c.name, c.path)
	}
}

// envOf is the plain environment of a Deployment's first container, name to value.
func envOf(t *testing.T, d model.Resource) map[string]string {
	t.Helper()
	vars, err := d.Input("spec.template.spec.containers.0.env")
	require.NoError(t, err, "%s must set its container's environment", d.Name)
	list, ok := vars.([]any)
	require.True(t, ok, "%s env = %T, want a list", d.Name, vars)
	env := map[string]string{}
	for _, v := range list {
		m, _ := v.(map[string]any)
		if value, ok := m["value"].(string); ok {
			env[fmt.Sprint(m["name"])] = value
		}
	}
	return env
}

// millis and mebibytes are a config.Quantity as Kubernetes writes it.
func millis(q config.Quantity) string    { return fmt.Sprintf("%dm", q.CPUMillis) }
func mebibytes(q config.Quantity) string { return fmt.Sprintf("%dMi", q.MemoryMiB) }
