package configdoc

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// awsAccount marks a runbook command that needs the AWS account; CI cannot run it.
const awsAccount = "# AWS account"

// TestRunbookCommandsAreRunOrMarked: every command of docs/runbook.md either needs the AWS
// account and says so, or is one that CI or a test runs, found where it is run. A command
// nothing runs would rot unseen.
func TestRunbookCommandsAreRunOrMarked(t *testing.T) {
	root, err := ModuleRoot()
	require.NoError(t, err)
	read := func(path string) string {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(root, path))
		require.NoError(t, err)
		return string(data)
	}
	workflows, err := filepath.Glob(filepath.Join(root, ".github", "workflows", "*.yml"))
	require.NoError(t, err)
	var workflowText strings.Builder
	for _, w := range workflows {
		data, err := os.ReadFile(w)
		require.NoError(t, err)
		workflowText.Write(data)
	}
	// The offline commands, each with the evidence that it is run.
	runBy := map[string]func() bool{
		"scripts/check-deploy-tools.sh": func() bool { return strings.Contains(workflowText.String(), "run: scripts/check-deploy-tools.sh") },
		"go test ./...":                 func() bool { return strings.Contains(read(".ci/run"), "go test ./...") },
		"go run ./cmd/synth --stack prod --check": func() bool {
			return strings.Contains(read(".ci/run"), `for file in Pulumi.*.yaml`) && strings.Contains(read(".ci/run"), `--stack "$stack" --check`)
		},
		"go run ./cmd/simulate --stack prod --trace spike": func() bool {
			return strings.Contains(read("cmd/simulate/main_test.go"), `"--stack", "prod", "--dir", configtest.Root(t), "--trace", "spike"`)
		},
	}
	commands := 0
	inBlock := false
	for _, line := range strings.Split(read("docs/runbook.md"), "\n") {
		switch {
		case strings.HasPrefix(line, "```bash"):
			inBlock = true
			continue
		case strings.HasPrefix(line, "```"):
			inBlock = false
			continue
		case !inBlock || strings.TrimSpace(line) == "":
			continue
		}
		commands++
		if strings.Contains(line, awsAccount) {
			continue
		}
		ran, known := runBy[strings.TrimSpace(line)]
		if assert.True(t, known, "docs/runbook.md: %q is neither marked %q nor one CI or a test runs", line, awsAccount) {
			assert.True(t, ran(), "docs/runbook.md: %q is no longer run where this test expects it", line)
		}
	}
	assert.GreaterOrEqual(t, commands, 10, "the runbook's code blocks were found")
}

// TestDeployToolsAskForTheTestedPulumi: the deploy check's minimum Pulumi CLI is the version the
// integration suite deploys with (testenv/build.sh) and the Go SDK's of go.mod, one version.
func TestDeployToolsAskForTheTestedPulumi(t *testing.T) {
	root, err := ModuleRoot()
	require.NoError(t, err)
	read := func(path string) string {
		data, err := os.ReadFile(filepath.Join(root, path))
		require.NoError(t, err)
		return string(data)
	}
	sdk := regexp.MustCompile(`github.com/pulumi/pulumi/sdk/v3 v(\S+)`).FindStringSubmatch(read("go.mod"))
	require.Len(t, sdk, 2, "go.mod requires the Pulumi Go SDK")
	assert.Contains(t, read("testenv/build.sh"), "PULUMI_VERSION=v"+sdk[1], "the test environment's CLI is the SDK's version")
	assert.Contains(t, read("scripts/check-deploy-tools.sh"), "pulumi_minimum="+sdk[1], "the deploy asks for at least that CLI")
	for _, workflow := range []string{".github/workflows/pull-request.yml", ".github/workflows/pulumi-up.yml"} {
		assert.Contains(t, read(workflow), "pulumi-version: "+sdk[1], "%s installs that CLI", workflow)
	}
}
