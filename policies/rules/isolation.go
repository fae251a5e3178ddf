package rules

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/openwan/openwan-infra/internal/apppolicy"
	"github.com/openwan/openwan-infra/internal/model"
)

// appRoleTag marks the IAM roles the app's own code runs with.
const appRoleTag = apppolicy.RoleTag

var namespaceDefaultDeny = Rule{
	Name:        "namespace-default-deny",
	Description: "Every namespace with scaled workloads has a NetworkPolicy that selects all its pods and admits no ingress.",
	Why:         "Without a default deny, any pod of the cluster reaches every port of the app's pods; each allowed path should be a policy of its own.",
	Level:       Mandatory,
	CheckStack: func(s *Stack, _ Params) []Finding {
		denied := map[string]bool{}
		for _, np := range s.OfType(model.TypeK8sNetworkPolicy) {
			if isDefaultDenyIngress(np) {
				ns, _ := str(np.Inputs, "metadata.namespace")
				denied[ns] = true
			}
		}
		var out []Finding
		seen := map[string]bool{}
		for _, sc := range s.ScaledDeployments() {
			ns, _ := str(sc.Target.Inputs, "metadata.namespace")
			if denied[ns] || seen[ns] {
				continue
			}
			seen[ns] = true
			out = append(out, Finding{URN: sc.Target.URN, Message: fmt.Sprintf(
				"%s: namespace %q has no default-deny ingress NetworkPolicy (podSelector {}, policyTypes [Ingress], no ingress rules); add one and admit each path on purpose",
				label(sc.Target), ns)})
		}
		return out
	},
}

// isDefaultDenyIngress reports whether a NetworkPolicy selects every pod of its namespace and
// admits no ingress.
func isDefaultDenyIngress(np model.Resource) bool {
	if len(object(np.Inputs, "spec.podSelector.matchLabels")) > 0 || len(list(np.Inputs, "spec.podSelector.matchExpressions")) > 0 {
		return false
	}
	if len(list(np.Inputs, "spec.ingress")) > 0 {
		return false
	}
	return slices.Contains(strs(np.Inputs, "spec.policyTypes"), "Ingress")
}

var appRoleLeastPrivilege = Rule{
	Name:        "app-role-least-privilege",
	Description: "No inline policy of an app role (tagged `" + appRoleTag + "`) allows a `*` action, a `service:*` action or the `*` resource.",
	Why:         "The app's roles are what a compromised pod or instance holds: they name the actions and the resources the app uses, and nothing more.",
	Level:       Mandatory,
	CheckStack: func(s *Stack, _ Params) []Finding {
		var out []Finding
		for _, rp := range s.OfType(model.TypeIAMRolePolicy) {
			roles := s.DependedOn(rp, "role", model.TypeIAMRole)
			// Tag keys hold dots, so the tag is read from the map rather than by a dotted path.
			if !slices.ContainsFunc(roles, func(r model.Resource) bool { _, ok := object(r.Inputs, "tags")[appRoleTag]; return ok }) {
				continue
			}
			text, ok := str(rp.Inputs, "policy")
			if !ok || text == model.Unknown {
				continue // computed in a preview: the deploy's policy run judges it
			}
			for _, problem := range wildcards(text) {
				out = append(out, Finding{URN: rp.URN, Message: fmt.Sprintf("%s: %s; name the actions and resources the app uses", label(rp), problem)})
			}
		}
		return out
	},
}

// wildcards lists the "Allow" statements' wildcard actions and resources of a policy document.
func wildcards(text string) []string {
	var doc struct {
		Statement []struct {
			Effect   string
			Action   any
			Resource any
		}
	}
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		return []string{fmt.Sprintf("policy is not a JSON policy document (%v)", err)}
	}
	var out []string
	for i, st := range doc.Statement {
		if st.Effect != "Allow" {
			continue
		}
		for _, a := range oneOrMany(st.Action) {
			if a == "*" || strings.HasSuffix(a, ":*") {
				out = append(out, fmt.Sprintf("statement %d allows action %q", i, a))
			}
		}
		for _, r := range oneOrMany(st.Resource) {
			if r == "*" {
				out = append(out, fmt.Sprintf("statement %d allows resource \"*\"", i))
			}
		}
	}
	return out
}

// oneOrMany reads an IAM field that is a string or a list of strings.
func oneOrMany(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, item := range v {
			if s, ok := item.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
