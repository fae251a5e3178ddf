package awsmodel

import (
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/openwan/openwan-infra/internal/model"
)

// iamPrefixModels are the IAM service prefixes whose API model has another name.
var iamPrefixModels = map[string][]string{
	"cloudwatch":           {"monitoring"},
	"elasticloadbalancing": {"elasticloadbalancingv2", "elasticloadbalancing"},
	"tag":                  {"resourcegroupstaggingapi"},
}

// iamOnlyActions are actions IAM knows that name no API operation: permissions checked inside
// other operations, each as AWS's Service Authorization Reference lists it.
var iamOnlyActions = []string{
	"iam:PassRole",        // checked when a service is handed a role
	"s3:ListBucket",       // the permission of ListObjects and ListObjectsV2
	"s3:GetObjectVersion", // GetObject with a versionId
	// The AWS Load Balancer Controller's policy: "SetWebAcl" is checked when an ALB is
	// associated with a WAF Classic web ACL (Elastic Load Balancing V2's actions in the Service
	// Authorization Reference).
	"elasticloadbalancing:SetWebAcl",
}

// newerThanModels are API operations AWS added after the pinned SDK's models froze (aws-sdk-go v1
// entered maintenance on 31 July 2024 and took no new APIs after it), each with what it is; the
// AWS Load Balancer Controller's policy at its pinned version grants them. They are the only
// actions not judged against a model.
var newerThanModels = map[string]string{
	"elasticloadbalancing:DescribeListenerAttributes":  "listener attributes (ELB API, 2024)",
	"elasticloadbalancing:ModifyListenerAttributes":    "listener attributes (ELB API, 2024)",
	"elasticloadbalancing:DescribeCapacityReservation": "load balancer capacity unit reservation (ELB API, November 2024)",
	"elasticloadbalancing:ModifyCapacityReservation":   "load balancer capacity unit reservation (ELB API, November 2024)",
	"elasticloadbalancing:ModifyIpPools":               "IPAM pools for load balancers (ELB API, 2025)",
}

// PolicyDocuments are the IAM policy documents a resource carries, by input.
func PolicyDocuments(r model.Resource) map[string]string {
	out := map[string]string{}
	for _, key := range []string{"policy", "assumeRolePolicy"} {
		if doc, ok := r.Inputs[key].(string); ok && strings.HasPrefix(strings.TrimSpace(doc), "{") {
			out[key] = doc
		}
	}
	return out
}

// CheckActions judges every action of a policy document: each names an operation of its
// service's API model (a wildcard at least one), or is one of iamOnlyActions.
func CheckActions(doc string) ([]string, error) {
	var policy struct {
		Statement []struct {
			Action    any
			NotAction any
		}
	}
	if err := json.Unmarshal([]byte(doc), &policy); err != nil {
		return nil, fmt.Errorf("policy document: %w", err)
	}
	var out []string
	for _, st := range policy.Statement {
		for _, action := range append(asStrings(st.Action), asStrings(st.NotAction)...) {
			if msg := checkAction(action); msg != "" {
				out = append(out, msg)
			}
		}
	}
	return out, nil
}

func asStrings(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func checkAction(action string) string {
	if _, newer := newerThanModels[action]; action == "*" || newer || slices.Contains(iamOnlyActions, action) {
		return ""
	}
	prefix, name, ok := strings.Cut(action, ":")
	if !ok {
		return fmt.Sprintf("action %q is not service:Action", action)
	}
	names := iamPrefixModels[prefix]
	if names == nil {
		names = []string{prefix}
	}
	var known []string
	for _, n := range names {
		svc, err := LoadService(n)
		if err != nil {
			continue
		}
		for op := range svc.Operations {
			if matched, _ := path.Match(name, op); matched {
				return ""
			}
			known = append(known, op)
		}
	}
	if known == nil {
		return fmt.Sprintf("action %q: no API model for service prefix %s", action, prefix)
	}
	return fmt.Sprintf("action %q names no operation of %s (%s); close: %s", action, prefix, strings.Join(names, ", "), strings.Join(closest(name, known), ", "))
}

// closest are the operations that share the longest prefix with name, for the message.
func closest(name string, ops []string) []string {
	best, bestLen := []string{}, 0
	for _, op := range ops {
		n := 0
		for n < len(op) && n < len(name) && strings.EqualFold(op[:n+1], name[:n+1]) {
			n++
		}
		switch {
		case n > bestLen:
			best, bestLen = []string{op}, n
		case n == bestLen && len(best) < 5:
			best = append(best, op)
		}
	}
	slices.Sort(best)
	return best
}
