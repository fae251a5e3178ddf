// Package userdata writes what an EC2 instance of a fleet runs at boot: the first-boot script
// that installs the every-boot bootstrap (launch hook), the drain (termination hook) and the
// CloudWatch agent. It is pure text, without a Pulumi or AWS import, so its scripts are tested
// by running them against stubs in a test binary that links no SDK.
package userdata

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Boot is what a fleet instance runs at its first boot: it installs two systemd services and
// starts them, the bootstrap and the drain.
//
// The bootstrap (openwan-bootstrap.service) runs at this and every later boot. It installs the
// CloudWatch agent (publishing mem_used_percent per Auto Scaling Group: EC2 publishes no memory
// metric, so without it a memory target cannot work) and Docker where they are missing, pulls
// the image, and then:
//   - on an instance being prepared for a warm pool (target lifecycle state Warmed:*), stops
//     there: packages and image are on disk, the app starts when the instance leaves the pool;
//   - otherwise reads the secrets, (re)creates the app's container unless it already runs the
//     image, and waits for the app's readiness endpoint.
//
// Then it completes the group's launch lifecycle hook (LaunchHookName) with CONTINUE; on any
// failure with ABANDON, and Auto Scaling replaces the instance. The hook is why this works with a
// warm pool: Auto Scaling stops a warm-pool instance as soon as it has launched, without waiting
// for user data, and cloud-init runs user data at the first boot only (AWS, "Warm pool instance
// lifecycle"); the hook holds the instance in Warmed:Pending:Wait, and again in Pending:Wait when
// it leaves the pool, until the bootstrap says it is done. A boot cut off anywhere (a crash, a
// hook timing out) runs the bootstrap again from the top at the next start: each step is
// idempotent.
//
// The drain (openwan-drain.service) stops the app when the group terminates the instance or
// returns it to the warm pool: the group's termination hook (TerminationHookName) holds it in
// Terminating:Wait for up to TerminationHookSeconds. The drain polls the instance metadata's
// autoscaling/target-lifecycle-state (IMDSv2, from the host, so within the hop limit of 1) every
// 5 s; once the instance has been InService in this boot, when it reads Terminated or Warmed:*,
// it runs `docker stop` with the stop timeout (StopTimeoutSeconds): the app gets SIGTERM, stops
// taking jobs and finishes the one in flight, and is killed only when the timeout runs out. Then
// it completes the lifecycle action with CONTINUE, retrying a failed call, and the group goes on
// at once instead of at the end of the hook. An instance terminated before it ever served is
// released at once. A scale-in, an instance refresh and a spot rebalance all go through this
// hook.
//
// The app keeps its scratch (uploads in flight, a transcode's source and output) on the root
// volume, in ScratchDir mounted at /tmp, never in memory: four transcodes' scratch is four times
// the worker's request of 8 GiB, as much as a c5.xlarge has memory.
type Boot struct {
	// Image is the container image to run.
	Image string
	// Env is the container's plain environment (values on one line).
	Env map[string]string
	// SecretsPath is the SSM Parameter Store path whose SecureStrings become the container's
	// secret environment (DATABASE_URL, ...), read at each start with the instance role.
	SecretsPath string
	// TerminationHookSeconds is the heartbeat timeout of the group's termination hook (s, 30 to
	// 7200), GroupArgs.TerminationHookSeconds: the container's stop timeout follows it.
	TerminationHookSeconds int
	// LaunchHookSeconds is the heartbeat timeout of the group's launch hook (s, 30 to 7200),
	// GroupArgs.LaunchHookSeconds: the bootstrap waits for the app's readiness no longer.
	LaunchHookSeconds int
	// Port is the TCP port the app listens on, on the host network (1 to 65535).
	Port int
	// ReadinessPath is the app's readiness endpoint on Port, starting with "/": the instance goes
	// in service once it answers 2xx.
	ReadinessPath string
}

// TerminationHookName is the name of every group's termination lifecycle hook, the name the user
// data's drain service completes (Boot). It is the name the hook had as an initial lifecycle
// hook, so the LifecycleHook resource takes over the hook existing groups already have
// (PutLifecycleHook creates or updates by name) instead of adding a second one.
const TerminationHookName = "drain"

// LaunchHookName is the name of every group's launch lifecycle hook, the one the user data's
// bootstrap completes once the instance is ready (Boot), or abandons when it cannot be.
const LaunchHookName = "bootstrap"

