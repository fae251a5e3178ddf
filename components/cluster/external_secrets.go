package cluster

import (
	"errors"
	"fmt"

	helmv3 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/openwan/openwan-infra/components/kube"
)

// Where the External Secrets Operator's chart is published and the namespace it runs in.
const (
	ExternalSecretsChartRepo = "https://charts.external-secrets.io"
	externalSecretsNamespace = "external-secrets"
)

// ExternalSecretsOperator is the External Secrets Operator from its Helm chart, with its CRDs.
// It holds no AWS credentials of its own: each SecretStore names the ServiceAccount whose IRSA
// role it reads with (kube.AppSecret).
type ExternalSecretsOperator struct {
	pulumi.ResourceState

	// Release is the Helm release; custom resources of its kinds wait for it (CRDs, webhook).
	Release *helmv3.Release
}

// ExternalSecretsOperatorArgs describe the release.
type ExternalSecretsOperatorArgs struct {
	// Chart pins the external-secrets chart; its Requests and NodeSelector are each of the
	// three pods' (operator, webhook, cert controller).
	kube.Chart
}

func (a *ExternalSecretsOperatorArgs) validate() error {
	if a == nil {
		return errors.New("args are required")
	}
	return errors.Join(a.Chart.Validate("")...)
}

// NewExternalSecretsOperator declares the release in its own namespace.
func NewExternalSecretsOperator(ctx *pulumi.Context, name string, args *ExternalSecretsOperatorArgs, opts ...pulumi.ResourceOption) (*ExternalSecretsOperator, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("external secrets operator %s: %w", name, err)
	}
	o := &ExternalSecretsOperator{}
	if err := ctx.RegisterComponentResource("openwan:eks:ExternalSecretsOperator", name, o, opts...); err != nil {
		return nil, err
	}
	pod := args.PodValues()
	values := pulumi.Map{"installCRDs": pulumi.Bool(true), "webhook": pod, "certController": pod}
	for k, v := range pod {
		values[k] = v
	}
	var err error
	o.Release, err = helmv3.NewRelease(ctx, name+"-release", &helmv3.ReleaseArgs{
		Chart:           pulumi.String("external-secrets"),
		Version:         pulumi.String(args.ChartVersion),
		Namespace:       pulumi.String(externalSecretsNamespace),
		CreateNamespace: pulumi.Bool(true),
		RepositoryOpts:  &helmv3.RepositoryOptsArgs{Repo: pulumi.String(ExternalSecretsChartRepo)},
		Atomic:          pulumi.Bool(true),
		Values:          values,
	}, pulumi.Parent(o))
	if err != nil {
		return nil, fmt.Errorf("external secrets operator %s: %w", name, err)
	}
	if err := ctx.RegisterResourceOutputs(o, pulumi.Map{}); err != nil {
		return nil, err
	}
	return o, nil
}
