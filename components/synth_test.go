package components_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/config/configtest"
	"github.com/openwan/openwan-infra/internal/synth"
	"github.com/openwan/openwan-infra/policies/rules"
	"github.com/openwan/openwan-infra/stacks"
)

func TestSynthPrintsThePlan(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := synthRun([]string{"--stack", "prod", "--dir", configtest.Root(t), "--json"}, &stdout, &stderr)
	require.Equal(t, 0, code, "synthRun(--stack prod --json) succeeds; stderr: %s", stderr.String())
	var plan struct {
		Project   string           `json:"project"`
		Stack     string           `json:"stack"`
		Resources []map[string]any `json:"resources"`
		Outputs   map[string]any   `json:"outputs"`
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &plan), "stdout is the plan as JSON")
	assert.Equal(t, "openwan", plan.Project, "the plan names the project of Pulumi.yaml")
	assert.Equal(t, "prod", plan.Stack, "the plan names the stack")
	require.NotEmpty(t, plan.Resources, "prod declares resources")
	for _, key := range []string{"urn", "type", "name", "parent", "custom", "inputs"} {
		assert.Contains(t, plan.Resources[0], key, "every resource says its %s", key)
	}
}

func TestSynthFailsOnBadConfigWithNothingOnStdout(t *testing.T) {
	dir := stackReplacing(t, "prod", "  openwan:api:\n", "  openwan:api:\n    replicas: {min: 2, max: 1}\n")
	require.NoError(t, os.Rename(filepath.Join(dir, "Pulumi.prod.yaml"), filepath.Join(dir, "Pulumi.bad.yaml")))
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"invalid config", []string{"--stack", "bad", "--dir", dir}, 1, "openwan:api.replicas.max: 1 is below min 2"},
		{"no stack file", []string{"--stack", "missing", "--dir", dir}, 1, "Pulumi.missing.yaml"},
		{"no stack", []string{}, 2, "--stack is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			assert.Equal(t, tt.code, synthRun(tt.args, &stdout, &stderr), "exit code of synthRun(%q)", tt.args)
			assert.Zero(t, stdout.Len(), "synthRun(%q) prints no plan on an error", tt.args)
			assert.Contains(t, stderr.String(), tt.want, "synthRun(%q) says what is wrong on stderr", tt.args)
		})
	}
}

// TestSynthRefusesStackFileMistakesByKey: an unknown openwan:* section, a value of the wrong type
// and an empty queue dimension in Pulumi.prod.yaml each exit 1, naming the full key, with no
// plan: the program's own refusals, as under `pulumi up`.
func TestSynthRefusesStackFileMistakesByKey(t *testing.T) {
	prod := configtest.Prod(t)
	tests := []struct {
		name, dir, want string
	}{
		{"unknown section", prodWith(t, "openwan:worker", "", "  openwan:wroker:\n    image: ghcr.io/openwan/openwan-worker:1.8.2\n"),
			"openwan:wroker: unknown config key (known sections: " + strings.Join(config.Sections(), ", ") + ")"},
		{"number for a string", stackReplacing(t, "prod", "redisAddress: "+prod.App.RedisAddress, "redisAddress: 12345"),
			"openwan:app.redisAddress: expected a string, got 12345"},
		{"empty queue dimension", stackReplacing(t, "prod", "Queue: "+prod.EC2.Worker.Queue.Dimensions["Queue"], `Queue: ""`),
			"openwan:ec2.worker.queue.dimensions.Queue: must not be empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			assert.Equal(t, 1, synthRun([]string{"--stack", "prod", "--dir", tt.dir}, &stdout, &stderr), "exit code; stderr: %s", stderr.String())
			assert.Zero(t, stdout.Len(), "no plan on a config error")
			assert.Equal(t, "synth: invalid stack config:\n"+tt.want+"\n", stderr.String(), "the one mistake, by its full key")
		})
	}
}

// prodWith writes the prod stack file with extra lines under a section header into a temp dir,
// keeping the stack's name (min-capacity is mandatory only in prod).
func prodWith(t *testing.T, section, lines string, tail ...string) string {
	t.Helper()
	return stackWith(t, "prod", section, lines, tail...)
}

// stackWith adds lines under a section of the stack's file, and tail at its end.
func stackWith(t *testing.T, stack, section, lines string, tail ...string) string {
	t.Helper()
	header := "  " + section + ":\n"
	return stackReplacing(t, stack, header, header+lines, tail...)
}

