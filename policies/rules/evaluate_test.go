package rules

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestParseConfig(t *testing.T) {
	cfg, err := ParseConfig([]byte(`{"all": "advisory", "alarm-has-action": "disabled",
		"max-hourly-cost": {"enforcementLevel": "mandatory", "maxHourlyUSD": 2.5}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Level(ruleNamed(t, "alarm-has-action"), "prod"); got != Disabled {
		t.Errorf("alarm-has-action level = %s, want disabled", got)
	}
	if got := cfg.Level(ruleNamed(t, "imdsv2-required"), "prod"); got != Advisory {
		t.Errorf("imdsv2-required level under all=advisory = %s, want advisory", got)
	}
	cost := ruleNamed(t, "max-hourly-cost")
	if got := cfg.Level(cost, "prod"); got != Mandatory {
		t.Errorf("max-hourly-cost level = %s, want mandatory", got)
	}
	p, err := cfg.Params(cost)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Number("maxHourlyUSD"); got != 2.5 {
		t.Errorf("maxHourlyUSD = %v, want 2.5", got)
	}
}

func TestParseConfigRejects(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"min-capacty": "advisory"}`, "policy config: min-capacty: no such rule"},
		{`{"min-capacity": "sometimes"}`, `policy config: min-capacity.enforcementLevel: "sometimes" is not mandatory, advisory or disabled`},
		{`{"min-capacity": {"minimun": 3}}`, "policy config: min-capacity.minimun: no such threshold (have [minimum])"},
		{`{"min-capacity": {"minimum": "two"}}`, "policy config: min-capacity.minimum: two is not a number"},
		{`{"no-open-ingress": {"publicPorts": 443}}`, "policy config: no-open-ingress.publicPorts: 443 is not a list"},
		{`{"all": {"minimum": 3}}`, "policy config: all: takes only an enforcement level"},
		{`[1]`, "policy config: json: cannot unmarshal array into Go value of type map[string]json.RawMessage"},
	} {
		_, err := ParseConfig([]byte(tc.in))
		if err == nil || err.Error() != tc.want {
			t.Errorf("ParseConfig(%s) = %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestEvaluateLevelsAndOrder(t *testing.T) {
	resources := []Resource{
		res(typeHPA, "hpa", `{"metadata": {"name": "h"}, "spec": {"minReplicas": 1, "maxReplicas": 4}}`),
		res(typeLaunchTmpl, "lt", `{"metadataOptions": {"httpTokens": "optional", "httpPutResponseHopLimit": 1}}`),
	}
	levels := func(vs []Violation) []string {
		var out []string
		for _, v := range vs {
			out = append(out, v.Rule+":"+string(v.Level))
		}
		return out
	}
	for _, tc := range []struct {
		stack string
		cfg   Config
		want  []string
		fail  bool
	}{
		{"prod", nil, []string{"min-capacity:mandatory", "imdsv2-required:mandatory"}, true},
		{"dev", nil, []string{"min-capacity:advisory", "imdsv2-required:mandatory"}, true},
		{"dev", Config{"imdsv2-required": {Level: Disabled}}, []string{"min-capacity:advisory"}, false},
		{"prod", Config{"all": {Level: Advisory}}, []string{"min-capacity:advisory", "imdsv2-required:advisory"}, false},
	} {
		vs, err := Evaluate(tc.stack, resources, tc.cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got := levels(vs); !slices.Equal(got, tc.want) {
			t.Errorf("Evaluate(%s, %v) = %v, want %v", tc.stack, tc.cfg, got, tc.want)
		}
		if Failed(vs) != tc.fail {
			t.Errorf("Failed(Evaluate(%s, %v)) = %v, want %v", tc.stack, tc.cfg, Failed(vs), tc.fail)
		}
		for _, v := range vs {
			if v.URN != "urn:pulumi:test::openwan::"+resources[0].Type+"::hpa" && v.URN != "urn:pulumi:test::openwan::"+resources[1].Type+"::lt" {
				t.Errorf("violation on %s, want the HPA's or the launch template's URN", v.URN)
			}
		}
	}
}

func TestEveryRuleIsDescribed(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range All() {
		if seen[r.Name] {
			t.Errorf("rule %s registered twice", r.Name)
		}
		seen[r.Name] = true
		if r.Description == "" || r.Why == "" || r.Level == "" || (r.Check == nil) == (r.CheckStack == nil) {
			t.Errorf("rule %s: needs a description, a why, a level and exactly one of Check and CheckStack", r.Name)
		}
		for name, p := range r.Params {
			if p.Description == "" || !sameShape(p.Default, p.Default) {
				t.Errorf("rule %s param %s: needs a description and a number or list default", r.Name, name)
			}
		}
	}
}

// TestREADMEListsEveryRule keeps the README's rule table true: each rule has a row with its
// scope and level.
func TestREADMEListsEveryRule(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range All() {
		scope, level := "resource", string(r.Level)
		if r.CheckStack != nil {
			scope = "stack"
		}
		if len(r.StrictStacks) > 0 {
			level = "mandatory in " + strings.Join(r.StrictStacks, ", ") + ", else advisory"
		}
		if row := fmt.Sprintf("| `%s` | %s | %s | %s |", r.Name, scope, level, r.Description); !strings.Contains(string(readme), row) {
			t.Errorf("README has no row starting %q", row)
		}
	}
}
