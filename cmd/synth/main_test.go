package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSynthPrintsThePlan(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"--stack", "prod", "--dir", "../.."}, &stdout, &stderr); code != 0 {
		t.Fatalf("run(--stack prod) = %d, want 0; stderr: %s", code, stderr.String())
	}
	var plan struct {
		Project   string           `json:"project"`
		Stack     string           `json:"stack"`
		Resources []map[string]any `json:"resources"`
		Outputs   map[string]any   `json:"outputs"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &plan); err != nil {
		t.Fatalf("stdout is not JSON: %v", err)
	}
	if plan.Project != "openwan" || plan.Stack != "prod" || len(plan.Resources) == 0 {
		t.Errorf("plan = %s/%s with %d resources, want openwan/prod with some", plan.Project, plan.Stack, len(plan.Resources))
	}
	for _, key := range []string{"urn", "type", "name", "parent", "custom", "inputs"} {
		if _, ok := plan.Resources[0][key]; !ok {
			t.Errorf("resource has no %q field: %v", key, plan.Resources[0])
		}
	}
}

func TestSynthFailsOnBadConfigWithNothingOnStdout(t *testing.T) {
	dir := t.TempDir()
	prod, err := os.ReadFile("../../Pulumi.prod.yaml")
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(prod), "  openwan:api:\n", "  openwan:api:\n    replicas: {min: 2, max: 1}\n", 1)
	if bad == string(prod) {
		t.Fatal("could not edit the prod stack file")
	}
	if err := os.WriteFile(filepath.Join(dir, "Pulumi.bad.yaml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--stack", "bad", "--dir", dir}, 1, "openwan:api.replicas.max: 1 is below min 2"},
		{[]string{"--stack", "missing", "--dir", dir}, 1, "Pulumi.missing.yaml"},
		{[]string{}, 2, "--stack is required"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(tt.args, &stdout, &stderr)
		if code != tt.code || stdout.Len() != 0 || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("run(%q) = %d, stdout %d bytes, stderr %q; want %d, nothing, %q", tt.args, code, stdout.Len(), stderr.String(), tt.code, tt.want)
		}
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
	original, err := os.ReadFile("../../Pulumi." + stack + ".yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(original), old) {
		t.Fatalf("Pulumi.%s.yaml has no %q", stack, old)
	}
	edited := strings.Replace(string(original), old, new, 1) + strings.Join(tail, "")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Pulumi."+stack+".yaml"), []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestSynthCheck(t *testing.T) {
	policyFile := filepath.Join(t.TempDir(), "policy.json")
	if err := os.WriteFile(policyFile, []byte(`{"min-capacity": {"minimum": 3}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	badPolicyFile := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(badPolicyFile, []byte(`{"min-capacity": {"minimun": 3}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		args       []string
		code       int
		violations []string // rule names in the JSON, in order; nil when no plan is printed
		stderr     string
	}{
		{"prod complies", []string{"--stack", "prod", "--dir", "../..", "--check"}, 0, []string{}, ""},
		{"dev complies", []string{"--stack", "dev", "--dir", "../..", "--check"}, 0, []string{}, ""},
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
		{"policy config file raises a threshold", []string{"--stack", "prod", "--dir", "../..", "--check", "--policy-config", policyFile}, 3,
			// Both HPAs, both groups, both node groups and the night schedule keep 2.
			[]string{"min-capacity", "min-capacity", "min-capacity", "min-capacity", "min-capacity", "min-capacity", "min-capacity"},
			"below the minimum of 3"},
		{"bad policy config", []string{"--stack", "prod", "--dir", "../..", "--check", "--policy-config", badPolicyFile}, 1, nil,
			"policy config: min-capacity.minimun: no such threshold (have [minimum])"},
		{"database budget exceeded", []string{"--stack", "prod", "--check", "--dir",
			stackReplacing(t, "prod", "maxConnections: 1500", "maxConnections: 1000")}, 1, nil,
			"openwan:capacity.database.maxConnections: 1000 minus 20 reserved leaves 980, below the 1250 connections the fleets open at their maxima"},
		{"policy config without check", []string{"--stack", "prod", "--policy-config", policyFile}, 2, nil, "--policy-config needs --check"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)
			if code != tt.code || !strings.Contains(stderr.String(), tt.stderr) {
				t.Fatalf("run(%q) = %d, stderr %q; want %d, stderr containing %q", tt.args, code, stderr.String(), tt.code, tt.stderr)
			}
			if tt.violations == nil {
				if stdout.Len() != 0 {
					t.Errorf("run(%q) printed a plan on a usage or config error", tt.args)
				}
				return
			}
			var out struct {
				Violations []struct{ Rule, Level, URN, Message string } `json:"violations"`
			}
			if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
				t.Fatalf("stdout is not JSON: %v", err)
			}
			got := []string{}
			for _, v := range out.Violations {
				got = append(got, v.Rule)
				if v.URN == "" || v.Message == "" || v.Level == "" {
					t.Errorf("violation %+v lacks a URN, message or level", v)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.violations, ",") {
				t.Errorf("violations = %v, want %v", got, tt.violations)
			}
		})
	}
}