// ScratchDir is where the app's /tmp lives on the instance: on the encrypted root volume.
const ScratchDir = "/var/lib/openwan/scratch"

// readinessPollSeconds is how often the bootstrap asks the app whether it is ready.
const readinessPollSeconds = 5

// drainMarginSeconds is what the drain service keeps back from the termination hook for its own
// work once the app is stopped: up to one 5 s poll before it notices the termination, Docker's
// kill and removal of the container, and the AWS CLI fetching credentials and completing the
// lifecycle action. Were the hook to time out first, the instance would terminate all the same
// (its default result is CONTINUE), but with the app killed by the shutdown rather than stopped.
const drainMarginSeconds = 15

// StopTimeoutSeconds is how long `docker stop` waits for the app to exit after SIGTERM before it
// kills it (s): the termination hook's time less drainMarginSeconds, so an in-flight job may take
// all of the hook's time the drain does not need (1800 s of hook: 1785 s).
func StopTimeoutSeconds(terminationHookSeconds int) int {
	return terminationHookSeconds - drainMarginSeconds
}

func (u Boot) Validate() error {
	var errs []error
	if u.Image == "" {
		errs = append(errs, errors.New("UserData.Image: must not be empty"))
	}
	// The bounds of an Auto Scaling lifecycle hook's heartbeat timeout.
	if s := u.TerminationHookSeconds; s < 30 || s > 7200 {
		errs = append(errs, fmt.Errorf("UserData.TerminationHookSeconds: %d is outside [30, 7200]", s))
	}
	if s := u.LaunchHookSeconds; s < 30 || s > 7200 {
		errs = append(errs, fmt.Errorf("UserData.LaunchHookSeconds: %d is outside [30, 7200]", s))
	}
	if u.Port < 1 || u.Port > 65535 {
		errs = append(errs, fmt.Errorf("UserData.Port: %d is outside [1, 65535]", u.Port))
	}
	if !strings.HasPrefix(u.ReadinessPath, "/") {
		errs = append(errs, fmt.Errorf("UserData.ReadinessPath: %q does not start with /", u.ReadinessPath))
	}
	for _, k := range slices.Sorted(maps.Keys(u.Env)) {
		// Docker's env file takes one KEY=value a line.
		if strings.ContainsAny(k+u.Env[k], "\n\r") || k == "" || strings.Contains(k, "=") {
			errs = append(errs, fmt.Errorf("UserData.Env[%q]: a name without = and a value on one line are needed", k))
		}
	}
	return errors.Join(errs...)
}

// agentConfig is the CloudWatch agent's config: memory and disk use every 60 s, aggregated by
// Auto Scaling Group name, the dimension the memory target tracking policy reads.
func agentConfig() (string, error) {
	cfg := map[string]any{
		"agent": map[string]any{"metrics_collection_interval": 60},
		"metrics": map[string]any{
			"namespace":              "CWAgent",
			"append_dimensions":      map[string]string{"AutoScalingGroupName": "${aws:AutoScalingGroupName}"},
			"aggregation_dimensions": [][]string{{"AutoScalingGroupName"}},
			"metrics_collected": map[string]any{
				"mem":  map[string]any{"measurement": []string{"mem_used_percent"}},
				"disk": map[string]any{"measurement": []string{"used_percent"}, "resources": []string{"/"}},
			},
		},
	}
	out, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return "", fmt.Errorf("cloudwatch agent config: %w", err)
	}
	return string(out), nil
}

