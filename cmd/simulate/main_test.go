package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config/configtest"
	"github.com/openwan/openwan-infra/internal/stackconfig"
	"github.com/openwan/openwan-infra/simulation"
)

func TestSimulateWritesSummaryPlotAndSeries(t *testing.T) {
	t.Parallel()
	r := spike(t, "prod")
	out := r.out
	assert.Contains(t, r.stdout, "stack prod, trace spike", "the summary names the stack and the trace")
	for _, fleet := range []string{"eks-api", "eks-worker", "ec2-api", "ec2-worker"} {
		assert.Contains(t, r.stdout, fleet, "the summary has a row for every prod fleet")
	}
	for _, ext := range []string{".svg", ".png", ".csv"} {
		info, err := os.Stat(filepath.Join(out, "prod-spike"+ext))
		if assert.NoError(t, err, "prod-spike%s is written", ext) {
			assert.GreaterOrEqual(t, info.Size(), int64(1000), "prod-spike%s holds a plot or series, not an empty file", ext)
		}
	}
	png, err := os.ReadFile(filepath.Join(out, "prod-spike.png"))
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(png, []byte("\x89PNG")), "prod-spike.png is a PNG")
}

func TestSimulateReadsACSVTrace(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	trace := filepath.Join(dir, "lb-export.csv")
	require.NoError(t, os.WriteFile(trace, []byte("seconds,requests_per_minute,queue_depth\n0,500,5\n600,3000,5\n1800,500,\n"), 0o644))
	var stdout, stderr bytes.Buffer
	code := run([]string{"--stack", "dev", "--dir", configtest.Root(t), "--trace", trace, "--out", dir}, &stdout, &stderr)
	require.Equal(t, 0, code, "run(dev, a CSV trace) succeeds; stderr: %s", stderr.String())
	assert.Contains(t, stdout.String(), "trace lb-export", "the summary names the trace after its file")
	assert.FileExists(t, filepath.Join(dir, "dev-lb-export.csv"), "the series is named after the stack and the trace")
}

func TestSimulateRejects(t *testing.T) {
	t.Parallel()
	root := configtest.Root(t)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no trace", []string{"--stack", "prod"}, 2, "--stack and --trace are required"},
		{"unknown trace", []string{"--stack", "prod", "--dir", root, "--trace", "no-such-trace"}, 1, `trace "no-such-trace" is neither a built-in`},
		{"unknown stack", []string{"--stack", "nope", "--dir", root, "--trace", "spike"}, 1, "stack nope: no Pulumi.nope.yaml; the stacks in " + root + " are: dev, local, prod"},
		{"a stray argument", []string{"--stack", "prod", "--trace", "spike", "extra"}, 2, `unexpected argument "extra"`},
		{"a stack the program refuses", []string{"--stack", "big", "--dir", bigStack(t), "--trace", "spike"}, 1,
			"invalid stack config:\nopenwan:cluster.nodePools.api.size.max: 4 nodes cannot hold openwan:api.replicas.max 30 pods"},
		{"interruption of a fleet without spot", []string{"--stack", "prod", "--trace", "spike", "--interrupt", "ec2-api@5m:1"}, 2, `"ec2-api@5m:1" is not FLEET@OFFSET:COUNT`},
		{"interruption after the trace", []string{"--stack", "prod", "--dir", root, "--trace", "spike", "--interrupt", "ec2-worker@20m:1,ec2-worker@2h:1"}, 2,
			"--interrupt: ec2-worker@2h0m0s:1 is at or past the end of trace spike, which is 1h30m0s long"},
		{"interruption at the trace's end", []string{"--stack", "prod", "--dir", root, "--trace", "spike", "--interrupt", "eks-worker@90m:1"}, 2,
			"--interrupt: eks-worker@1h30m0s:1 is at or past the end of trace spike, which is 1h30m0s long"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			assert.Equal(t, tc.code, run(tc.args, &stdout, &stderr), "exit code of run(%q)", tc.args)
			assert.Contains(t, stderr.String(), tc.want, "run(%q) says what is wrong on stderr", tc.args)
		})
	}
}

func TestParseInterruptions(t *testing.T) {
	got, err := parseInterruptions("eks-worker@1h:1,ec2-worker@20m:2")
	require.NoError(t, err)
	assert.Equal(t, []simulation.Interruption{
		{At: 20 * time.Minute, Fleet: "ec2-worker", Count: 2},
		{At: time.Hour, Fleet: "eks-worker", Count: 1},
	}, got, "interruptions in time order")

	none, err := parseInterruptions("")
	assert.NoError(t, err, "no --interrupt is no interruption")
	assert.Empty(t, none)
	for _, bad := range []string{"ec2-worker@20m", "ec2-worker@-1m:1", "ec2-worker@20m:0", "nodes@20m:1", "ec2-worker20m:1"} {
		_, err := parseInterruptions(bad)
		assert.ErrorContains(t, err, "is not FLEET@OFFSET:COUNT", "parseInterruptions(%q)", bad)
	}
}

