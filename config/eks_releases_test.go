package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReleaseTableIsConsistent: each entry's autoscaler and kube-proxy are of its own minor, and
// every version is set, so a stack on a listed version never needs one of its own.
func TestReleaseTableIsConsistent(t *testing.T) {
	require.NotEmpty(t, eksReleases)
	require.Contains(t, eksReleases, Defaults().Cluster.Version, "the default cluster version has an entry")
	for minor, r := range eksReleases {
		c := valid().Cluster
		c.Version = minor
		c.ClusterAutoscaler.ChartVersion, c.ClusterAutoscaler.ImageTag = "", ""
		c.Addons = Addons{}
		c.followRelease()
		var p problems
		c.validateRelease(&p, "cluster")
		assert.Empty(t, p.errs, "entry %s", minor)
		assert.Equal(t, r.AutoscalerImage, c.ClusterAutoscaler.ImageTag, "entry %s fills the image", minor)
	}
}

func TestReleaseFollowsTheClusterVersion(t *testing.T) {
	cfg, err := Parse(map[string]string{
		"cluster": `{"publicAccessCidrs": ["203.0.113.0/24"]}`,
		"app":     `{"redisAddress": "r:6379", "s3Bucket": "b"}`,
		"api":     `{"image": "a:1"}`, "worker": `{"image": "w:1"}`,
		"ec2":      `{"worker": {"queue": {"dimensions": {"Queue": "q"}}}}`,
		"capacity": `{"database": {"maxConnections": 2000}}`,
	})
	require.NoError(t, err)
	r := eksReleases[cfg.Cluster.Version]
	assert.Equal(t, r.AutoscalerChart, cfg.Cluster.ClusterAutoscaler.ChartVersion)
	assert.Equal(t, r.AutoscalerImage, cfg.Cluster.ClusterAutoscaler.ImageTag)
	assert.Equal(t, Addons{VPCCNI: r.VPCCNI, CoreDNS: r.CoreDNS, KubeProxy: r.KubeProxy}, cfg.Cluster.Addons)
}

func TestReleaseRefusals(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Cluster)
		want   []string
	}{
		{"a version the table does not know, nothing set", func(c *Cluster) {
			c.Version = "1.40"
			c.ClusterAutoscaler.ChartVersion, c.ClusterAutoscaler.ImageTag = "", ""
			c.Addons = Addons{}
		}, []string{
			`openwan:cluster.addons.vpcCni: must be set: openwan:cluster.version "1.40" has no entry in the release table (known: 1.32, 1.33, 1.34)`,
			`openwan:cluster.addons.coreDns: must be set: openwan:cluster.version "1.40" has no entry in the release table (known: 1.32, 1.33, 1.34)`,
			`openwan:cluster.addons.kubeProxy: must be set: openwan:cluster.version "1.40" has no entry in the release table (known: 1.32, 1.33, 1.34)`,
			`openwan:cluster.clusterAutoscaler.chartVersion: must be set: openwan:cluster.version "1.40" has no entry in the release table (known: 1.32, 1.33, 1.34)`,
			`openwan:cluster.clusterAutoscaler.imageTag: must be set: openwan:cluster.version "1.40" has no entry in the release table (known: 1.32, 1.33, 1.34)`,
		}},
		{"an autoscaler of another minor", func(c *Cluster) { c.ClusterAutoscaler.ImageTag = "v1.32.0" }, []string{
			`openwan:cluster.clusterAutoscaler.imageTag: "v1.32.0" is not of the cluster's minor version openwan:cluster.version "1.33"; use a v1.33.x release`,
		}},
		{"a kube-proxy of another minor", func(c *Cluster) { c.Addons.KubeProxy = "v1.34.0-eksbuild.1" }, []string{
			`openwan:cluster.addons.kubeProxy: "v1.34.0-eksbuild.1" is not of the cluster's minor version openwan:cluster.version "1.33"; use a v1.33.x release`,
		}},
		{"no autoscaler, no autoscaler versions needed", func(c *Cluster) {
			c.Version = "1.40"
			c.ClusterAutoscaler.Enabled, c.Headroom.APIPods = false, 0 // headroom needs the autoscaler
			c.ClusterAutoscaler.ChartVersion, c.ClusterAutoscaler.ImageTag = "", ""
			c.Addons = Addons{VPCCNI: "v1.21.0-eksbuild.1", CoreDNS: "v1.13.1-eksbuild.1", KubeProxy: "v1.40.0-eksbuild.1"}
		}, nil},
		{"a version the table does not know, everything set", func(c *Cluster) {
			c.Version = "1.40"
			c.ClusterAutoscaler.ChartVersion, c.ClusterAutoscaler.ImageTag = "9.60.0", "v1.40.0"
			c.Addons = Addons{VPCCNI: "v1.21.0-eksbuild.1", CoreDNS: "v1.13.1-eksbuild.1", KubeProxy: "v1.40.0-eksbuild.1"}
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			tt.change(&c.Cluster)
			assert.Equal(t, tt.want, problemsOf(c.Validate()))
		})
	}
}