// Script renders the first boot's script: the files of both services, then the services.
func (u Boot) Script() (string, error) {
	if err := u.Validate(); err != nil {
		return "", err
	}
	agent, err := agentConfig()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("#!/bin/bash\nset -euo pipefail\n\n")
	b.WriteString("# Runs once, at the first boot; systemd runs the bootstrap at this and every later one.\n")
	b.WriteString("install -d -m 755 /etc/openwan\n")
	b.WriteString("cat > /etc/openwan/cloudwatch-agent.json <<'AGENT'\n" + agent + "\nAGENT\n")
	b.WriteString("install -m 600 /dev/null /etc/openwan/app.env\n")
	b.WriteString("cat > /etc/openwan/app.env <<'ENV'\n")
	for _, k := range slices.Sorted(maps.Keys(u.Env)) {
		b.WriteString(k + "=" + u.Env[k] + "\n")
	}
	b.WriteString("ENV\n")
	b.WriteString("cat > /usr/local/bin/openwan-bootstrap <<'BOOTSTRAP'\n" + u.bootstrapScript() + "BOOTSTRAP\n")
	fmt.Fprintf(&b, "\n# Drain: when the group terminates this instance (scale-in, refresh, spot rebalance), stop\n")
	fmt.Fprintf(&b, "# the app within the termination hook's %d s, then let the termination go on.\n", u.TerminationHookSeconds)
	b.WriteString("cat > /usr/local/bin/openwan-drain <<'DRAIN'\n")
	fmt.Fprintf(&b, drainScript, StopTimeoutSeconds(u.TerminationHookSeconds), shellQuote(TerminationHookName))
	b.WriteString("DRAIN\n")
	b.WriteString("chmod 755 /usr/local/bin/openwan-bootstrap /usr/local/bin/openwan-drain\n")
	b.WriteString("cat > /etc/systemd/system/openwan-drain.service <<'UNIT'\n" + drainUnit + "UNIT\n")
	b.WriteString("cat > /etc/systemd/system/openwan-bootstrap.service <<'UNIT'\n")
	fmt.Fprintf(&b, bootstrapUnit, u.LaunchHookSeconds)
	b.WriteString("UNIT\n")
	b.WriteString("systemctl daemon-reload\n")
	// The drain first, so that a termination during the bootstrap is handled too.
	b.WriteString("systemctl enable --now openwan-drain.service\n")
	b.WriteString("systemctl enable --now openwan-bootstrap.service\n")
	return b.String(), nil
}

// imdsFunctions read the instance metadata with an IMDSv2 token, and find this instance's group:
// the aws:autoscaling:groupName tag Auto Scaling puts on its instances, from the instance
// metadata (the launch template allows tags there) or else with ec2:DescribeTags, which the
// CloudWatch agent's policy grants.
const imdsFunctions = `imds() {
  local token
  token=$(curl -fsS -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' http://169.254.169.254/latest/api/token) &&
    curl -fsS -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/meta-data/$1"
}
state() { imds autoscaling/target-lifecycle-state; }
instance=$(imds instance-id)
region=$(imds placement/region)
group=$(imds tags/instance/aws:autoscaling:groupName ||
  aws ec2 describe-tags --region "$region" --output text --query 'Tags[0].Value' \
    --filters "Name=resource-id,Values=$instance" Name=key,Values=aws:autoscaling:groupName)
`

// bootstrapScript is openwan-bootstrap. OPENWAN_ROOT prefixes the files it writes, for its test.
func (u Boot) bootstrapScript() string {
	secrets := "# No secrets path: the plain environment only.\n"
	if u.SecretsPath != "" {
		secrets = fmt.Sprintf("  aws ssm get-parameters-by-path --region \"$region\" --with-decryption --path %s --query 'Parameters[].[Name,Value]' --output text |\n"+
			"    while read -r name value; do echo \"${name##*/}=${value}\" >> \"$env\"; done\n", shellQuote(u.SecretsPath))
	}
	r := strings.NewReplacer(
		"@IMDS@", imdsFunctions,
		"@IMAGE@", shellQuote(u.Image),
		"@HOOK@", shellQuote(LaunchHookName),
		"@SECRETS@", secrets,
		"@SCRATCH@", ScratchDir,
		"@STOP@", strconv.Itoa(StopTimeoutSeconds(u.TerminationHookSeconds)),
		"@TRIES@", strconv.Itoa(max(1, u.LaunchHookSeconds/readinessPollSeconds)),
		"@POLL@", strconv.Itoa(readinessPollSeconds),
		"@READY@", shellQuote("http://127.0.0.1:"+strconv.Itoa(u.Port)+u.ReadinessPath),
		"@HOOKSECONDS@", strconv.Itoa(u.LaunchHookSeconds),
	)
	return r.Replace(bootstrapTemplate)
}

