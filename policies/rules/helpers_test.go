package rules

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/internal/model"
)

// res builds a resource from JSON inputs, the shape the engine and the mocks hand over. The
// inputs are literals of the test, so malformed JSON is a bug in the test and panics.
func res(typ, name, inputs string) model.Resource {
	var m map[string]any
	if err := json.Unmarshal([]byte(inputs), &m); err != nil {
		panic(fmt.Sprintf("res(%s, %s): the inputs are not a JSON object: %v", typ, name, err))
	}
	return model.Resource{URN: "urn:pulumi:test::openwan::" + typ + "::" + name, Type: typ, Name: name, Inputs: m}
}

// dependsOn records that r's input key came from the given resources.
func dependsOn(r model.Resource, key string, deps ...model.Resource) model.Resource {
	if r.PropertyDependencies == nil {
		r.PropertyDependencies = map[string][]string{}
	}
	for _, d := range deps {
		r.PropertyDependencies[key] = append(r.PropertyDependencies[key], d.URN)
	}
	return r
}

func ignoring(r model.Resource, paths ...string) model.Resource {
	r.IgnoreChanges = paths
	return r
}

func ruleNamed(t *testing.T, name string) Rule {
	t.Helper()
	i := slices.IndexFunc(All(), func(r Rule) bool { return r.Name == name })
	require.GreaterOrEqual(t, i, 0, "All() must register a rule named %s", name)
	return All()[i]
}

// defaults are a rule's thresholds when no config sets them, resolved as Evaluate resolves
// them: the values the expected messages quote (TestThresholdDefaults pins them).
func defaults(t *testing.T, rule string) Params {
	t.Helper()
	p, err := Config{}.Params(ruleNamed(t, rule))
	require.NoError(t, err, "rule %s's defaults must resolve with no config", rule)
	return p
}

// ruleCase is one table row: the stack's resources and the messages the rule must report.
type ruleCase struct {
	name      string
	stack     string
	resources []model.Resource
	config    Config
	want      []string
}

// runRuleCases runs one rule over each case with its default or configured thresholds and
// compares the messages exactly, in order.
func runRuleCases(t *testing.T, rule string, cases []ruleCase) {
	t.Helper()
	r := ruleNamed(t, rule)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			params, err := tc.config.Params(r)
			require.NoError(t, err, "the case's config must be valid for %s", rule)
			stack := tc.stack
			if stack == "" {
				stack = "prod"
			}
			var got []string
			for _, f := range r.Run(NewStack(stack, tc.resources), params) {
				got = append(got, f.Message)
			}
			if len(tc.want) == 0 {
				assert.Empty(t, got, "%s: these resources comply, so the rule reports nothing", rule)
				return
			}
			assert.Equal(t, tc.want, got, "%s: each violation's message, exactly and in order", rule)
		})
	}
}
