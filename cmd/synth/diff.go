package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/openwan/openwan-infra/internal/model"
	"github.com/openwan/openwan-infra/internal/plan"
)

// maxFieldsPerResource bounds the changed fields listed for one resource: a replaced object
// reads better as "and N more" than as a page.
const maxFieldsPerResource = 12

// readPlan reads a plan written by `synth --json`.
func readPlan(file string) (*plan.Plan, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var p plan.Plan
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("%s: not a plan of synth --json: %w", file, err)
	}
	if p.Stack == "" {
		return nil, fmt.Errorf("%s: not a plan of synth --json: no stack", file)
	}
	return &p, nil
}

// writeDiff prints what would change from base to head: per resource "+" added, "-" removed,
// "~" changed with each changed input (path old -> new), then the monthly cost per fleet.
func writeDiff(w io.Writer, base, head *plan.Plan) error {
	before, after := byURN(base.Resources), byURN(head.Resources)
	var lines []string
	for _, urn := range slices.Sorted(maps.Keys(after)) {
		r := after[urn]
		old, ok := before[urn]
		if !ok {
			lines = append(lines, fmt.Sprintf("+ %s %s", shortType(r.Type), r.Name))
			continue
		}
		changes := changedFields(old.Inputs, r.Inputs, "")
		if len(changes) == 0 {
			continue
		}
		shown := changes
		if len(shown) > maxFieldsPerResource {
			shown = shown[:maxFieldsPerResource]
		}
		lines = append(lines, fmt.Sprintf("~ %s %s: %s", shortType(r.Type), r.Name, strings.Join(shown, "; ")))
		if more := len(changes) - len(shown); more > 0 {
			lines[len(lines)-1] += fmt.Sprintf("; and %d more", more)
		}
	}
	for _, urn := range slices.Sorted(maps.Keys(before)) {
		if _, ok := after[urn]; !ok {
			lines = append(lines, fmt.Sprintf("- %s %s", shortType(before[urn].Type), before[urn].Name))
		}
	}
	if len(lines) == 0 {
		lines = append(lines, "no resource changes")
	}
	lines = append(lines, costChanges(base.Outputs, head.Outputs)...)
	_, err := fmt.Fprintf(w, "stack %s: %s\n", head.Stack, strings.Join(lines, "\n"))
	return err
}

func byURN(rs []model.Resource) map[string]model.Resource {
	out := make(map[string]model.Resource, len(rs))
	for _, r := range rs {
		out[r.URN] = r
	}
	return out
}

// changedFields lists "path old -> new" for each leaf of the inputs that differs, in path order.
// A JSON document held in a string (a dashboard's body, a policy) is compared as the document, so
// the line names the leaf that moved rather than the whole text.
func changedFields(old, new any, path string) []string {
	if os, ok := old.(string); ok {
		if ns, ok := new.(string); ok && os != ns {
			var od, nd any
			if json.Unmarshal([]byte(os), &od) == nil && json.Unmarshal([]byte(ns), &nd) == nil {
				if _, isMap := od.(map[string]any); isMap {
					return changedFields(od, nd, path)
				}
			}
		}
	}
	om, oIsMap := old.(map[string]any)
	nm, nIsMap := new.(map[string]any)
	if oIsMap && nIsMap {
		var out []string
		for _, k := range slices.Sorted(maps.Keys(merge(om, nm))) {
			out = append(out, changedFields(om[k], nm[k], join(path, k))...)
		}
		return out
	}
	ol, oIsList := old.([]any)
	nl, nIsList := new.([]any)
	if oIsList && nIsList && len(ol) == len(nl) {
		var out []string
		for i := range ol {
			out = append(out, changedFields(ol[i], nl[i], join(path, fmt.Sprint(i)))...)
		}
		return out
	}
	if text(old) == text(new) {
		return nil
	}
	return []string{fmt.Sprintf("%s %s -> %s", path, text(old), text(new))}
}

func merge(a, b map[string]any) map[string]any {
	out := maps.Clone(a)
	maps.Copy(out, b)
	return out
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// text prints a value compactly: JSON for objects and lists, "(none)" for a missing one.
func text(v any) string {
	switch v.(type) {
	case nil:
		return "(none)"
	case map[string]any, []any:
		b, _ := json.Marshal(v) // plain JSON values always marshal
		return string(b)
	}
	return fmt.Sprint(v)
}

// costChanges are the fleets whose monthly cost (baseline, max) moved, and the stack's total.
func costChanges(base, head map[string]any) []string {
	costs := func(outputs map[string]any) map[string][2]any {
		out := map[string][2]any{}
		fleets, _ := lookupList(outputs, "monthlyCostUSD.fleets")
		for _, f := range fleets {
			out[fmt.Sprint(at(f, "fleet"))] = [2]any{at(f, "monthlyUSD.baseline.total"), at(f, "monthlyUSD.max.total")}
		}
		out["the stack"] = [2]any{at(outputs, "monthlyCostUSD.monthlyUSD.baseline.total"), at(outputs, "monthlyCostUSD.monthlyUSD.max.total")}
		return out
	}
	before, after := costs(base), costs(head)
	var out []string
	for _, name := range slices.Sorted(maps.Keys(merge2(before, after))) {
		b, a := before[name], after[name]
		if text(b[0]) != text(a[0]) || text(b[1]) != text(a[1]) {
			out = append(out, fmt.Sprintf("$ %s: USD per month baseline %s -> %s, max %s -> %s", name, text(b[0]), text(a[0]), text(b[1]), text(a[1])))
		}
	}
	return out
}

func merge2(a, b map[string][2]any) map[string][2]any {
	out := maps.Clone(a)
	maps.Copy(out, b)
	return out
}
