package synth

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/openwan/openwan-infra/internal/model"
	"github.com/openwan/openwan-infra/internal/plan"
	"github.com/openwan/openwan-infra/policies/rules"
)

// writeSummary prints what a reader of `pulumi preview` looks for first: the resources by
// component, the fleets with their bounds and cost, the outputs, and the policy verdict.
func writeSummary(w io.Writer, out *result) error {
	p, violations, placeholders := out.Plan, out.Violations, out.Placeholders
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	components := 0
	for _, r := range p.Resources {
		if !r.Custom {
			components++
		}
	}
	fmt.Fprintf(tw, "stack %s (environment %s): %d resources, %d of them components\n\n", p.Stack, p.Environment, len(p.Resources), components)

	fmt.Fprintln(tw, "resources by component\tcount\ttypes")
	for _, g := range groups(p.Resources) {
		fmt.Fprintf(tw, "  %s\t%d\t%s\n", g.name, g.count, g.types)
	}

	if fleets := fleetRows(p.Outputs); len(fleets) > 0 {
		fmt.Fprintln(tw, "\nfleets\tinstance\tmin / baseline / max\tUSD per month, min / baseline / max")
		for _, f := range fleets {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", f[0], f[1], f[2], f[3])
		}
	}
	for _, f := range fleetReasons(p.Outputs) {
		fmt.Fprintf(tw, "  (%s)\n", f)
	}
	if rows := scalingLines(p.Resources); len(rows) > 0 {
		fmt.Fprintln(tw, "\nhow each fleet scales")
		for _, r := range rows {
			fmt.Fprintf(tw, "  %s\t%s\n", r[0], r[1])
		}
	}
	if cost, ok := lookup(p.Outputs, "monthlyCostUSD.monthlyUSD"); ok {
		fmt.Fprintf(tw, "\n\nmonthly cost\tUSD %s / %s / %s (min / baseline / max) of instances", show(at(cost, "min.total")), show(at(cost, "baseline.total")), show(at(cost, "max.total")))
	}
	if pl, ok := lookup(p.Outputs, "monthlyCostUSD.platform"); ok {
		var parts []string
		lines, _ := lookupList(pl, "lines")
		for _, l := range lines {
			parts = append(parts, fmt.Sprintf("%s %s", show(at(l, "kind")), show(at(l, "monthlyUSD"))))
		}
		fmt.Fprintf(tw, "\n  platform\tUSD %s on top, at the baseline: %s", show(at(pl, "monthlyUSD")), strings.Join(parts, ", "))
	}
	// The capacity kept ready: its share of the cost, next to the time it buys.
	if h, ok := lookup(p.Outputs, "monthlyCostUSD.headroom"); ok {
		fmt.Fprintf(tw, "\n  headroom\tUSD %s of the baseline: %s API and %s worker placeholder pods on %s more nodes", show(at(h, "monthlyUSD")),
			show(at(h, "apiPods")), show(at(h, "workerPods")), show(at(h, "nodes")))
		if r, ok := lookup(p.Outputs, "readyCapacity.headroom"); ok {
			fmt.Fprintf(tw, "; the 5x spike at capacity in %s s, %s s without", show(at(r, "withSeconds")), show(at(r, "withoutSeconds")))
		}
	}
	if w, ok := lookup(p.Outputs, "monthlyCostUSD.warmPool"); ok {
		fmt.Fprintf(tw, "\n  warm pool\tUSD %s on top: %s stopped EC2 API instances, %s GiB of volumes", show(at(w, "monthlyUSD")),
			show(at(w, "instances")), show(at(w, "volumeGiB")))
		if r, ok := lookup(p.Outputs, "readyCapacity.warmPool"); ok {
			fmt.Fprintf(tw, "; a launch serves in %s s, %s s cold", show(at(r, "withSeconds")), show(at(r, "withoutSeconds")))
		}
	}

	if b, ok := lookup(p.Outputs, "budget"); ok {
		fmt.Fprintf(tw, "\n  budget\tUSD %s a normal month (instances, warm pool, platform), limit %s (+%s %%)", show(at(b, "baselineUSD")),
			show(at(b, "limitUSD")), show(at(b, "marginPercent")))
	}
	if out.Paths != nil {
		// Both paths are the guide's; which serves users is the API host name's DNS record.
		fmt.Fprintf(tw, "\n\npaths\tEKS serves users (point the API's host name at eksApiUrl); EC2 is the standby the guide also specifies (apiUrl)"+
			"\n  one path only\tUSD %s a normal month with EKS alone (openwan:ec2.enabled false), %s with EC2 alone (openwan:cluster.enabled false), %s with both",
			show(out.Paths.EKSOnly), show(out.Paths.EC2Only), show(out.Paths.Both))
	}

	fmt.Fprintln(tw, "\n\noutputs")
	for _, k := range slices.Sorted(maps.Keys(p.Outputs)) {
		switch v := p.Outputs[k].(type) {
		case map[string]any, []any:
			fmt.Fprintf(tw, "  %s\t(an object: synth --json shows it)\n", k)
		default:
			fmt.Fprintf(tw, "  %s\t%s\n", k, show(v))
		}
	}
	mandatory := 0
	for _, v := range violations {
		if v.Level == rules.Mandatory {
			mandatory++
		}
	}
	fmt.Fprintf(tw, "\npolicy: %d rules, %d violations (%d mandatory)\n", len(rules.All()), len(violations), mandatory)
	for _, v := range violations {
		fmt.Fprintf(tw, "  %s [%s]\t%s\n", v.Rule, v.Level, v.Message)
	}
	if len(placeholders) > 0 {
		fmt.Fprintf(tw, "\nplaceholder: replace before deploying (pulumi up refuses them; docs/runbook.md)\n")
		for _, ph := range placeholders {
			fmt.Fprintf(tw, "  %s\n", ph)
		}
	}
	return tw.Flush()
}

