package plan

//go:generate go run ./treegen

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/openwan/openwan-infra/internal/configdoc"
	"github.com/openwan/openwan-infra/internal/model"
)

// The component tree of the docs: prod's plan, drawn in the generated block TreeBlock of TreeDoc.
const (
	TreeDoc   = "docs/components.md"
	TreeBlock = "component-tree"
	TreeStack = "prod"
)

// TreeBlockText is the generated block of the docs' component tree: a fenced Tree of p.
func TreeBlockText(p *Plan) string {
	return configdoc.BlockText(TreeBlock, "```\n"+p.Tree()+"```\n")
}

// Tree draws the plan's components as they nest (each as "type name"), each with the resources
// it declares itself counted by type, the most first: the component tree of docs/components.md,
// drawn from what the program declares rather than by hand.
func (p *Plan) Tree() string {
	children := map[string][]model.Resource{} // components by parent URN ("" for the stack)
	counts := map[string]map[string]int{}     // a parent's custom resources by short type
	for _, r := range p.Resources {
		parent := r.Parent
		if _, ok := p.ByURN(parent); !ok {
			parent = "" // the stack itself
		}
		if r.Custom {
			if counts[parent] == nil {
				counts[parent] = map[string]int{}
			}
			counts[parent][ShortType(r.Type)]++
			continue
		}
		children[parent] = append(children[parent], r)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "stack %s%s\n", p.Stack, countText(counts[""]))
	var draw func(parent, indent string)
	draw = func(parent, indent string) {
		kids := children[parent]
		slices.SortFunc(kids, func(a, b model.Resource) int {
			return strings.Compare(a.Type+" "+a.Name, b.Type+" "+b.Name)
		})
		for i, c := range kids {
			branch, next := "├─ ", "│  "
			if i == len(kids)-1 {
				branch, next = "└─ ", "   "
			}
			fmt.Fprintf(&b, "%s%s%s %s%s\n", indent, branch, c.Type, c.Name, countText(counts[c.URN]))
			draw(c.URN, indent+next)
		}
	}
	draw("", "")
	return b.String()
}

// countText is ": Type n, ..." of a component's own resources, the largest count first.
func countText(counts map[string]int) string {
	if len(counts) == 0 {
		return ""
	}
	types := slices.SortedFunc(maps.Keys(counts), func(a, b string) int {
		if counts[a] != counts[b] {
			return counts[b] - counts[a]
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(types))
	for i, t := range types {
		parts[i] = fmt.Sprintf("%s %d", t, counts[t])
	}
	return ": " + strings.Join(parts, ", ")
}

// ShortType is a type token's last part: "aws:ec2/subnet:Subnet" is "Subnet", and a provider
// "pulumi:providers:kubernetes" is "Provider(kubernetes)".
func ShortType(t string) string {
	if p, ok := strings.CutPrefix(t, "pulumi:providers:"); ok {
		return "Provider(" + p + ")"
	}
	return t[strings.LastIndex(t, ":")+1:]
}
