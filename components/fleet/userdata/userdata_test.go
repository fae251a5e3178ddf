package userdata

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// workerUserData is a worker's user data under the guide's 1800 s termination hook.
func workerUserData() Boot {
	return Boot{
		Image: "ghcr.io/openwan/openwan-worker:1.0.0", Env: map[string]string{"QUEUE_NAME": "transcode"},
		TerminationHookSeconds: 1800, LaunchHookSeconds: 600, Port: 8080, ReadinessPath: "/ready",
	}
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
	bootstrap := embedded(t, script, "BOOTSTRAP")

	assert.Contains(t, bootstrap, fmt.Sprintf(" --stop-timeout %d ", stop), "any other stop of the container waits as long as the drain")
	assert.NotContains(t, script, "--stop-timeout 60 ", "no fixed minute: a transcode takes longer")

	// The drain service: installed and started at boot, before the bootstrap runs the app.
	for _, want := range []string{
		"cat > /usr/local/bin/openwan-drain <<'DRAIN'",
		"cat > /etc/systemd/system/openwan-drain.service <<'UNIT'",
		"ExecStart=/usr/local/bin/openwan-drain",
		"systemctl enable --now openwan-drain.service",
	} {
		assert.Contains(t, script, want, "the user data installs and starts the drain service")
	}
	assert.Less(t, strings.Index(script, "systemctl enable --now openwan-drain.service"), strings.Index(script, "systemctl enable --now openwan-bootstrap.service"),
		"the drain runs before the app, so a failed start still releases the termination")

	drain := embedded(t, script, "DRAIN")
	assert.Contains(t, drain, "X-aws-ec2-metadata-token-ttl-seconds", "IMDSv2: a session token first")
	assert.Contains(t, drain, "autoscaling/target-lifecycle-state", "it watches the target lifecycle state (TestDrainFollowsTheLifecycle runs it)")
	dockerStop := fmt.Sprintf("docker stop --time %d openwan", stop)
	assert.Contains(t, drain, dockerStop, "the app gets SIGTERM and the stop timeout to finish its job")
	complete := strings.Index(drain, "aws autoscaling complete-lifecycle-action")
	require.GreaterOrEqual(t, complete, 0, "the drain completes the lifecycle action")
	assert.Less(t, strings.Index(drain, dockerStop), complete, "the action completes once the app has stopped")
	for _, want := range []string{
		"--lifecycle-hook-name " + shellQuote(TerminationHookName),
		"--lifecycle-action-result CONTINUE",
		`--auto-scaling-group-name "$group"`,
		`--instance-id "$instance"`,
	} {
		assert.Contains(t, drain[complete:], want, "complete-lifecycle-action names the group's hook, this instance and its group")
	}
}

// The first boot installs both services and starts the bootstrap under systemd, which runs it
// again at every later boot; the plain environment is written once, the secrets read at each start.
func TestUserDataInstallsAnEveryBootBootstrap(t *testing.T) {
	u := workerUserData()
	u.SecretsPath = "/openwan/test/"
	script, err := u.Script()
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(script, "#!/bin/bash\nset -euo pipefail\n"), "a bash script that stops at the first error")
	assert.Contains(t, embedded(t, script, "ENV"), "QUEUE_NAME=transcode\n", "the plain environment, in Docker's env-file form")
	assert.Contains(t, script, "WantedBy=multi-user.target", "the bootstrap runs at every boot")
	assert.Contains(t, script, "Type=oneshot", "as a oneshot that the boot waits for")
	assert.Contains(t, script, fmt.Sprintf("TimeoutStartSec=%d", u.LaunchHookSeconds), "no longer than the launch hook holds the instance")
	assert.True(t, strings.HasSuffix(script, "systemctl enable --now openwan-bootstrap.service\n"), "the bootstrap is the last thing the first boot starts")
	bootstrap := embedded(t, script, "BOOTSTRAP")
	assert.Contains(t, bootstrap, "--path '/openwan/test/'", "the secrets from SecretsPath")
	assert.Contains(t, bootstrap, "--lifecycle-hook-name "+shellQuote(LaunchHookName), "it completes the launch hook")
	assert.NotContains(t, script, "--tmpfs", "no scratch in memory")
	assert.Contains(t, bootstrap, `-v "$root`+ScratchDir+`:/tmp"`, "the app's /tmp is on the root volume")
}