// stackReplacing writes the stack's file with old replaced by new, and tail appended, into a temp
// dir.
func stackReplacing(t *testing.T, stack, old, new string, tail ...string) string {
	t.Helper()
	original, err := os.ReadFile(filepath.Join(configtest.Root(t), "Pulumi."+stack+".yaml"))
	require.NoError(t, err)
	require.Contains(t, string(original), old, "Pulumi.%s.yaml holds the text the test edits", stack)
	edited := strings.Replace(string(original), old, new, 1) + strings.Join(tail, "")
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi."+stack+".yaml"), []byte(edited), 0o644))
	return dir
}

func TestSynthCheck(t *testing.T) {
	root := configtest.Root(t)
	prod := configtest.Prod(t)
	// A min-capacity minimum of 3 catches every minimum of prod below it: both HPAs, both groups,
	// both node groups and the schedules (prod: all 2 but the business-hours schedule's 3).
	const minimum = 3
	belowMinimum := []string{}
	for _, m := range []int{prod.API.Replicas.Min, prod.Worker.Replicas.Min, prod.EC2.API.Size.Min, prod.EC2.Worker.Size.Min,
		prod.Cluster.NodePools.API.Size.Min, prod.Cluster.NodePools.Workers.Size.Min} {
		if m < minimum {
			belowMinimum = append(belowMinimum, "min-capacity")
		}
	}
	for _, schedules := range []map[string]*config.ScheduledAction{prod.EC2.API.Schedules, prod.EC2.Worker.Schedules} {
		for _, a := range schedules {
			if *a.Min < minimum {
				belowMinimum = append(belowMinimum, "min-capacity")
			}
		}
	}
	// A database limit below what prod's fleets open at their maxima (prod: 1250 of 1500).
	db := prod.Capacity.Database
	connections := (prod.API.Replicas.Max+prod.EC2.API.Size.Max)*prod.API.DBPoolSize + (prod.Worker.Replicas.Max+prod.EC2.Worker.Size.Max)*prod.Worker.DBPoolSize
	const tightLimit = 1000
	require.Less(t, tightLimit-db.ReservedConnections, connections, "precondition: %d connections are short of prod's fleets", tightLimit)
	policyFile := filepath.Join(t.TempDir(), "policy.json")
	require.NoError(t, os.WriteFile(policyFile, []byte(fmt.Sprintf(`{"min-capacity": {"minimum": %d}}`, minimum)), 0o644))
	badPolicyFile := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(badPolicyFile, []byte(`{"min-capacity": {"minimun": 3}}`), 0o644))
	tests := []struct {
		name       string
		args       []string
		code       int
		violations []string // rule names in the JSON, in order; nil when no plan is printed
		stderr     string
	}{
		{"prod complies", []string{"--stack", "prod", "--dir", root, "--check"}, 0, []string{}, ""},
		{"dev complies", []string{"--stack", "dev", "--dir", root, "--check"}, 0, []string{}, ""},
		{"HPA min 1 in dev is advisory", []string{"--stack", "dev", "--dir", stackReplacing(t, "dev", "replicas: {min: 2, max: 6}", "replicas: {min: 1, max: 6}"), "--check"}, 0,
			[]string{"min-capacity"},
			"min-capacity [advisory] urn:pulumi:dev::openwan::openwan:k8s:ScalableService$kubernetes:autoscaling/v2:HorizontalPodAutoscaler::openwan-api-hpa: HorizontalPodAutoscaler openwan-api-hpa: spec.minReplicas is 1"},
		{"HPA min 1 in prod", []string{"--stack", "prod", "--dir", prodWith(t, "openwan:api", "    replicas: {min: 1, max: 20}\n"), "--check"}, 3,
			[]string{"min-capacity"},
			"min-capacity [mandatory] urn:pulumi:prod::openwan::openwan:k8s:ScalableService$kubernetes:autoscaling/v2:HorizontalPodAutoscaler::openwan-api-hpa: HorizontalPodAutoscaler openwan-api-hpa: spec.minReplicas is 1"},
		{"IMDSv2 off", []string{"--stack", "prod", "--dir", prodWith(t, "openwan:ec2", "    metadata: {httpTokens: optional}\n"), "--check"}, 3,
			[]string{"imdsv2-required", "imdsv2-required"},
			`imdsv2-required [mandatory] urn:pulumi:prod::openwan::openwan:ec2:LaunchTemplate$aws:ec2/launchTemplate:LaunchTemplate::openwan-api-lt: LaunchTemplate openwan-api-lt: metadataOptions.httpTokens is "optional"`},
		{"stack config makes a rule advisory", []string{"--stack", "prod", "--check", "--dir",
			prodWith(t, "openwan:api", "    replicas: {min: 1, max: 20}\n", "  openwan-policy:min-capacity: advisory\n")},
			0, []string{"min-capacity"}, "min-capacity [advisory]"},
		{"policy config file raises a threshold", []string{"--stack", "prod", "--dir", root, "--check", "--policy-config", policyFile}, 3,
			belowMinimum, fmt.Sprintf("below the minimum of %d", minimum)},
		{"bad policy config", []string{"--stack", "prod", "--dir", root, "--check", "--policy-config", badPolicyFile}, 1, nil,
			"policy config: min-capacity.minimun: no such threshold (have [minimum])"},
		{"database budget exceeded", []string{"--stack", "prod", "--check", "--dir",
			stackReplacing(t, "prod", fmt.Sprintf("maxConnections: %d", db.MaxConnections), fmt.Sprintf("maxConnections: %d", tightLimit))}, 1, nil,
			fmt.Sprintf("openwan:capacity.database.maxConnections: %d minus %d reserved leaves %d, below the %d connections the fleets open at their maxima",
				tightLimit, db.ReservedConnections, tightLimit-db.ReservedConnections, connections)},
		{"policy config without check", []string{"--stack", "prod", "--policy-config", policyFile}, 2, nil, "--policy-config needs --check"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append([]string{"--json"}, tt.args...) // the violations are read from the document
			require.Equal(t, tt.code, synthRun(args, &stdout, &stderr), "exit code of synthRun(%q); stderr: %s", args, stderr.String())
			require.Contains(t, stderr.String(), tt.stderr, "synthRun(%q) reports on stderr", tt.args)
			if tt.violations == nil {
				assert.Zero(t, stdout.Len(), "synthRun(%q) prints no plan on a usage or config error", tt.args)
				return
			}
			var out struct {
				Violations []struct{ Rule, Level, URN, Message string } `json:"violations"`
			}
			require.NoError(t, json.Unmarshal(stdout.Bytes(), &out), "stdout is the plan as JSON")
			got := []string{}
			for _, v := range out.Violations {
				got = append(got, v.Rule)
				assert.NotEmpty(t, v.URN, "violation %+v names its resource", v)
				assert.NotEmpty(t, v.Message, "violation %+v says what is wrong", v)
				assert.NotEmpty(t, v.Level, "violation %+v has a level", v)
			}
			assert.Equal(t, tt.violations, got, "the rules violated, in order")
		})
	}
}

