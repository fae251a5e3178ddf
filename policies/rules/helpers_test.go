package rules

import (
	"encoding/json"
	"slices"
	"testing"
)

// res builds a resource from JSON inputs, the shape the engine and the mocks hand over.
func res(typ, name, inputs string) Resource {
	var m map[string]any
	if err := json.Unmarshal([]byte(inputs), &m); err != nil {
		panic(err)
	}
	return Resource{URN: "urn:pulumi:test::openwan::" + typ + "::" + name, Type: typ, Name: name, Inputs: m}
}

// dependsOn records that r's input key came from the given resources.
func dependsOn(r Resource, key string, deps ...Resource) Resource {
	if r.PropertyDependencies == nil {
		r.PropertyDependencies = map[string][]string{}
	}
	for _, d := range deps {
		r.PropertyDependencies[key] = append(r.PropertyDependencies[key], d.URN)
	}
	return r
}

func ignoring(r Resource, paths ...string) Resource {
	r.IgnoreChanges = paths
	return r
}

func ruleNamed(t *testing.T, name string) Rule {
	t.Helper()
	i := slices.IndexFunc(All(), func(r Rule) bool { return r.Name == name })
	if i < 0 {
		t.Fatalf("no rule %s", name)
	}
	return All()[i]
}

// ruleCase is one table row: the stack's resources and the messages the rule must report.
type ruleCase struct {
	name      string
	stack     string
	resources []Resource
	config    Config
	want      []string
}

// runRuleCases runs one rule over each case with its default or configured thresholds and
// compares the messages exactly.
func runRuleCases(t *testing.T, rule string, cases []ruleCase) {
	t.Helper()
	r := ruleNamed(t, rule)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			params, err := tc.config.Params(r)
			if err != nil {
				t.Fatal(err)
			}
			stack := tc.stack
			if stack == "" {
				stack = "prod"
			}
			var got []string
			for _, f := range r.Run(NewStack(stack, tc.resources), params) {
				got = append(got, f.Message)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s =\n  %q\nwant\n  %q", rule, got, tc.want)
			}
		})
	}
}
