package cluster

import (
	"fmt"
	"maps"
	"slices"

	awseks "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Names of the EKS managed add-ons the cluster runs.
const (
	AddonVPCCNI    = "vpc-cni"
	AddonCoreDNS   = "coredns"
	AddonKubeProxy = "kube-proxy"
)

// vpcCNIConfiguration turns on the VPC CNI's network policy agent, without which EKS accepts
// NetworkPolicy objects and enforces none of them.
const vpcCNIConfiguration = `{"enableNetworkPolicy":"true"}`

// AddonVersions pins the EKS managed add-ons, each an "vX.Y.Z-eksbuild.N" version that EKS
// publishes for the cluster's Kubernetes minor version.
type AddonVersions struct {
	// VPCCNI is the vpc-cni add-on's version (1.14 or later enforces network policies).
	VPCCNI string
	// CoreDNS is the coredns add-on's version.
	CoreDNS string
	// KubeProxy is the kube-proxy add-on's version; its minor must be the cluster's.
	KubeProxy string
}

func (v AddonVersions) validate(field string) []error {
	var errs []error
	for _, a := range v.list() {
		if a.version == "" {
			errs = append(errs, fmt.Errorf("%s.%s: must not be empty: EKS would install its default, which moves", field, a.field))
		}
	}
	return errs
}

type addonVersion struct{ name, field, version, configuration string }

func (v AddonVersions) list() []addonVersion {
	return []addonVersion{
		{AddonVPCCNI, "VPCCNI", v.VPCCNI, vpcCNIConfiguration},
		{AddonCoreDNS, "CoreDNS", v.CoreDNS, ""},
		{AddonKubeProxy, "KubeProxy", v.KubeProxy, ""},
	}
}

// addonResources are the add-ons as resources, in name order.
func addonResources(addons map[string]*awseks.Addon) []pulumi.Resource {
	var out []pulumi.Resource
	for _, name := range slices.Sorted(maps.Keys(addons)) {
		out = append(out, addons[name])
	}
	return out
}

// newAddons declares the add-ons. EKS installs vpc-cni, coredns and kube-proxy itself on a new
// cluster; an add-on resource adopts them (OVERWRITE on create), and keeps owning their
// configuration afterwards (OVERWRITE on update), so that this program, not a console edit, says
// what runs. They wait for the nodes: CoreDNS only becomes active once it has a node to run on.
func newAddons(ctx *pulumi.Context, name string, clusterName pulumi.StringInput, v AddonVersions, opts ...pulumi.ResourceOption) (map[string]*awseks.Addon, error) {
	addons := map[string]*awseks.Addon{}
	for _, a := range v.list() {
		args := &awseks.AddonArgs{
			ClusterName:              clusterName,
			AddonName:                pulumi.String(a.name),
			AddonVersion:             pulumi.String(a.version),
			ResolveConflictsOnCreate: pulumi.String("OVERWRITE"),
			ResolveConflictsOnUpdate: pulumi.String("OVERWRITE"),
		}
		if a.configuration != "" {
			args.ConfigurationValues = pulumi.String(a.configuration)
		}
		addon, err := awseks.NewAddon(ctx, name+"-"+a.name, args, opts...)
		if err != nil {
			return nil, fmt.Errorf("add-on %s: %w", a.name, err)
		}
		addons[a.name] = addon
	}
	return addons, nil
}