// embedded is the body of the here-document the script writes with the delimiter.
func embedded(t *testing.T, script, delimiter string) string {
	t.Helper()
	open := "<<'" + delimiter + "'\n"
	start := strings.Index(script, open)
	require.GreaterOrEqual(t, start, 0, "the user data writes a %s document", delimiter)
	body := script[start+len(open):]
	end := strings.Index(body, "\n"+delimiter+"\n")
	require.GreaterOrEqual(t, end, 0, "the %s document ends", delimiter)
	return body[:end+1]
}

// maxSleeps is how many polls a script that would wait for ever makes before the sleep
// stand-in stops it: more than the bootstrap's readiness polls of a minute's hook (12), few enough
// that each such case spawns few processes.
const maxSleeps = 20

// stubbed runs script with bash, with the named stand-ins defined as shell functions ahead of it,
// and env added. Each stand-in runs in a subshell, so its `exit` ends the stand-in and not the
// script, as a command's would; a function costs a fork, not a fresh bash, and the stand-ins use
// builtins only, which keeps each case to one bash process and its forks. The sleep stand-in
// returns at once and, after maxSleeps calls, ends the script with SIGTERM: a script that would
// wait for ever is stopped after that many polls, whatever the machine's load. It returns what the
// stand-ins logged, and how the script ended.
func stubbed(t *testing.T, script string, stubs map[string]string, env ...string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	all := map[string]string{
		// $$ is the script's own shell, in the stand-in's subshell too.
		"sleep": `n=$(( $(< "` + dir + `/sleeps") + 1 )); echo "$n" > "` + dir + `/sleeps"
[ "$n" -lt ` + strconv.Itoa(maxSleeps) + ` ] || { echo "still waiting" >> "` + log + `"; kill -TERM "$$"; }
exit 0`,
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sleeps"), []byte("0\n"), 0o644))
	maps.Copy(all, stubs)
	var prelude strings.Builder
	for _, name := range slices.Sorted(maps.Keys(all)) {
		fmt.Fprintf(&prelude, "%s() (\n%s\n)\n", name, strings.ReplaceAll(all[name], "$LOG", log))
	}
	cmd := exec.Command("bash", "-c", prelude.String()+script)
	cmd.Env = append(os.Environ(), env...)
	err := cmd.Run()
	got, _ := os.ReadFile(log)
	return string(got), err
}

// imdsStub answers the instance metadata, the target lifecycle state from the file states: the
// next line at each read, the last one for ever once the list runs out. Other URLs (the
// readiness endpoint) get what ready says: "ok", or a failure.
func imdsStub(states, ready string) string {
	return `case "$*" in
*api/token*) echo token ;;
*target-lifecycle-state*) mapfile -t s < "` + states + `"; echo "${s[0]}"; [ "${#s[@]}" -le 1 ] || printf '%s\n' "${s[@]:1}" > "` + states + `" ;;
*instance-id*) echo i-0123 ;;
*placement/region*) echo us-east-1 ;;
*autoscaling:groupName*) echo openwan-worker-asg ;;
*) echo "curl $*" >> "$LOG"; [ "` + ready + `" = ok ] ;;
esac
`
}

func writeStates(t *testing.T, states []string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "states")
	require.NoError(t, os.WriteFile(path, []byte(strings.Join(states, "\n")+"\n"), 0o644))
	return path
}

