package synth

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/openwan/openwan-infra/internal/awsmodel"
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

// WriteDiff prints header, then what would change from base to head: per resource "+" added, "-" removed,
// "~" changed in place and "+-" replaced, with each changed input (path old -> new), then the
// monthly cost per fleet and a count line as `pulumi preview` closes with. A change to an input
// AWS can only set at creation (the CloudFormation schema's createOnlyProperties,
// internal/awsmodel) replaces the resource, and so does a change of the ID or ARN such an input
// holds: a replaced VPC replaces its subnets, their NAT gateways and route table associations,
// the node groups in them.
func WriteDiff(w io.Writer, base, head *plan.Plan, header string) error {
	before, after := byURN(base.Resources), byURN(head.Resources)
	changes := map[string][]change{}
	for urn, r := range after {
		if old, ok := before[urn]; ok {
			if c := changedPaths(old.Inputs, r.Inputs, ""); len(c) > 0 {
				changes[urn] = c
			}
		}
	}
	replaced, err := replacements(after, changes)
	if err != nil {
		return err
	}
	var lines []string
	var created, updated, deleted int
	for _, urn := range slices.Sorted(maps.Keys(after)) {
		r := after[urn]
		if _, ok := before[urn]; !ok {
			created++
			lines = append(lines, fmt.Sprintf("+ %s %s", plan.ShortType(r.Type), r.Name))
			continue
		}
		why, replace := replaced[urn]
		if len(changes[urn]) == 0 && !replace {
			continue
		}
		mark := "~"
		if replace {
			mark = "+-"
		} else {
			updated++
		}
		var fields, blocks []string
		for _, c := range changes[urn] {
			if head, body, multiline := strings.Cut(c.text, "\n"); multiline {
				// A decoded script's line diff follows its resource's line, indented.
				fields = append(fields, head)
				blocks = append(blocks, body)
				continue
			}
			fields = append(fields, c.text)
		}
		shown := fields
		if len(shown) > maxFieldsPerResource {
			shown = shown[:maxFieldsPerResource]
		}
		if more := len(fields) - len(shown); more > 0 {
			shown = append(shown, fmt.Sprintf("and %d more", more))
		}
		if replace {
			shown = append(shown, why)
		}
		lines = append(lines, fmt.Sprintf("%s %s %s: %s", mark, plan.ShortType(r.Type), r.Name, strings.Join(shown, "; ")))
		lines = append(lines, blocks...)
	}
	for _, urn := range slices.Sorted(maps.Keys(before)) {
		if _, ok := after[urn]; !ok {
			deleted++
			lines = append(lines, fmt.Sprintf("- %s %s", plan.ShortType(before[urn].Type), before[urn].Name))
		}
	}
	if len(lines) == 0 {
		lines = append(lines, "no resource changes")
	}
	lines = append(lines, costChanges(base.Outputs, head.Outputs)...)
	if created+updated+len(replaced)+deleted > 0 {
		lines = append(lines, fmt.Sprintf("%d to create, %d to update, %d to replace, %d to delete", created, updated, len(replaced), deleted))
	}
	// The header on a line of its own, so that each change starts a line with its mark.
	_, err = fmt.Fprintf(w, "%s\n%s\n", header, strings.Join(lines, "\n"))
	return err
}

// change is one changed input: its path and the line that shows it.
type change struct{ path, text string }

func changedPaths(old, new any, path string) []change {
	var out []change
	for _, line := range changedFields(old, new, path) {
		p, _, _ := strings.Cut(line, " ")
		out = append(out, change{p, line})
	}
	return out
}

// replacements are the resources of the plan that a change replaces, each with why: an input
// AWS sets at creation only changed, or holds the ID of a resource that is replaced.
func replacements(resources map[string]model.Resource, changes map[string][]change) (map[string]string, error) {
	createOnly := map[string][]string{}
	for _, r := range resources {
		if _, seen := createOnly[r.Type]; seen {
			continue
		}
		inputs, _, err := awsmodel.ReplaceInputs(r.Type)
		if err != nil {
			return nil, fmt.Errorf("which changes replace a resource: %w", err)
		}
		createOnly[r.Type] = inputs
	}
	replaced := map[string]string{}
	for urn, cs := range changes {
		var fields []string
		for _, c := range cs {
			for _, input := range createOnly[resources[urn].Type] {
				if c.path == input || strings.HasPrefix(c.path, input+".") {
					fields = append(fields, input)
					break
				}
			}
		}
		if fields != nil {
			replaced[urn] = "replaces: AWS sets " + strings.Join(slices.Compact(slices.Sorted(slices.Values(fields))), ", ") + " at creation only"
		}
	}
	// A resource whose create-only input holds a replaced resource's ID is replaced with it.
	for grew := true; grew; {
		grew = false
		for _, urn := range slices.Sorted(maps.Keys(resources)) {
			if _, done := replaced[urn]; done {
				continue
			}
			r := resources[urn]
			for _, input := range createOnly[r.Type] {
				for _, dep := range r.PropertyDependencies[strings.SplitN(input, ".", 2)[0]] {
					if _, gone := replaced[dep]; gone && replaced[urn] == "" {
						d := resources[dep]
						replaced[urn] = fmt.Sprintf("replaced with %s %s (%s)", plan.ShortType(d.Type), d.Name, input)
						grew = true
					}
				}
			}
		}
	}
	return replaced, nil
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
	if path == "userData" || strings.HasSuffix(path, ".userData") {
		// A launch template's script, base64 as AWS takes it: 9 KB of blob each side for a
		// one-word change, unless shown as the script's lines that changed.
		oldScript, oldOK := decodedScript(old)
		newScript, newOK := decodedScript(new)
		if oldOK && newOK && oldScript != newScript {
			var body []string
			for _, l := range LineDiff(oldScript, newScript) {
				body = append(body, "    "+l)
			}
			return []string{path + " (the script, decoded) changed:\n" + strings.Join(body, "\n")}
		}
	}
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
