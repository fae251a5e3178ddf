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