// TestDrainFollowsTheLifecycle runs the drain script with bash against stand-ins for curl (the
// instance metadata, answering the given target lifecycle states in turn), docker, aws and sleep,
// and records what it does. An instance prepared for a warm pool is never drained while it
// boots; one that served is drained when terminated or returned to the warm pool; one terminated
// before it served is released at once; a failed completion is retried, and a drain restarted
// after failing does not wait again for an InService that is over.
func TestDrainFollowsTheLifecycle(t *testing.T) {
	script := embedded(t, mustScript(t, workerUserData()), "DRAIN")
	for _, tc := range []struct {
		name      string
		states    []string
		served    bool // the marker of an earlier run in this boot exists
		awsFails  int  // complete-lifecycle-action fails this many times first
		drains    bool
		completes int // calls to complete-lifecycle-action
	}{
		{name: "launched into the warm pool", states: []string{"Warmed:Stopped"}},
		{name: "terminated", states: []string{"InService", "InService", "Terminated"}, drains: true, completes: 1},
		{name: "scaled in to the warm pool", states: []string{"InService", "Warmed:Stopped"}, drains: true, completes: 1},
		{name: "still serving", states: []string{"InService"}},
		{name: "terminated before it served", states: []string{"Pending", "Terminated"}, drains: true, completes: 1},
		{name: "completion failed twice", states: []string{"InService", "Terminated"}, awsFails: 2, drains: true, completes: 3},
		{name: "restarted after failing, terminating", states: []string{"Terminated"}, served: true, drains: true, completes: 1},
		{name: "restarted after failing, back in the pool", states: []string{"Warmed:Stopped"}, served: true, drains: true, completes: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each case has its own files and stubs
			states := writeStates(t, tc.states)
			marker := filepath.Join(t.TempDir(), "served")
			if tc.served {
				require.NoError(t, os.WriteFile(marker, nil, 0o644))
			}
			fails := filepath.Join(t.TempDir(), "fails")
			require.NoError(t, os.WriteFile(fails, []byte(strconv.Itoa(tc.awsFails)), 0o644))
			got, err := stubbed(t, script, map[string]string{
				"curl":   imdsStub(states, "ok"),
				"docker": `echo "docker $*" >> "$LOG"`,
				"aws": `echo "aws $*" >> "$LOG"
n=$(cat "` + fails + `"); if [ "$n" -gt 0 ]; then echo $((n - 1)) > "` + fails + `"; exit 1; fi
`,
			}, "OPENWAN_SERVED="+marker)
			if !tc.drains {
				assert.Error(t, err, "the drain keeps waiting (stopped after maxSleeps polls)")
				assert.Equal(t, "still waiting\n", got, "nothing is stopped or completed")
				return
			}
			require.NoError(t, err, "the drain finishes; it did: %s", got)
			lines := strings.Split(strings.TrimSpace(got), "\n")
			require.Len(t, lines, 1+tc.completes, "it stops the app, then completes the lifecycle action: %s", got)
			assert.True(t, strings.HasPrefix(lines[0], "docker stop --time "), lines[0])
			for _, l := range lines[1:] {
				assert.Contains(t, l, "autoscaling complete-lifecycle-action")
				assert.Contains(t, l, "--instance-id i-0123")
			}
		})
	}
}

func mustScript(t *testing.T, u Boot) string {
	t.Helper()
	s, err := u.Script()
	require.NoError(t, err)
	return s
}

