package stacks

import (
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/openwan/openwan-infra/config"
)

// deployOnExistingCluster declares the Kubernetes half onto a cluster that already runs, given
// by a kubeconfig context: metrics-server, KEDA where enabled, and the services. Nothing
// AWS-only (no cluster, node pools or cluster-autoscaler) and no node selectors: the cluster's
// nodes are not this stack's.
func deployOnExistingCluster(ctx *pulumi.Context, cfg config.Config, outputs pulumi.Map) error {
	args := &kubernetes.ProviderArgs{}
	if c := cfg.Cluster.Existing.Context; c != "" {
		args.Context = pulumi.String(c)
	}
	provider, err := kubernetes.NewProvider(ctx, "existing-cluster", args)
	if err != nil {
		return err
	}
	opts := []pulumi.ResourceOption{pulumi.Provider(provider)}
	if err := deployMetricsServer(ctx, cfg.Cluster.MetricsServer, nil, opts); err != nil {
		return err
	}
	keda, err := deployKEDA(ctx, cfg.Cluster.KEDA, nil, opts)
	if err != nil {
		return err
	}
	outputs["kubeContext"] = pulumi.String(cfg.Cluster.Existing.Context)
	return deployServices(ctx, cfg, appServices(cfg), servicesTarget{
		opts: opts, keda: keda, apiSources: pulumi.ToStringArray(cfg.Cluster.Existing.APISourceCIDRs),
	}, outputs)
}
