package kube

import (
	"errors"
	"fmt"
	"maps"

	helmv3 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// MetricsServerChartRepo is where the metrics-server chart is published.
const MetricsServerChartRepo = "https://kubernetes-sigs.github.io/metrics-server/"

// MetricsServer is metrics-server installed from its Helm chart, or declared object by object
// where the chart repository cannot be reached. Every HPA reads the resource metrics API it
// serves, so it runs with several replicas and a PodDisruptionBudget.
type MetricsServer struct {
	pulumi.ResourceState

	// Release is the Helm release (nil with Manifests).
	Release *helmv3.Release
}

// MetricsServerArgs describe the metrics-server release.
type MetricsServerArgs struct {
	// Chart pins the metrics-server chart; its Requests and NodeSelector are each replica's
	// (with Manifests too, which install no chart).
	Chart
	// Replicas of metrics-server (pods, 1 or more; 2 for HA).
	Replicas int
	// Manifests declares the chart's objects here instead of installing the chart (no chart
	// repository needed); Image is then the metrics-server image.
	Manifests bool
	Image     string
}

func (a *MetricsServerArgs) validate() error {
	if a == nil {
		return errors.New("args are required")
	}
	errs := a.Chart.Validate("")
	if a.Replicas < 1 {
		errs = append(errs, fmt.Errorf("Replicas: %d is below 1", a.Replicas))
	}
	if a.Manifests && a.Image == "" {
		errs = append(errs, errors.New("Image: must not be empty with Manifests"))
	}
	return errors.Join(errs...)
}

// NewMetricsServer declares the metrics-server Helm release in kube-system with the given
// replicas, a PDB (minAvailable 1) when there are two or more, and pod anti-affinity by node.
func NewMetricsServer(ctx *pulumi.Context, name string, args *MetricsServerArgs, opts ...pulumi.ResourceOption) (*MetricsServer, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("metrics server %s: %w", name, err)
	}
	ms := &MetricsServer{}
	if err := ctx.RegisterComponentResource("openwan:k8s:MetricsServer", name, ms, opts...); err != nil {
		return nil, err
	}
	if args.Manifests {
		if err := declareMetricsServer(ctx, name, args, pulumi.Parent(ms)); err != nil {
			return nil, fmt.Errorf("metrics server %s: %w", name, err)
		}
		if err := ctx.RegisterResourceOutputs(ms, pulumi.Map{}); err != nil {
			return nil, err
		}
		return ms, nil
	}
	values := args.PodValues()
	maps.Copy(values, pulumi.Map{
		"replicas": pulumi.Int(args.Replicas),
		"podDisruptionBudget": pulumi.Map{
			"enabled":      pulumi.Bool(args.Replicas > 1),
			"minAvailable": pulumi.Int(1),
		},
		"affinity": pulumi.Map{"podAntiAffinity": pulumi.Map{
			"preferredDuringSchedulingIgnoredDuringExecution": pulumi.Array{pulumi.Map{
				"weight": pulumi.Int(100),
				"podAffinityTerm": pulumi.Map{
					"topologyKey":   pulumi.String("kubernetes.io/hostname"),
					"labelSelector": pulumi.Map{"matchLabels": pulumi.StringMap{"app.kubernetes.io/name": pulumi.String("metrics-server")}},
				},
			}},
		}},
	})
	var err error
	ms.Release, err = helmv3.NewRelease(ctx, name+"-release", &helmv3.ReleaseArgs{
		Chart:          pulumi.String("metrics-server"),
		Version:        pulumi.String(args.ChartVersion),
		Namespace:      pulumi.String("kube-system"),
		RepositoryOpts: &helmv3.RepositoryOptsArgs{Repo: pulumi.String(MetricsServerChartRepo)},
		Values:         values,
		Atomic:         pulumi.Bool(true),
	}, pulumi.Parent(ms))
	if err != nil {
		return nil, fmt.Errorf("metrics server %s: %w", name, err)
	}
	if err := ctx.RegisterResourceOutputs(ms, pulumi.Map{"releaseStatus": ms.Release.Status.Status()}); err != nil {
		return nil, err
	}
	return ms, nil
}