// show prints a value the way a preview reader expects: unknowns and secrets by what they are.
func show(v any) string {
	switch v {
	case nil:
		return "-"
	case model.Unknown:
		return "(known after deploy)"
	case model.Secret:
		return "(secret)"
	}
	return fmt.Sprint(v)
}

type group struct {
	name  string
	count int
	types string
}

// groups counts the custom resources under each component (the stack's own at the top), by
// type, the largest count first.
func groups(resources []model.Resource) []group {
	names := map[string]string{}
	for _, r := range resources {
		if !r.Custom {
			names[r.URN] = r.Type + " " + r.Name
		}
	}
	byGroup := map[string]map[string]int{}
	for _, r := range resources {
		if !r.Custom {
			continue
		}
		g, ok := names[r.Parent]
		if !ok {
			g = "(the stack)"
		}
		if byGroup[g] == nil {
			byGroup[g] = map[string]int{}
		}
		byGroup[g][plan.ShortType(r.Type)]++
	}
	var out []group
	for _, g := range slices.Sorted(maps.Keys(byGroup)) {
		counts := byGroup[g]
		types := slices.SortedFunc(maps.Keys(counts), func(a, b string) int {
			if counts[a] != counts[b] {
				return counts[b] - counts[a]
			}
			return strings.Compare(a, b)
		})
		total := 0
		parts := make([]string, len(types))
		for i, t := range types {
			parts[i] = fmt.Sprintf("%s %d", t, counts[t])
			total += counts[t]
		}
		out = append(out, group{g, total, strings.Join(parts, ", ")})
	}
	return out
}

// fleetReasons are the cost output's reasons why a fleet's minimum is above its own.
func fleetReasons(outputs map[string]any) []string {
	fleets, _ := lookupList(outputs, "monthlyCostUSD.fleets")
	var out []string
	for _, f := range fleets {
		if why, ok := at(f, "minReason").(string); ok {
			out = append(out, fmt.Sprintf("%s min: %s", show(at(f, "fleet")), why))
		}
	}
	return out
}

// fleetRows are the cost output's fleets: name, instance type, instance counts, monthly cost.
func fleetRows(outputs map[string]any) [][4]string {
	fleets, _ := lookupList(outputs, "monthlyCostUSD.fleets")
	var out [][4]string
	for _, f := range fleets {
		out = append(out, [4]string{
			show(at(f, "fleet")), show(at(f, "instanceType")),
			fmt.Sprintf("%s / %s / %s", show(at(f, "instances.min")), show(at(f, "instances.baseline")), show(at(f, "instances.max"))),
			fmt.Sprintf("%s / %s / %s", show(at(f, "monthlyUSD.min.total")), show(at(f, "monthlyUSD.baseline.total")), show(at(f, "monthlyUSD.max.total"))),
		})
	}
	return out
}

func at(v any, path string) any {
	out, err := model.Lookup(v, path)
	if err != nil {
		return nil
	}
	return out
}

func lookup(v any, path string) (any, bool) {
	out, err := model.Lookup(v, path)
	return out, err == nil
}

func lookupList(v any, path string) ([]any, bool) {
	out, ok := lookup(v, path)
	list, isList := out.([]any)
	return list, ok && isList
}
