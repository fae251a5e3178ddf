// Package plan runs the Pulumi program on recording mocks: no engine, no cloud, no credentials.
// It records every resource the program declares with its plain inputs, so tests and the
// offline plan (cmd/synth) inspect the very same run.
package plan

import (
	"fmt"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/openwan/openwan-infra/internal/model"
	"github.com/openwan/openwan-infra/internal/plain"
)

// recorder implements pulumi.MockResourceMonitor: it records each resource and answers with its
// inputs plus the outputs a provider would add (ids, ARNs, a kubeconfig).
type recorder struct {
	project, stack string
	// dryRun answers as a preview does for a resource to create: its inputs as they are, and
	// every value only the provider computes (the id, ARNs, endpoints, a kubeconfig) unknown.
	dryRun bool

	mu        sync.Mutex
	resources []model.Resource
}

var _ pulumi.MockResourceMonitor = (*recorder)(nil)

// zones is what the mocked region answers to getAvailabilityZones: us-east-1's six zones, names
// mapped to IDs as in one real account (the mapping differs per account; the IDs do not), so a
// stack's excludeZoneIds default (use1-az3) takes one of them out.
var zones = []struct{ name, id string }{
	{"us-east-1a", "use1-az4"}, {"us-east-1b", "use1-az6"}, {"us-east-1c", "use1-az1"},
	{"us-east-1d", "use1-az2"}, {"us-east-1e", "use1-az3"}, {"us-east-1f", "use1-az5"},
}

// availabilityZones answers getAvailabilityZones as the provider does, honouring excludeZoneIds.
func availabilityZones(args resource.PropertyMap) resource.PropertyMap {
	excluded := map[string]bool{}
	if ex := args["excludeZoneIds"]; ex.IsArray() {
		for _, v := range ex.ArrayValue() {
			excluded[v.StringValue()] = true
		}
	}
	names, ids := []any{}, []any{}
	for _, z := range zones {
		if !excluded[z.id] {
			names, ids = append(names, z.name), append(ids, z.id)
		}
	}
	return resource.NewPropertyMapFromMap(map[string]any{"names": names, "zoneIds": ids})
}

func (r *recorder) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	inputs := args.Inputs
	if rpc := args.RegisterRPC; rpc != nil {
		// The SDK's mock monitor drops unknown inputs (sdk/go/pulumi/mocks.go unmarshals them
		// without KeepUnknowns); a preview sends them, so read them from the request itself: a
		// rule must see "unknown", not "unset".
		all, err := plugin.UnmarshalProperties(rpc.GetObject(), plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, KeepResources: true})
		if err != nil {
			return "", nil, fmt.Errorf("plan mocks: %s %s: inputs: %w", args.TypeToken, args.Name, err)
		}
		inputs = all
	}
	rec := model.Resource{Type: args.TypeToken, Name: args.Name, Custom: args.Custom, Inputs: plain.Inputs(inputs)}
	if rpc := args.RegisterRPC; rpc != nil {
		rec.Parent = rpc.GetParent()
		rec.IgnoreChanges = rpc.GetIgnoreChanges()
		rec.Dependencies = rpc.GetDependencies()
		for key, deps := range rpc.GetPropertyDependencies() {
			if urns := deps.GetUrns(); len(urns) > 0 {
				if rec.PropertyDependencies == nil {
					rec.PropertyDependencies = map[string][]string{}
				}
				rec.PropertyDependencies[key] = urns
			}
		}
	}
	rec.URN = r.urn(rec.Parent, args.TypeToken, args.Name)
	r.mu.Lock()
	r.resources = append(r.resources, rec)
	r.mu.Unlock()

	if r.dryRun {
		// An empty id and no output beyond the inputs: the SDK resolves both as unknown.
		return "", inputs.Copy(), nil
	}
	id := args.Name + "-id"
	state := args.Inputs.Copy()
	if strings.HasPrefix(args.TypeToken, "aws:") {
		state["arn"] = resource.NewProperty("arn:aws:mock:us-east-1:123456789012:" + args.Name)
		state["name"] = orDefault(state["name"], args.Name)
		state["arnSuffix"] = resource.NewProperty("app/" + args.Name + "/0123456789")
	}
	switch args.TypeToken {
	case model.TypePulumiEKSCluster:
		state["kubeconfigJson"] = resource.NewProperty(`{"apiVersion":"v1","kind":"Config","clusters":[]}`)
	case model.TypeEC2LaunchTemplate:
		state["latestVersion"] = resource.NewProperty(1.0)
	case model.TypeLBLoadBalancer:
		state["dnsName"] = resource.NewProperty(args.Name + ".us-east-1.elb.amazonaws.com")
	case model.TypeSNSTopic:
		state["arn"] = resource.NewProperty("arn:aws:sns:us-east-1:123456789012:" + args.Name)
	}
	return id, state, nil
}

func (r *recorder) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	switch args.Token {
	case "aws:index/getAvailabilityZones:getAvailabilityZones":
		return availabilityZones(args.Args), nil
	case "aws:lb/getLoadBalancer:getLoadBalancer":
		// The ALB the load balancer controller made for an Ingress, found by its tags.
		return resource.NewPropertyMapFromMap(map[string]any{
			"arn":       "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/k8s-openwan-openwanap/0123456789abcdef",
			"arnSuffix": "app/k8s-openwan-openwanap/0123456789abcdef",
			"dnsName":   "k8s-openwan-openwanap-0123456789.us-east-1.elb.amazonaws.com",
		}), nil
	case "aws:ec2/getSubnet:getSubnet":
		// A given subnet's block: a /24 of 10.99.0.0/16 picked by its id, the same on every run.
		id, sum := args.Args["id"].StringValue(), 0
		for _, b := range []byte(id) {
			sum += int(b)
		}
		return resource.NewPropertyMapFromMap(map[string]any{"id": id, "cidrBlock": fmt.Sprintf("10.99.%d.0/24", sum%256)}), nil
	case "aws:eks/getCluster:getCluster":
		return resource.NewPropertyMapFromMap(map[string]any{
			"name": args.Args["name"].StringValue(),
			"identities": []any{map[string]any{
				"oidcs": []any{map[string]any{"issuer": "https://oidc.eks.us-east-1.amazonaws.com/id/MOCK"}},
			}},
		}), nil
	case "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider":
		return resource.NewPropertyMapFromMap(map[string]any{
			"arn": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/MOCK",
		}), nil
	case "aws:index/getCallerIdentity:getCallerIdentity":
		return resource.NewPropertyMapFromMap(map[string]any{"accountId": "123456789012"}), nil
	case "aws:index/getRegion:getRegion":
		return resource.NewPropertyMapFromMap(map[string]any{"name": "us-east-1"}), nil
	case "aws:index/getPartition:getPartition":
		return resource.NewPropertyMapFromMap(map[string]any{"partition": "aws"}), nil
	}
	return nil, fmt.Errorf("plan mocks: no answer for invoke %s", args.Token)
}

// urn computes a resource's URN the way the engine does: the parent's qualified type before the
// resource's own.
func (r *recorder) urn(parent, typ, name string) string {
	parentType := tokens.Type("")
	if p := resource.URN(parent); p != "" && p.QualifiedType() != resource.RootStackType {
		parentType = p.QualifiedType()
	}
	return string(resource.NewURN(tokens.QName(r.stack), tokens.PackageName(r.project), parentType, tokens.Type(typ), name))
}

func orDefault(v resource.PropertyValue, def string) resource.PropertyValue {
	if v.IsString() && v.StringValue() != "" {
		return v
	}
	return resource.NewProperty(def)
}
