package rules

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/internal/model"
)

func TestParseConfig(t *testing.T) {
	cfg, err := ParseConfig([]byte(`{"all": "advisory", "alarm-has-action": "disabled",
		"max-hourly-cost": {"enforcementLevel": "mandatory", "maxHourlyUSD": 2.5}}`))
	require.NoError(t, err, "a config of levels and a known threshold must parse")
	for _, tc := range []struct {
		rule string
		want Level
		why  string
	}{
		{"alarm-has-action", Disabled, "its own entry is a bare level"},
		{"imdsv2-required", Advisory, `it has no entry, so "all" sets it`},
		{"max-hourly-cost", Mandatory, `its object's enforcementLevel wins over "all"`},
	} {
		assert.Equal(t, tc.want, cfg.Level(ruleNamed(t, tc.rule), "production"), "%s level in production: %s", tc.rule, tc.why)
	}
	p, err := cfg.Params(ruleNamed(t, "max-hourly-cost"))
	require.NoError(t, err, "max-hourly-cost's configured thresholds must resolve")
	assert.Equal(t, 2.5, p.Number("maxHourlyUSD"), "maxHourlyUSD is the configured 2.5, not the default")
}

func TestParseConfigRejects(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"misspelt rule", `{"min-capacty": "advisory"}`, "policy config: min-capacty: no such rule"},
		{"unknown level", `{"min-capacity": "sometimes"}`, `policy config: min-capacity.enforcementLevel: "sometimes" is not mandatory, advisory or disabled`},
		{"misspelt threshold", `{"min-capacity": {"minimun": 3}}`, "policy config: min-capacity.minimun: no such threshold (have [minimum])"},
		{"string for a number", `{"min-capacity": {"minimum": "two"}}`, "policy config: min-capacity.minimum: two is not a number"},
		{"number for a list", `{"no-open-ingress": {"publicPorts": 443}}`, "policy config: no-open-ingress.publicPorts: 443 is not a list"},
		{"threshold under all", `{"all": {"minimum": 3}}`, "policy config: all: takes only an enforcement level"},
		{"not an object", `[1]`, "policy config: json: cannot unmarshal array into Go value of type map[string]json.RawMessage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tc.in))
			require.Error(t, err, "ParseConfig(%s) must refuse it", tc.in)
			assert.Equal(t, tc.want, err.Error(), "ParseConfig(%s) names the entry and what is wrong with it", tc.in)
		})
	}
}

func TestEvaluateLevelsAndOrder(t *testing.T) {
	hpa := res(model.TypeK8sHPA, "hpa", `{"metadata": {"name": "h"}, "spec": {"minReplicas": 1, "maxReplicas": 4}}`)
	lt := res(model.TypeEC2LaunchTemplate, "lt", `{"metadataOptions": {"httpTokens": "optional", "httpPutResponseHopLimit": 1}}`)
	resources := []model.Resource{hpa, lt}
	// Each rule that fails here fails on one resource: the HPA's single replica, the template's IMDSv1.
	faulty := map[string]string{"min-capacity": hpa.URN, "imdsv2-required": lt.URN}
	levels := func(vs []Violation) []string {
		var out []string
		for _, v := range vs {
			out = append(out, v.Rule+":"+string(v.Level))
		}
		return out
	}
	for _, tc := range []struct {
		name        string
		environment string
		cfg         Config
		want        []string
		fail        bool
	}{
		{"production makes min-capacity mandatory", "production", nil, []string{"min-capacity:mandatory", "imdsv2-required:mandatory"}, true},
		{"development keeps it advisory", "development", nil, []string{"min-capacity:advisory", "imdsv2-required:mandatory"}, true},
		{"a disabled rule does not run", "development", Config{"imdsv2-required": {Level: Disabled}}, []string{"min-capacity:advisory"}, false},
		{"all=advisory overrides production's strictness", "production", Config{"all": {Level: Advisory}}, []string{"min-capacity:advisory", "imdsv2-required:advisory"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vs, err := Evaluate("any-name", tc.environment, resources, tc.cfg)
			require.NoError(t, err, "Evaluate(%s, %v) with a valid config", tc.environment, tc.cfg)
			assert.Equal(t, tc.want, levels(vs), "Evaluate(%s, %v): rule:level of each violation, in All()'s order", tc.environment, tc.cfg)
			assert.Equal(t, tc.fail, Failed(vs), "Failed(Evaluate(%s, %v)) is whether any violation is mandatory", tc.environment, tc.cfg)
			for _, v := range vs {
				assert.Equal(t, faulty[v.Rule], v.URN, "%s's violation names the resource at fault", v.Rule)
			}
		})
	}
}