// TestBootstrapAtEveryBoot runs the bootstrap with bash against stand-ins for the instance
// metadata and the readiness endpoint (curl), rpm, dnf, the CloudWatch agent, systemctl, docker,
// chown and aws, with its files under a temporary root, and records what it does.
func TestBootstrapAtEveryBoot(t *testing.T) {
	u := workerUserData()
	u.SecretsPath = "/openwan/test/"
	// A minute's hook: 12 readiness polls, within the sleep stand-in's maxSleeps.
	u.LaunchHookSeconds = 60
	script := embedded(t, mustScript(t, u), "BOOTSTRAP")
	// The agent's control command is called by its full path: run it from the stubs instead.
	script = strings.ReplaceAll(script, "/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl", "amazon-cloudwatch-agent-ctl")
	for _, tc := range []struct {
		name       string
		state      string
		installed  bool   // the packages are on disk: a later boot
		running    string // what docker inspect says of the app's container
		ready      string
		ssmFails   bool
		runs       bool   // docker run
		result     string // the launch action's result
		wantExitOK bool
	}{
		{name: "prepared for the warm pool", state: "Warmed:Stopped", result: "CONTINUE", wantExitOK: true},
		{name: "launched into service", state: "InService", runs: true, ready: "ok", result: "CONTINUE", wantExitOK: true},
		{name: "left the warm pool", state: "InService", installed: true, runs: true, ready: "ok", result: "CONTINUE", wantExitOK: true},
		{name: "rebooted in service", state: "InService", installed: true, running: "true " + u.Image, ready: "ok", result: "CONTINUE", wantExitOK: true},
		{name: "older image running", state: "InService", installed: true, running: "true ghcr.io/openwan/openwan-worker:0.9.0", runs: true, ready: "ok", result: "CONTINUE", wantExitOK: true},
		{name: "never ready", state: "InService", runs: true, ready: "no", result: "ABANDON"},
		{name: "secrets unreadable", state: "InService", ssmFails: true, result: "ABANDON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each case has its own root, files and stubs
			root := t.TempDir()
			require.NoError(t, os.MkdirAll(filepath.Join(root, "etc/openwan"), 0o755))
			require.NoError(t, os.MkdirAll(filepath.Join(root, "run"), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(root, "etc/openwan/app.env"), []byte("QUEUE_NAME=transcode\n"), 0o600))
			require.NoError(t, os.MkdirAll(filepath.Join(root, ScratchDir, "left-by-a-killed-job"), 0o755))
			states := writeStates(t, []string{tc.state})
			rpm := "exit 1"
			if tc.installed {
				rpm = "exit 0"
			}
			ssm := `echo "/openwan/test/DATABASE_URL	postgres://db"`
			if tc.ssmFails {
				ssm = "exit 255"
			}
			got, err := stubbed(t, script, map[string]string{
				"curl":                        imdsStub(states, tc.ready),
				"rpm":                         rpm,
				"dnf":                         `echo "dnf $*" >> "$LOG"`,
				"amazon-cloudwatch-agent-ctl": `echo "agent $*" >> "$LOG"`,
				"systemctl":                   `echo "systemctl $*" >> "$LOG"`,
				"chown":                       `echo "chown $*" >> "$LOG"`,
				"docker": `case "$1" in
inspect) echo "` + tc.running + `" ;;
image) exit 1 ;;
*) echo "docker $*" >> "$LOG" ;;
esac
`,
				"aws": `case "$*" in
ssm*) ` + ssm + ` ;;
*) echo "aws $*" >> "$LOG" ;;
esac
`,
			}, "OPENWAN_ROOT="+root)
			if tc.wantExitOK {
				require.NoError(t, err, got)
			} else {
				require.Error(t, err, got)
			}
			assert.Equal(t, !tc.installed, strings.Contains(got, "dnf install -y amazon-cloudwatch-agent docker"), "packages installed only where missing")
			assert.Contains(t, got, "docker pull "+u.Image, "the image is on disk before the instance stops or serves")
			assert.Equal(t, tc.runs, strings.Contains(got, "docker run "), "the app's container is (re)created: %s", got)
			if tc.runs {
				run := got[strings.Index(got, "docker run "):]
				assert.Contains(t, run, "-v "+root+ScratchDir+":/tmp", "scratch on the volume")
				assert.NotContains(t, run, "--tmpfs")
				env, err := os.ReadFile(filepath.Join(root, "run/openwan.env"))
				require.NoError(t, err)
				assert.Equal(t, "QUEUE_NAME=transcode\nDATABASE_URL=postgres://db\n", string(env), "the plain environment and this start's secrets")
				_, err = os.Stat(filepath.Join(root, ScratchDir, "left-by-a-killed-job"))
				assert.True(t, os.IsNotExist(err), "a new container starts with empty scratch")
				assert.Less(t, strings.Index(got, "docker run "), strings.Index(got, "complete-lifecycle-action"), "in service after the app runs")
			}
			completions := strings.Count(got, "complete-lifecycle-action")
			require.Equal(t, 1, completions, "the launch action is completed once: %s", got)
			assert.Contains(t, got, "--lifecycle-hook-name "+LaunchHookName+" ", "the launch hook")
			assert.Contains(t, got, "--lifecycle-action-result "+tc.result, "with %s", tc.result)
			if tc.state == "InService" && tc.result == "CONTINUE" {
				assert.Contains(t, got, "curl -fsS -o /dev/null http://127.0.0.1:8080/ready", "after the app said it is ready")
			}
		})
	}
}
