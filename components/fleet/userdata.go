// Package fleet holds the EC2 Auto Scaling components: launch templates, the load balancer in
// front of the API fleet, Auto Scaling Groups with their policies and schedules, and alarms.
package fleet

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// UserData is what a fleet instance runs at boot: the CloudWatch agent publishing
// mem_used_percent per Auto Scaling Group (EC2 publishes no memory metric, so without it a
// memory target cannot work), the drain service that stops the app when the group terminates the
// instance, then the app's container.
//
// How the app learns that its instance is terminating, and when the termination goes on: the
// group's termination hook (TerminationHookName) holds the instance in Terminating:Wait for up to
// TerminationHookSeconds. The drain service polls the instance metadata's
// autoscaling/target-lifecycle-state (IMDSv2, from the host, so within the hop limit of 1) every
// 5 s; once the instance has been InService, when it reads Terminated (or Warmed:*, a scale-in
// back to a warm pool, which holds the instance for the same hook) it runs `docker stop` with the
// stop timeout
// (StopTimeoutSeconds): the app gets SIGTERM, stops taking jobs and finishes the one in flight,
// and is killed only when the timeout runs out. Then the service completes the lifecycle action
// with CONTINUE, and the group terminates the instance at once instead of at the end of the hook.
// A scale-in, an instance refresh and a spot rebalance all go through this hook.
//
// A warm pool's instance runs this script at its first boot only, then stops; at each later
// start the enabled services come back by themselves: Docker restarts the app's container
// (--restart always, image on disk, environment in the container), and systemd the drain and
// the CloudWatch agent.
type UserData struct {
	// Image is the container image to run.
	Image string
	// Env is the container's plain environment.
	Env map[string]string
	// SecretsPath is the SSM Parameter Store path whose SecureStrings become the container's
	// secret environment (DATABASE_URL, ...), read at boot with the instance role.
	SecretsPath string
	// TerminationHookSeconds is the heartbeat timeout of the group's termination hook (s, 30 to
	// 7200), GroupArgs.TerminationHookSeconds: the container's stop timeout follows it.
	TerminationHookSeconds int
}

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

// Script renders the boot script.
func (u UserData) Script() (string, error) {
	agent, err := agentConfig()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("#!/bin/bash\nset -euo pipefail\n\n")
	b.WriteString("dnf install -y amazon-cloudwatch-agent docker\n")
	b.WriteString("cat > /opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json <<'AGENT'\n")
	b.WriteString(agent)
	b.WriteString("\nAGENT\n")
	b.WriteString("/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s " +
		"-c file:/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json\n\n")
	b.WriteString("systemctl enable --now docker\n")
	b.WriteString("install -m 600 /dev/null /run/openwan.env\n")
	for _, k := range slices.Sorted(maps.Keys(u.Env)) {
		fmt.Fprintf(&b, "echo %s >> /run/openwan.env\n", shellQuote(k+"="+u.Env[k]))
	}
	if u.SecretsPath != "" {
		fmt.Fprintf(&b, "aws ssm get-parameters-by-path --with-decryption --path %s --query 'Parameters[].[Name,Value]' --output text |\n", shellQuote(u.SecretsPath))
		b.WriteString("  while read -r name value; do echo \"${name##*/}=${value}\" >> /run/openwan.env; done\n")
	}
	stop := StopTimeoutSeconds(u.TerminationHookSeconds)
	// Installed before the app runs, so a termination is handled even when the container fails
	// to start: `docker stop` then fails, and the service still completes the lifecycle action.
	b.WriteString("\n# Drain: when the group terminates this instance (scale-in, refresh, spot rebalance), stop\n")
	fmt.Fprintf(&b, "# the app within the termination hook's %d s, then let the termination go on.\n", u.TerminationHookSeconds)
	b.WriteString("cat > /usr/local/bin/openwan-drain <<'DRAIN'\n")
	fmt.Fprintf(&b, drainScript, stop, shellQuote(TerminationHookName))
	b.WriteString("DRAIN\n")
	b.WriteString("chmod 755 /usr/local/bin/openwan-drain\n")
	b.WriteString("cat > /etc/systemd/system/openwan-drain.service <<'UNIT'\n")
	b.WriteString(drainUnit)
	b.WriteString("UNIT\n")
	b.WriteString("systemctl daemon-reload\n")
	b.WriteString("systemctl enable --now openwan-drain.service\n\n")
	// Host networking: the app listens on the instance's own port, and it reaches the metadata
	// service for its role's credentials within the launch template's hop limit of 1 (a bridge
	// network is a second hop). --stop-timeout is the drain's, for any other stop (a Docker
	// restart, a shutdown).
	fmt.Fprintf(&b, "docker run -d --name openwan --restart always --network host --read-only --tmpfs /tmp --user 10001:10001 "+
		"--security-opt no-new-privileges --stop-timeout %d --env-file /run/openwan.env %s\n", stop, shellQuote(u.Image))
	return b.String(), nil
}

// drainScript is the drain service's script; its verbs are the stop timeout (s) and the
// termination hook's name, quoted. The group's name is the aws:autoscaling:groupName tag Auto
// Scaling puts on its instances, read from the instance metadata (the launch template allows
// tags there) or else with ec2:DescribeTags, which the CloudWatch agent's policy grants.
const drainScript = `#!/bin/bash
set -uo pipefail
imds() {
  local token
  token=$(curl -fsS -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' http://169.254.169.254/latest/api/token) &&
    curl -fsS -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/meta-data/$1"
}
state() { imds autoscaling/target-lifecycle-state; }
# An instance launched into a warm pool boots once to be prepared, then stops: there is nothing
# to drain until it serves.
until [ "$(state)" = InService ]; do sleep 5; done
# It leaves service when terminated, or, on a scale-in, when it goes back to the warm pool.
until case "$(state)" in Terminated | Warmed:*) true ;; *) false ;; esac; do sleep 5; done
docker stop --time %[1]d openwan
instance=$(imds instance-id)
region=$(imds placement/region)
group=$(imds tags/instance/aws:autoscaling:groupName ||
  aws ec2 describe-tags --region "$region" --output text --query 'Tags[0].Value' \
    --filters "Name=resource-id,Values=$instance" Name=key,Values=aws:autoscaling:groupName)
exec aws autoscaling complete-lifecycle-action --region "$region" --auto-scaling-group-name "$group" \
  --lifecycle-hook-name %[2]s --instance-id "$instance" --lifecycle-action-result CONTINUE
`

// drainUnit runs the drain script from boot on; it starts it again should the lifecycle action
// fail to complete.
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
func (u UserData) Base64() (string, error) {
	script, err := u.Script()
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString([]byte(script)), nil
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