// bigStack is a directory holding Pulumi.big.yaml: dev with an API maximum its node pool cannot
// hold. The program (stacks.Load) refuses it; the simulator must too, with the same message.
func bigStack(t *testing.T) string {
	t.Helper()
	raw := configtest.Raw(t, "dev")
	var api map[string]any
	require.NoError(t, json.Unmarshal([]byte(raw["openwan:api"]), &api))
	api["replicas"] = map[string]any{"min": 2, "max": 30}
	var text strings.Builder
	text.WriteString("config:\n")
	for _, key := range slices.Sorted(maps.Keys(raw)) {
		value := raw[key]
		if key == "openwan:api" {
			b, err := json.Marshal(api)
			require.NoError(t, err)
			value = string(b)
		} else if !strings.HasPrefix(value, "{") && !strings.HasPrefix(value, "[") {
			b, err := json.Marshal(value) // a scalar: JSON quoting is YAML quoting
			require.NoError(t, err)
			value = string(b)
		}
		fmt.Fprintf(&text, "  %s: %s\n", key, value) // JSON is YAML's flow style
	}
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.big.yaml"), []byte(text.String()), 0o644))
	return dir
}

func TestSimulateHelp(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 0, run([]string{"--help"}, &stdout, &stderr))
	for _, part := range []string{"usage: simulate --stack NAME --trace TRACE", "examples:", "exit status:"} {
		assert.Contains(t, stdout.String(), part)
	}
	assert.Empty(t, stderr.String())
}

// TestSimulateVerdictAndFailOn: each fleet gets a verdict against the guide's targets, the
// columns are explained, and --fail-on turns a missed target into exit 3. Prod holds the 5x
// spike on every fleet; a burst of 1000 jobs keeps its workers above their queue target for
// hours, a miss --fail-on can catch.
func TestSimulateVerdictAndFailOn(t *testing.T) {
	t.Parallel()
	root := configtest.Root(t)
	var stdout, stderr bytes.Buffer
	args := []string{"--stack", "prod", "--dir", root, "--trace", "spike", "--out", t.TempDir()}
	require.Equal(t, 0, run(append(args, "--fail-on", "all"), &stdout, &stderr), "prod holds the spike; stderr: %s", stderr.String())
	out := stdout.String()
	assert.Contains(t, out, "verdict against the guide's targets")
	for _, fleet := range []string{"eks-api", "eks-worker", "ec2-api", "ec2-worker"} {
		assert.Regexp(t, `(?m)^  `+fleet+` +ok$`, out, "%s meets every target on the spike", fleet)
	}
	assert.Contains(t, out, `"never" when the fleet was not back at its target before the load fell back to its level before the
  step or the trace ended`, "the columns are explained")
	assert.Contains(t, out, "111 % of its request while busy is expected", "the worker above its request is explained where it is shown")

	burst := []string{"--stack", "prod", "--dir", root, "--trace", "queue-burst", "--out", t.TempDir()}
	stdout.Reset()
	stderr.Reset()
	require.Equal(t, 0, run(burst, &stdout, &stderr), "without --fail-on a miss is reported, not failed; stderr: %s", stderr.String())
	assert.Regexp(t, `eks-worker +overload: overloaded [0-9.]+ min; capacity: capacity after \S+ > 5m0s`, stdout.String(),
		"1000 jobs keep the EKS workers over their queue target for hours")
	stdout.Reset()
	assert.Equal(t, 3, run(append(burst, "--fail-on", "capacity"), &stdout, &stderr))
	assert.Contains(t, stderr.String(), "the guide's targets missed: eks-worker: capacity")
	stderr.Reset()
	assert.Equal(t, 2, run(append(args, "--fail-on", "speed"), &stdout, &stderr))
	assert.Contains(t, stderr.String(), `"speed" is not one of overload, capacity, flapping or all`)
}

func TestSimulateNamesTheHeaderItFound(t *testing.T) {
	t.Parallel()
	trace := filepath.Join(t.TempDir(), "t.csv")
	require.NoError(t, os.WriteFile(trace, []byte("time,rpm\n0,500\n"), 0o644))
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 1, run([]string{"--stack", "prod", "--dir", configtest.Root(t), "--trace", trace, "--out", t.TempDir()}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), `the header is "time,rpm"; want "seconds,requests_per_minute,jobs_per_minute" or "seconds,requests_per_minute,queue_depth"`)
}

