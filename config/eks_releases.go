package config

import (
	"maps"
	"slices"
	"strings"
)

// EKSRelease is what runs on a cluster of one Kubernetes minor version: the cluster-autoscaler
// chart and image of that minor, and the EKS add-on versions AWS publishes for it.
type EKSRelease struct {
	// AutoscalerChart is the cluster-autoscaler chart version whose appVersion is the minor's.
	AutoscalerChart string
	// AutoscalerImage is the cluster-autoscaler image tag of the minor ("v1.MM.P").
	AutoscalerImage string
	// VPCCNI, CoreDNS and KubeProxy are the EKS add-on versions.
	VPCCNI, CoreDNS, KubeProxy string
}

// eksReleases maps a Kubernetes minor version to its release. A minor with no entry needs every
// value set in the stack's config. Sources:
//   - the autoscaler: the newest chart whose Chart.yaml appVersion is the minor, at the
//     cluster-autoscaler-chart-X tags of kubernetes/autoscaler, and that appVersion as the image;
//   - the add-ons: the EKS user guide's version tables ("Manage the Amazon VPC CNI", "Manage
//     CoreDNS", "Manage kube-proxy", late 2025), one era for every row, each listed there for
//     its minor; `aws eks describe-addon-versions --kubernetes-version 1.MM` shows newer builds.
var eksReleases = map[string]EKSRelease{
	"1.32": {
		AutoscalerChart: "9.46.6", AutoscalerImage: "v1.32.0",
		VPCCNI: "v1.20.4-eksbuild.1", CoreDNS: "v1.11.4-eksbuild.24", KubeProxy: "v1.32.9-eksbuild.2",
	},
	"1.33": {
		AutoscalerChart: "9.51.0", AutoscalerImage: "v1.33.0",
		VPCCNI: "v1.20.4-eksbuild.1", CoreDNS: "v1.12.4-eksbuild.1", KubeProxy: "v1.33.5-eksbuild.2",
	},
	"1.34": {
		AutoscalerChart: "9.53.0", AutoscalerImage: "v1.34.2",
		VPCCNI: "v1.20.4-eksbuild.1", CoreDNS: "v1.12.4-eksbuild.1", KubeProxy: "v1.34.1-eksbuild.2",
	},
}

// eksUnsupportedZoneIDs are the zones where EKS cannot create a control plane ("Amazon EKS
// networking requirements", EKS user guide): the default of openwan:network.excludeZoneIds.
var eksUnsupportedZoneIDs = []string{"use1-az3", "usw1-az2", "cac1-az3"}

// EKSUnsupportedZoneIDs returns the zones where EKS cannot create a control plane. A stack on
// the EKS path never uses them, whatever its openwan:network.excludeZoneIds says.
func EKSUnsupportedZoneIDs() []string { return slices.Clone(eksUnsupportedZoneIDs) }

// followRelease fills the versions a stack left empty from the table's entry for its cluster
// version; without an entry they stay empty and validation names them.
func (c *Cluster) followRelease() {
	r, ok := eksReleases[c.Version]
	if !ok {
		return
	}
	fill := func(v *string, from string) {
		if *v == "" {
			*v = from
		}
	}
	fill(&c.ClusterAutoscaler.ChartVersion, r.AutoscalerChart)
	fill(&c.ClusterAutoscaler.ImageTag, r.AutoscalerImage)
	fill(&c.Addons.VPCCNI, r.VPCCNI)
	fill(&c.Addons.CoreDNS, r.CoreDNS)
	fill(&c.Addons.KubeProxy, r.KubeProxy)
}

// pinnedVersion is one version validateRelease checks, by its full key.
type pinnedVersion struct {
	key, value string
	minorBound bool // the value's own minor must be the cluster's
}

// validateRelease checks the versions that must match the cluster's minor: each is set (a
// cluster version outside the table names both keys), and the autoscaler's image and
// kube-proxy are of the cluster's own minor.
func (c Cluster) validateRelease(p *problems, key string) {
	known := slices.Sorted(maps.Keys(eksReleases))
	versions := []pinnedVersion{
		{key + ".addons.vpcCni", c.Addons.VPCCNI, false},
		{key + ".addons.coreDns", c.Addons.CoreDNS, false},
		{key + ".addons.kubeProxy", c.Addons.KubeProxy, true},
	}
	if c.ClusterAutoscaler.Enabled {
		versions = append(versions,
			pinnedVersion{key + ".clusterAutoscaler.chartVersion", c.ClusterAutoscaler.ChartVersion, false},
			pinnedVersion{key + ".clusterAutoscaler.imageTag", c.ClusterAutoscaler.ImageTag, true})
	}
	for _, v := range versions {
		switch {
		case strings.TrimSpace(v.value) == "":
			p.addf(v.key, "must be set: %s:%s.version %q has no entry in the release table (known: %s)",
				Namespace, key, c.Version, strings.Join(known, ", "))
		case v.minorBound && !strings.HasPrefix(v.value, "v"+c.Version+"."):
			p.addf(v.key, "%q is not of the cluster's minor version %s:%s.version %q; use a v%s.x release",
				v.value, Namespace, key, c.Version, c.Version)
		}
	}
}
