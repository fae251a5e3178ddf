package fleet

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// workerUserData is a worker's user data under the guide's 1800 s termination hook.
func workerUserData() UserData {
	return UserData{Image: "ghcr.io/openwan/openwan-worker:1.0.0", Env: map[string]string{"QUEUE_NAME": "transcode"}, TerminationHookSeconds: 1800}
}

func TestStopTimeoutFollowsTheHook(t *testing.T) {
	for _, hook := range []int{30, 120, 1800, 7200} {
		stop := StopTimeoutSeconds(hook)
		assert.Less(t, stop, hook, "hook %d s: the app stops before the hook times out, leaving the drain time to complete it", hook)
		assert.Positive(t, stop, "hook %d s: even the shortest hook AWS allows leaves the app time to stop", hook)
		assert.GreaterOrEqual(t, stop, hook/2, "hook %d s: the app, not the drain, gets most of the hook's time", hook)
	}
}

func TestUserDataStopsTheAppWithinTheHook(t *testing.T) {
	u := workerUserData()
	script, err := u.Script()
	require.NoError(t, err)
	stop := StopTimeoutSeconds(u.TerminationHookSeconds)

	run := lineWith(t, script, "docker run ")
	assert.Contains(t, run, fmt.Sprintf(" --stop-timeout %d ", stop), "any other stop of the container waits as long as the drain")
	assert.NotContains(t, script, "--stop-timeout 60 ", "no fixed minute: a transcode takes longer")

	// The drain service: installed and started at boot, before the app runs.
	for _, want := range []string{
		"cat > /usr/local/bin/openwan-drain <<'DRAIN'",
		"cat > /etc/systemd/system/openwan-drain.service <<'UNIT'",
		"ExecStart=/usr/local/bin/openwan-drain",
		"systemctl enable --now openwan-drain.service",
	} {
		assert.Contains(t, script, want, "the user data installs and starts the drain service")
	}
	assert.Less(t, strings.Index(script, "systemctl enable --now openwan-drain.service"), strings.Index(script, "docker run "),
		"the drain runs before the app, so a failed start still releases the termination")

	// It learns of the termination from the instance metadata, with an IMDSv2 token.
	assert.Contains(t, script, "X-aws-ec2-metadata-token-ttl-seconds", "IMDSv2: a session token first")
	assert.Contains(t, script, "autoscaling/target-lifecycle-state", "it watches the target lifecycle state (TestDrainFollowsTheLifecycle runs it)")
	// Then stops the app within the stop timeout, and only then completes the lifecycle action.
	dockerStop := fmt.Sprintf("docker stop --time %d openwan", stop)
	assert.Contains(t, script, dockerStop, "the app gets SIGTERM and the stop timeout to finish its job")
	complete := strings.Index(script, "aws autoscaling complete-lifecycle-action")
	require.GreaterOrEqual(t, complete, 0, "the drain completes the lifecycle action")
	assert.Less(t, strings.Index(script, dockerStop), complete, "the action completes once the app has stopped")
	action := script[complete:]
	action = action[:strings.Index(action, "\nDRAIN\n")]
	for _, want := range []string{
		"--lifecycle-hook-name " + shellQuote(TerminationHookName),
		"--lifecycle-action-result CONTINUE",
		`--auto-scaling-group-name "$group"`,
		`--instance-id "$instance"`,
	} {
		assert.Contains(t, action, want, "complete-lifecycle-action names the group's hook, this instance and its group")
	}
}

func TestUserDataRunsTheAppLast(t *testing.T) {
	u := workerUserData()
	u.SecretsPath = "/openwan/test/"
	script, err := u.Script()
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(script, "#!/bin/bash\nset -euo pipefail\n"), "a bash script that stops at the first error")
	assert.Contains(t, script, "'QUEUE_NAME=transcode'", "the plain environment, quoted")
	assert.Contains(t, script, "--path '/openwan/test/'", "the secrets from SecretsPath")
	assert.True(t, strings.HasSuffix(script, "'ghcr.io/openwan/openwan-worker:1.0.0'\n"), "the app's container is the last thing it starts")
}

// lineWith is the one line of script containing s.
func lineWith(t *testing.T, script, s string) string {
	t.Helper()
	var found []string
	for _, line := range strings.Split(script, "\n") {
		if strings.Contains(line, s) {
			found = append(found, line)
		}
	}
	require.Len(t, found, 1, "one line of the user data contains %q", s)
	return found[0]
}

// drainScriptOf is the drain service's script as the user data installs it.
func drainScriptOf(t *testing.T, u UserData) string {
	t.Helper()
	script, err := u.Script()
	require.NoError(t, err)
	const open = "cat > /usr/local/bin/openwan-drain <<'DRAIN'\n"
	start := strings.Index(script, open)
	require.GreaterOrEqual(t, start, 0, "the user data writes the drain script")
	body := script[start+len(open):]
	return body[:strings.Index(body, "DRAIN\n")]
}

// TestDrainFollowsTheLifecycle runs the drain script with bash against stand-ins for curl (the
// instance metadata, answering the given target lifecycle states in turn), docker, aws and sleep,
// and records what it does. An instance prepared for a warm pool is never drained while it
// boots; one that served is drained when terminated or returned to the warm pool. (Before warm
// pools the script drained on Terminated only: the scale-in case then times out, and a script
// that drains on any Warmed:* state from boot fails the first case.)
func TestDrainFollowsTheLifecycle(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	script := drainScriptOf(t, workerUserData())
	for _, tc := range []struct {
		name   string
		states []string
		drains bool
	}{
		{"launched into the warm pool", []string{"Warmed:Stopped"}, false},
		{"terminated", []string{"InService", "InService", "Terminated"}, true},
		{"scaled in to the warm pool", []string{"InService", "Warmed:Stopped"}, true},
		{"still serving", []string{"InService"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			log := filepath.Join(dir, "log")
			states := filepath.Join(dir, "states")
			require.NoError(t, os.WriteFile(states, []byte(strings.Join(tc.states, "\n")+"\n"), 0o644))
			stub := func(name, body string) {
				require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/bash\n"+body), 0o755))
			}
			// The next state, the last one for ever once the list runs out.
			stub("curl", `case "$*" in
*api/token*) echo token ;;
*target-lifecycle-state*) s=$(head -n1 "`+states+`"); [ "$(wc -l < "`+states+`")" -gt 1 ] && sed -i 1d "`+states+`"; echo "$s" ;;
*instance-id*) echo i-0123 ;;
*placement/region*) echo us-east-1 ;;
*) echo openwan-worker-asg ;;
esac
`)
			stub("docker", `echo "docker $*" >> "`+log+`"`)
			stub("aws", `echo "aws $*" >> "`+log+`"`)
			stub("sleep", "exit 0")
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, "bash", "-c", script)
			cmd.Env = append(os.Environ(), "PATH="+dir+":"+os.Getenv("PATH"))
			err := cmd.Run()
			got, _ := os.ReadFile(log)
			if !tc.drains {
				assert.Error(t, err, "the drain keeps waiting (killed at the timeout)")
				assert.Empty(t, string(got), "nothing is stopped or completed")
				return
			}
			require.NoError(t, err, "the drain finishes; it did: %s", got)
			lines := strings.Split(strings.TrimSpace(string(got)), "\n")
			require.Len(t, lines, 2, "it stops the app, then completes the lifecycle action")
			assert.True(t, strings.HasPrefix(lines[0], "docker stop --time "), lines[0])
			assert.Contains(t, lines[1], "autoscaling complete-lifecycle-action")
			assert.Contains(t, lines[1], "--instance-id i-0123")
		})
	}
}