// TestSynthUsage: help exits 0 on stdout; a stray argument and an unknown stack are refused with
// what to do instead.
func TestSynthUsage(t *testing.T) {
	root := configtest.Root(t)
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, synthRun([]string{"--help"}, &stdout, &stderr))
	for _, part := range []string{"usage: synth --stack NAME", "examples:", "exit status:", "3  a mandatory policy rule failed"} {
		assert.Contains(t, stdout.String(), part)
	}
	stdout.Reset()
	assert.Equal(t, 2, synthRun([]string{"--stack", "prod", "--dir", root, "extra"}, &stdout, &stderr), "a stray argument is an error, not ignored")
	assert.Contains(t, stderr.String(), `synth: unexpected argument "extra"`)
	assert.Empty(t, stdout.String())
	stderr.Reset()
	assert.Equal(t, 1, synthRun([]string{"--stack", "nope", "--dir", root}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "stack nope: no Pulumi.nope.yaml; the stacks in "+root+" are: dev, local, prod")
}

// TestSynthSummarizesByDefault pins the summary's shape for prod: the count, the resources by
// component, the fleets with their cost, the HPAs, the outputs with what only a deploy knows,
// and the verdict of every rule.
func TestSynthSummarizesByDefault(t *testing.T) {
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, synthRun([]string{"--stack", "prod", "--dir", configtest.Root(t)}, &stdout, &stderr), "stderr: %s", stderr.String())
	out := stdout.String()
	assert.Regexp(t, `^stack prod \(environment production\): \d+ resources, \d+ of them components\n`, out)
	for _, want := range []string{
		"resources by component",
		"openwan:k8s:ScalableService openwan-api ",
		"Deployment 1, HorizontalPodAutoscaler 1, PodDisruptionBudget 1, Service 1, ServiceAccount 1",
		"openwan:cluster.nodePools.workers  c5.xlarge",
		// How each fleet scales, read from what the plan declares: the HPA, KEDA's queue trigger,
		// the EC2 policies with their alarms, and the schedules.
		"  openwan-api (EKS)         HPA, 2-20 pods: CPU 70 %, memory 80 %; up at once, down after 300 s below target\n",
		"  openwan-worker (EKS)      KEDA, 2-10 pods: CPU 75 %, memory 85 %, queue transcode 50 messages per pod; up after 60 s above target, down after 600 s below\n",
		"  openwan-api-asg (EC2)     2-10 instances, desired 3; target tracking CPU 70 % (out only), memory 80 % (out only); " +
			"step RequestCountPerTarget +10 % above 1000, +30 % above 1100; -1 when cpu < 30 AND mem < 40 AND FILL(requests, 0) < 200 for 10 minutes, then 300 s cooldown; " +
			`schedules scale-down-night "0 22 * * *" UTC 2-10 desired 2, scale-up-business-hours "0 8 * * MON-FRI" UTC 3-10 desired 5` + "\n",
		"  openwan-worker-asg (EC2)  2-10 instances, desired 2; target tracking CPU 75 % (out only), memory 85 % (out only), messages per in-service instance 50 (out only);",
		// The API pool's minimum in the table is not its own: the reason is printed under it.
		"  (openwan:cluster.nodePools.api min: 6 nodes hold openwan:api.replicas.min 2 and openwan:cluster.headroom's 8 placeholders at 2 per t3.medium node, with the add-ons, above openwan:cluster.nodePools.api.size.min 2)\n",
		"monthly cost  USD ",
		"  headroom    USD 91.1 of the baseline: 8 API and 0 worker placeholder pods on 3 more nodes; the 5x spike at capacity in 45 s",
		"  warm pool   USD 7.2 on top: 3 stopped EC2 API instances, 90 GiB of volumes; a launch serves in 30 s, 60 s cold",
		"vpcId                        (known after deploy)",
		"kubeconfig                   (secret)",
		fmt.Sprintf("policy: %d rules, 0 violations (0 mandatory)", len(rules.All())),
		"placeholder: replace before deploying (pulumi up refuses them; docs/runbook.md)",
		"  platform    USD 303.98 on top, at the baseline: EKS control plane 73, NAT gateways 98.55,",
		"  budget      USD 902.33 a normal month (instances, warm pool, platform), limit 1173.03 (+30 %)",
		"paths            EKS serves users (point the API's host name at eksApiUrl)",
		`  openwan:cluster.publicAccessCidrs[0]: "198.51.100.0/24" is a documentation range (RFC 5737)`,
	} {
		assert.Contains(t, out, want)
	}
	assert.False(t, json.Valid(stdout.Bytes()), "the summary is for people; --json is the document")
}

