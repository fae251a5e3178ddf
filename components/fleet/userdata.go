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
// memory target cannot work), then the app's container.
type UserData struct {
	// Image is the container image to run.
	Image string
	// Env is the container's plain environment.
	Env map[string]string
	// SecretsPath is the SSM Parameter Store path whose SecureStrings become the container's
	// secret environment (DATABASE_URL, ...), read at boot with the instance role.
	SecretsPath string
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
	// Host networking: the app listens on the instance's own port, and it reaches the metadata
	// service for its role's credentials within the launch template's hop limit of 1 (a bridge
	// network is a second hop). --stop-timeout lets the app finish in-flight work when the
	// termination hook stops it.
	fmt.Fprintf(&b, "docker run -d --name openwan --restart always --network host --read-only --tmpfs /tmp --user 10001:10001 "+
		"--security-opt no-new-privileges --stop-timeout 60 --env-file /run/openwan.env %s\n", shellQuote(u.Image))
	return b.String(), nil
}

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