// TestPlotMarksBoundsEventsAndTime: the replicas panel draws the bounds, a spot interruption is
// marked and labelled, the time axis is the clock, and every fleet has a cost panel.
func TestPlotMarksBoundsEventsAndTime(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run([]string{"--stack", "prod", "--dir", configtest.Root(t), "--trace", "spike", "--out", out,
		"--interrupt", "ec2-worker@20m:2"}, &stdout, &stderr), "stderr: %s", stderr.String())
	svg, err := os.ReadFile(filepath.Join(out, "prod-spike.svg"))
	require.NoError(t, err)
	text := string(svg)
	for _, want := range []string{">max<", ">min<", ">desired<", ">ready<", "2 interrupted", ">00:15<", "time of day", "ec2-worker: cost so far", "USD in all"} {
		assert.Contains(t, text, want, "the plot holds %q", want)
	}
}

// TestSimulateCompare replays the spike through prod and the prod of before issue 17, prints
// both side by side, and draws them on one plot.
func TestSimulateCompare(t *testing.T) {
	t.Parallel()
	root := configtest.Root(t)
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	args := []string{"--stack", "prod", "--dir", root, "--trace", "spike", "--out", out,
		"--compare", filepath.Join(root, "docs", "examples", "prod-before.yaml")}
	require.Equal(t, 0, run(args, &stdout, &stderr), "stderr: %s", stderr.String())
	text := stdout.String()
	assert.Contains(t, text, "compared: prod-before (before) and prod (after), the same trace")
	row := regexp.MustCompile(`(?m)^ +eks-api +(\S+) -> (\S+) `).FindStringSubmatch(text)
	require.NotNil(t, row, "an eks-api row with both times to capacity")
	before, err := time.ParseDuration(row[1])
	require.NoError(t, err)
	after, err := time.ParseDuration(row[2])
	require.NoError(t, err)
	assert.Less(t, after, before, "prod reaches capacity sooner than before")
	assert.Contains(t, text, "capacity kept ready, its monthly cost and what it buys:")
	for _, ext := range []string{".svg", ".png"} {
		assert.FileExists(t, filepath.Join(out, "prod-spike-compare"+ext), "both runs on one plot")
	}

	stderr.Reset()
	assert.Equal(t, 1, run(append(args[:len(args)-1], filepath.Join(out, "missing.yaml")), &stdout, &stderr))
	assert.Contains(t, stderr.String(), "--compare: stack file: open ")
}

// TestCompareExampleIsProdBefore: docs/capacity-and-simulation.md's before file is
// Pulumi.prod.yaml without the headroom, the unsaturated CPU signal and the warm pool, so the
// comparison shows those changes and nothing else.
func TestCompareExampleIsProdBefore(t *testing.T) {
	root := configtest.Root(t)
	before, _, err := stackconfig.FromPath(filepath.Join(root, "docs", "examples", "prod-before.yaml"))
	require.NoError(t, err)
	prod := configtest.Prod(t)
	assert.Zero(t, before.Cluster.Headroom.APIPods, "before: no headroom")
	assert.Equal(t, 2*prod.API.Resources.Requests.CPUMillis, before.API.Resources.Limits.CPUMillis, "before: the CPU limit at twice the request")
	assert.Zero(t, before.EC2.API.WarmPool.Size, "before: no warm pool")
	before.Cluster.Headroom.APIPods = prod.Cluster.Headroom.APIPods
	before.API.Resources.Limits.CPUMillis = prod.API.Resources.Limits.CPUMillis
	before.EC2.API.WarmPool.Size = prod.EC2.API.WarmPool.Size
	assert.Equal(t, prod, before, "otherwise the before file is prod")
}

// TestHelpsCIExampleHoldsOnProd: the help's own CI check, run on the shipped prod, passes.
func TestHelpsCIExampleHoldsOnProd(t *testing.T) {
	t.Parallel()
	example := "simulate --stack prod --trace load-test --fail-on all"
	require.True(t, slices.ContainsFunc(command.Examples, func(e string) bool { return strings.HasPrefix(e, example+" ") }),
		"precondition: the help shows %q", example)
	var stdout, stderr bytes.Buffer
	args := append(strings.Fields(strings.TrimPrefix(example, "simulate ")), "--dir", configtest.Root(t), "--out", t.TempDir())
	assert.Equal(t, 0, run(args, &stdout, &stderr), "stderr: %s", stderr.String())
}
