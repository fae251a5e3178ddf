package components_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/internal/model"
	"github.com/openwan/openwan-infra/internal/plan"
	"github.com/openwan/openwan-infra/internal/synth"
)

func TestWriteDiff(t *testing.T) {
	res := func(name string, inputs map[string]any) model.Resource {
		return model.Resource{URN: "urn:" + name, Type: "aws:autoscaling/group:Group", Name: name, Custom: true, Inputs: inputs}
	}
	cost := func(baseline, max float64) map[string]any {
		return map[string]any{"monthlyCostUSD": map[string]any{
			"fleets":     []any{map[string]any{"fleet": "openwan:ec2.api", "monthlyUSD": map[string]any{"baseline": map[string]any{"total": baseline}, "max": map[string]any{"total": max}}}},
			"monthlyUSD": map[string]any{"baseline": map[string]any{"total": baseline}, "max": map[string]any{"total": max}},
		}}
	}
	base := &plan.Plan{Stack: "s", Resources: []model.Resource{
		res("kept", map[string]any{"maxSize": 10.0, "tags": []any{"a"}}), res("gone", nil),
	}, Outputs: cost(100, 300)}
	head := &plan.Plan{Stack: "s", Resources: []model.Resource{
		res("kept", map[string]any{"maxSize": 12.0, "tags": []any{"a", "b"}, "minSize": 2.0}), res("new", nil),
	}, Outputs: cost(100, 360)}
	var out bytes.Buffer
	require.NoError(t, synth.WriteDiff(&out, base, head, "stack s:"))
	assert.Equal(t, "stack s:\n~ Group kept: maxSize 10 -> 12; minSize (none) -> 2; tags [\"a\"] -> [\"a\",\"b\"]\n"+
		"+ Group new\n"+
		"- Group gone\n"+
		"$ openwan:ec2.api: USD per month baseline 100 -> 100, max 300 -> 360\n"+
		"$ the stack: USD per month baseline 100 -> 100, max 300 -> 360\n"+
		"1 to create, 1 to update, 0 to replace, 1 to delete\n", out.String())
}

// TestLineDiff: hunks with two lines of context, removals before additions, near changes merged.
func TestLineDiff(t *testing.T) {
	old := "a\nb\nc\nd\ne\nf\ng\nh\ni\nj"
	assert.Empty(t, synth.LineDiff(old, old))
	assert.Equal(t, []string{"@@ -2 +2", "  b", "  c", "- d", "+ D", "  e", "  f"},
		synth.LineDiff(old, "a\nb\nc\nD\ne\nf\ng\nh\ni\nj"), "one changed line")
	assert.Equal(t, []string{"@@ -1 +1", "  a", "- b", "+ B", "  c", "- d", "+ D", "  e", "  f"},
		synth.LineDiff(old, "a\nB\nc\nD\ne\nf\ng\nh\ni\nj"), "two near changes, one hunk")
	assert.Equal(t, []string{"@@ -1 +1", "- a", "+ A", "  b", "  c", "@@ -7 +7", "  g", "  h", "- i", "+ I", "  j"},
		synth.LineDiff(old, "A\nb\nc\nd\ne\nf\ng\nh\nI\nj"), "far apart, two hunks")
	assert.Equal(t, []string{"@@ -9 +9", "  i", "  j", "+ k"}, synth.LineDiff(old, old+"\nk"), "an added last line")
}
