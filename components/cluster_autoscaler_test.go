package components_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/components/cluster"
	"github.com/openwan/openwan-infra/components/kube"
	"github.com/openwan/openwan-infra/internal/componenttest"
	"github.com/openwan/openwan-infra/internal/model"
)

func clusterValidAutoscalerArgs() *cluster.ClusterAutoscalerArgs {
	return &cluster.ClusterAutoscalerArgs{
		ClusterName: pulumi.String("openwan-test"),
		OIDCIssuer:  pulumi.String("https://oidc.eks.us-east-1.amazonaws.com/id/TEST"),
		OIDCArn:     pulumi.String("arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/TEST"),
		Chart: kube.Chart{ChartVersion: "9.51.0", Requests: kube.Resources{CPUMillis: 150, MemoryMiB: 300},
			NodeSelector: map[string]string{cluster.PoolLabel: "api"}},
		Region: "eu-west-1", ImageTag: "v1.33.0",
		MaxGracefulTerminationSeconds: 1800,
		ScaleDownUnneededSeconds:      420,
	}
}

func TestClusterAutoscalerArgsRefusals(t *testing.T) {
	componenttest.Refusals(t, clusterValidAutoscalerArgs, componenttest.Validator(cluster.NewClusterAutoscaler, "ca"), []componenttest.Refusal[cluster.ClusterAutoscalerArgs]{
		{Name: "no OIDC provider", Change: func(a *cluster.ClusterAutoscalerArgs) { a.OIDCArn = nil }, Fields: []string{"OIDCArn"}},
		{Name: "unpinned chart", Change: func(a *cluster.ClusterAutoscalerArgs) { a.ChartVersion = "" }, Fields: []string{"ChartVersion"}},
		{Name: "image tag that is not a release", Change: func(a *cluster.ClusterAutoscalerArgs) { a.ImageTag = "latest" }, Fields: []string{"ImageTag"}},
		{Name: "no graceful termination", Change: func(a *cluster.ClusterAutoscalerArgs) { a.MaxGracefulTerminationSeconds = 0 },
			Fields: []string{"MaxGracefulTerminationSeconds"}},
		{Name: "no requests", Change: func(a *cluster.ClusterAutoscalerArgs) { a.Requests = kube.Resources{} },
			Fields: []string{"Requests.CPUMillis", "Requests.MemoryMiB"}},
		{Name: "several fields at once", Change: func(a *cluster.ClusterAutoscalerArgs) {
			a.ClusterName, a.Region, a.ScaleDownUnneededSeconds = nil, "", 0
		},
			Fields: []string{"ClusterName", "Region", "ScaleDownUnneededSeconds"}},
	})
}

func TestClusterAutoscalerRefusedDeclaresNothing(t *testing.T) {
	componenttest.DeclareRefused(t, cluster.NewClusterAutoscaler, "ca", &cluster.ClusterAutoscalerArgs{Chart: kube.Chart{ChartVersion: "9.51.0"}})
}

func TestClusterAutoscalerDeclares(t *testing.T) {
	args := clusterValidAutoscalerArgs()
	p := componenttest.Declare(t, cluster.NewClusterAutoscaler, "ca", args)
	value := func(path string) any { return componenttest.Input(t, p, releaseType, "ca-release", "values."+path) }
	assert.Equal(t, "openwan-test", value("autoDiscovery.clusterName"), "node groups are discovered by the cluster's name")
	assert.Equal(t, args.Region, value("awsRegion"), "Region")
	assert.Equal(t, fmt.Sprintf("%ds", args.ScaleDownUnneededSeconds), value("extraArgs.scale-down-unneeded-time"), "ScaleDownUnneededSeconds as a duration")
	assert.Equal(t, fmt.Sprintf("%dm", args.Requests.CPUMillis), value("resources.requests.cpu"), "Requests.CPUMillis")
	assert.Equal(t, fmt.Sprintf("%dMi", args.Requests.MemoryMiB), value("resources.requests.memory"), "Requests.MemoryMiB")
	assert.Equal(t, map[string]any{cluster.PoolLabel: "api"}, value("nodeSelector"), "on the on-demand pool, never on spot")
	assert.Equal(t, args.ChartVersion, componenttest.Input(t, p, releaseType, "ca-release", "version"), "the pinned chart")
	assert.Equal(t, args.ImageTag, value("image.tag"), "the image of the cluster's minor, whatever the chart's default")
	assert.Equal(t, "1800", value("extraArgs.max-graceful-termination-sec"),
		"an evicted pod gets its whole grace period, not the default 600 s")

	// Resizing is allowed only in node groups tagged with this cluster's name.
	text, ok := componenttest.Input(t, p, model.TypeIAMRolePolicy, "ca-irsa", "policy").(string)
	require.True(t, ok, "the role policy is a JSON document")
	var policy struct {
		Statement []struct {
			Action    any
			Condition map[string]map[string]string
		}
	}
	require.NoError(t, json.Unmarshal([]byte(text), &policy), "the role policy is valid JSON")
	require.Len(t, policy.Statement, 2, "one statement to describe, one to resize")
	assert.Equal(t, "openwan-test", policy.Statement[1].Condition["StringEquals"]["aws:ResourceTag/eks:cluster-name"],
		"resize and terminate only in this cluster's node groups")
}