// TestSynthShowsTheEffectiveConfig: --show-config prints the defaults with the stack's values over
// them, the values the program deploys with.
func TestSynthShowsTheEffectiveConfig(t *testing.T) {
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, synthRun([]string{"--stack", "dev", "--dir", configtest.Root(t), "--show-config"}, &stdout, &stderr), "stderr: %s", stderr.String())
	var shown config.Config
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &shown), "the config as JSON")
	assert.Equal(t, configtest.Stack(t, "dev"), shown, "exactly the config dev deploys with")
	assert.Equal(t, config.Defaults().Capacity.HoursPerMonth, shown.Capacity.HoursPerMonth, "defaults dev does not set are shown too")
}

// TestSynthShowsAnInvalidStacksConfigWithItsProblems: a refused stack is when a person needs the
// effective config most: it is printed as far as it decodes, the problems on stderr, exit 1.
func TestSynthShowsAnInvalidStacksConfigWithItsProblems(t *testing.T) {
	dir := prodWith(t, "openwan:api", "    replicas: {min: 30, max: 20}\n")
	var stdout, stderr bytes.Buffer
	require.Equal(t, 1, synthRun([]string{"--stack", "prod", "--dir", dir, "--show-config"}, &stdout, &stderr))
	var shown config.Config
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &shown), "the config as JSON, although refused")
	assert.Equal(t, config.Range{Min: 30, Max: 20}, shown.API.Replicas, "the stack's values as it set them")
	assert.Equal(t, config.Defaults().Capacity.HoursPerMonth, shown.Capacity.HoursPerMonth, "with the defaults under them")
	assert.Contains(t, stderr.String(), "openwan:api.replicas", "and the problem, by its key")

	stdout.Reset()
	require.Equal(t, 1, synthRun([]string{"--stack", "nope", "--dir", dir, "--show-config"}, &stdout, &stderr))
	assert.Empty(t, stdout.String(), "no stack file, nothing to show")
}