func TestEveryRuleIsDescribed(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range All() {
		assert.False(t, seen[r.Name], "rule %s registered twice", r.Name)
		seen[r.Name] = true
		assert.NotEmpty(t, r.Description, "rule %s needs a description (the engine shows it)", r.Name)
		assert.NotEmpty(t, r.Why, "rule %s needs a why (docs/policies.md's rule table)", r.Name)
		assert.NotEmpty(t, r.Level, "rule %s needs a default level", r.Name)
		assert.True(t, (r.Check == nil) != (r.CheckStack == nil), "rule %s needs exactly one of Check and CheckStack", r.Name)
		for name, p := range r.Params {
			assert.NotEmpty(t, p.Description, "rule %s param %s needs a description with its unit", r.Name, name)
			assert.True(t, sameShape(p.Default, p.Default), "rule %s param %s needs a number or list default, not %T", r.Name, name, p.Default)
		}
	}
}

// TestThresholdDefaults pins each rule threshold's default, with the reason for its value: the
// rule tests quote the defaults through defaults(), so this is where a change shows.
func TestThresholdDefaults(t *testing.T) {
	tests := []struct {
		rule, param string
		want        any
		why         string
	}{
		{"min-capacity", "minimum", 2.0, "the guide's minReplicas 2: one replica is a single point of failure"},
		{"imdsv2-required", "maxHopLimit", 1.0, "one hop keeps instance credentials from containers on a bridge network"},
		{"no-open-ingress", "publicPorts", []any{80.0, 443.0}, "a load balancer faces the world on HTTP and HTTPS only"},
		{"eks-control-plane-logging", "requiredLogTypes", []any{"api", "audit", "authenticator"},
			"who changed the cluster (audit, authenticator) and why the HPA did what it did (api)"},
		{"spot-diversity", "minInstanceTypes", 2.0, "one spot type is one capacity pool, emptied by one interruption wave"},
		{"max-hourly-cost", "maxHourlyUSD", 5.0, "the ceiling docs/policies.md documents; no figure of the guide sets it, a stack sets its own through openwan-policy:max-hourly-cost"},
	}
	var pinned []string
	for _, tc := range tests {
		pinned = append(pinned, tc.rule+"."+tc.param)
		p, ok := ruleNamed(t, tc.rule).Params[tc.param]
		if assert.True(t, ok, "rule %s must have a threshold %s", tc.rule, tc.param) {
			assert.Equal(t, tc.want, p.Default, "%s.%s default: %s", tc.rule, tc.param, tc.why)
		}
	}
	var all []string
	for _, r := range All() {
		for _, name := range slices.Sorted(maps.Keys(r.Params)) {
			all = append(all, r.Name+"."+name)
		}
	}
	assert.ElementsMatch(t, all, pinned, "every threshold of every rule has its default pinned here, and only those")
}

// TestDocsListEveryRule keeps the rule table of docs/policies.md (linked from the README)
// true: each rule has a row with its scope and level.
func TestDocsListEveryRule(t *testing.T) {
	readme, err := os.ReadFile("../../docs/policies.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range All() {
		scope, level := "resource", string(r.Level)
		if r.CheckStack != nil {
			scope = "stack"
		}
		if r.StrictInProduction {
			level = "mandatory in production, else advisory"
		}
		if r.ProductionOnly {
			level += " in production, else off"
		}
		if row := fmt.Sprintf("| `%s` | %s | %s | %s |", r.Name, scope, level, r.Description); !strings.Contains(string(readme), row) {
			t.Errorf("docs/policies.md has no row starting %q", row)
		}
	}
}