const bootstrapTemplate = `#!/bin/bash
# Brings this instance to serving, at every boot, then completes the launch lifecycle hook.
set -euo pipefail
root=${OPENWAN_ROOT:-}
image=@IMAGE@
@IMDS@complete() {
  aws autoscaling complete-lifecycle-action --region "$region" --auto-scaling-group-name "$group" \
    --lifecycle-hook-name @HOOK@ --instance-id "$instance" --lifecycle-action-result "$1" ||
    echo "openwan-bootstrap: no launch action to complete with $1 (a reboot in service has none)" >&2
}
# Whatever fails, Auto Scaling hears of it and replaces the instance.
trap 'rc=$?; if [ "$rc" -ne 0 ]; then complete ABANDON; fi' EXIT

rpm -q amazon-cloudwatch-agent docker > /dev/null || dnf install -y amazon-cloudwatch-agent docker
/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s \
  -c file:/etc/openwan/cloudwatch-agent.json
systemctl enable --now docker
docker image inspect "$image" > /dev/null 2>&1 || docker pull "$image"

case "$(state)" in
Warmed:*)
  # Prepared for the warm pool: the app starts when the instance leaves it, with that day's secrets.
  docker rm -f openwan > /dev/null 2>&1 || true
  complete CONTINUE
  exit 0
  ;;
esac

if [ "$(docker inspect -f '{{.State.Running}} {{.Config.Image}}' openwan 2> /dev/null)" != "true $image" ]; then
  docker rm -f openwan > /dev/null 2>&1 || true
  # The environment, read again at each start: secrets may have rotated since the last.
  env="$root/run/openwan.env"
  install -m 600 "$root/etc/openwan/app.env" "$env"
@SECRETS@  # Scratch on the root volume, emptied of what a stopped job left behind.
  rm -rf "$root@SCRATCH@"
  install -d -m 700 "$root@SCRATCH@"
  chown 10001:10001 "$root@SCRATCH@"
  # Host networking: the app listens on the instance's own port, and it reaches the metadata
  # service for its role's credentials within the launch template's hop limit of 1 (a bridge
  # network is a second hop). --stop-timeout is the drain's, for any other stop.
  docker run -d --name openwan --restart unless-stopped --network host --read-only \
    -v "$root@SCRATCH@:/tmp" --user 10001:10001 --security-opt no-new-privileges \
    --stop-timeout @STOP@ --env-file "$env" "$image"
fi

# In service only once the app says it is ready (its database, cache and queue reachable).
for _ in $(seq @TRIES@); do
  if curl -fsS -o /dev/null @READY@; then
    complete CONTINUE
    exit 0
  fi
  sleep @POLL@
done
echo "openwan-bootstrap: "@READY@" not ready within @HOOKSECONDS@ s" >&2
exit 1
`

// bootstrapUnit runs the bootstrap at every boot; its verb is the launch hook's timeout (s), past
// which Auto Scaling has abandoned the instance anyway.
const bootstrapUnit = `[Unit]
Description=Bring the OpenWan app to serving, then complete the launch lifecycle hook
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/bin/openwan-bootstrap
TimeoutStartSec=%d

[Install]
WantedBy=multi-user.target
`

// drainScript is the drain service's script; its verbs are the stop timeout (s) and the
// termination hook's name, quoted. OPENWAN_SERVED names its marker file, for its test.
const drainScript = `#!/bin/bash
set -uo pipefail
` + imdsFunctions + `# This boot has served once the instance was InService: the marker outlives a restart of this
# service (after a failed completion), so a restart does not wait for an InService that is over.
served=${OPENWAN_SERVED:-/run/openwan-served}
# An instance launched into a warm pool boots once to be prepared, then stops: nothing to drain.
# One terminated before it served has nothing to drain either, and is released at once.
until [ -e "$served" ]; do
  case "$(state)" in
  InService) touch "$served" ;;
  Terminated) break ;;
  *) sleep 5 ;;
  esac
done
# It leaves service when terminated, or, on a scale-in, when it goes back to the warm pool.
until case "$(state)" in Terminated | Warmed:*) true ;; *) false ;; esac; do sleep 5; done
docker stop --time %[1]d openwan
for attempt in 1 2 3 4 5 6; do
  aws autoscaling complete-lifecycle-action --region "$region" --auto-scaling-group-name "$group" \
    --lifecycle-hook-name %[2]s --instance-id "$instance" --lifecycle-action-result CONTINUE && exit 0
  sleep $((attempt * 5))
done
exit 1
`

// drainUnit runs the drain script from boot on; it starts it again should the lifecycle action
// fail to complete six times.
const drainUnit = `[Unit]
Description=Stop the OpenWan app when Auto Scaling terminates this instance
Wants=docker.service
After=docker.service

[Service]
ExecStart=/usr/local/bin/openwan-drain
Restart=on-failure
RestartSec=5

[Install]
WantedBy=multi-user.target
`

// Base64 is the script as launch templates take it.
func (u Boot) Base64() (string, error) {
	script, err := u.Script()
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString([]byte(script)), nil
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