// TestSynthRefusesFlagsItWouldIgnore: each way of printing takes only its own flags; a flag it
// would silently drop is a usage error naming both.
func TestSynthRefusesFlagsItWouldIgnore(t *testing.T) {
	root := configtest.Root(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--show-config", "--diff", "x.json"}, "--show-config prints the config and stops: it takes no --diff"},
		{[]string{"--show-config", "--check"}, "--show-config prints the config and stops: it takes no --check"},
		{[]string{"--show-config", "--json"}, "--show-config prints the config and stops: it takes no --json"},
		{[]string{"--show-config", "--output", "apiUrl"}, "--show-config prints the config and stops: it takes no --output"},
		{[]string{"--diff", "x.json", "--against", "y.yaml"}, "--diff prints a diff: it takes no --against"},
		{[]string{"--against", "y.yaml", "--json"}, "--against prints a diff: it takes no --json"},
		{[]string{"--output", "apiUrl", "--json"}, "--output prints one output: it takes no --json"},
	} {
		var stdout, stderr bytes.Buffer
		assert.Equal(t, 2, synthRun(append([]string{"--stack", "prod", "--dir", root}, tt.args...), &stdout, &stderr), "%v", tt.args)
		assert.Contains(t, stderr.String(), tt.want)
		assert.Empty(t, stdout.String())
	}
}

// TestSynthPrintsOneOutput: --output prints one output as the summary's preview knows it; an
// unknown name lists the outputs there are.
func TestSynthPrintsOneOutput(t *testing.T) {
	root := configtest.Root(t)
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, synthRun([]string{"--stack", "prod", "--dir", root, "--output", "apiHpa"}, &stdout, &stderr), "stderr: %s", stderr.String())
	var hpa map[string]any
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &hpa), "an object prints as JSON")
	want := configtest.Stack(t, "prod").API
	assert.Equal(t, float64(want.Replicas.Max), hpa["maxReplicas"])
	assert.Equal(t, float64(want.Targets.CPUPercent), hpa["cpuPercent"])

	stdout.Reset()
	require.Equal(t, 0, synthRun([]string{"--stack", "prod", "--dir", root, "--output", "apiUrl"}, &stdout, &stderr))
	assert.Equal(t, "(known after deploy)\n", stdout.String(), "a value only a deploy makes, as the summary says it")

	stdout.Reset()
	require.Equal(t, 2, synthRun([]string{"--stack", "prod", "--dir", root, "--output", "apiurl"}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), `--output: stack prod has no output "apiurl"; its outputs are: alertsTopicArn, apiAsgName, apiHpa, apiUrl,`)
	assert.Empty(t, stdout.String())
}

// TestSynthReadsAValueSetWithSecretAndPath: `pulumi config set --secret --path
// openwan:app.redisAddress ...` writes {secure: ...} under the object; synth plans the stack
// with an opaque placeholder, never the ciphertext.
func TestSynthReadsAValueSetWithSecretAndPath(t *testing.T) {
	dir := stackReplacing(t, "prod", "    redisAddress: redis.openwan-prod.example:6379\n",
		"    redisAddress:\n      secure: v1:q0oD2f3iXW1HkJm0:bm90IHJlYWxseSBhIHNlY3JldA==\n")
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, synthRun([]string{"--stack", "prod", "--dir", dir, "--json"}, &stdout, &stderr), "stderr: %s", stderr.String())
	assert.Contains(t, stdout.String(), `"value": "[secret]"`, "the pods' REDIS_ADDR is the placeholder")
	assert.NotContains(t, stdout.String(), "bm90IHJlYWxseSBhIHNlY3JldA", "the ciphertext never reaches the plan")
}

// synthRun is the synth command on the program stacks.Build makes, as cmd/synth runs it.
func synthRun(args []string, stdout, stderr io.Writer) int {
	return synth.Run(args, stdout, stderr, stacks.Build)
}
