package kube

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// externalSecretsAPI is the External Secrets Operator's API version (v1 since 0.16; v1beta1 is
// no longer served by default since 0.17).
const externalSecretsAPI = "external-secrets.io/v1"

// AppSecret materialises the app's Secret from SSM Parameter Store with the External Secrets
// Operator: a ServiceAccount whose IRSA role may read the stack's parameters and nothing else, a
// SecretStore that reads with that account's token, and an ExternalSecret that owns the Secret.
// No credential passes through this program, its config or its state.
type AppSecret struct {
	pulumi.ResourceState

	// ServiceAccount is the reader the SecretStore authenticates as; no pod runs as it.
	ServiceAccount *corev1.ServiceAccount
	// Store and ExternalSecret are the operator's custom resources.
	Store, ExternalSecret *apiextensions.CustomResource
}

// AppSecretArgs describe the app's Secret and where it comes from.
type AppSecretArgs struct {
	// Namespace is the app namespace; SecretName the Secret the pods load.
	Namespace  pulumi.StringInput
	SecretName string
	// Reader is the ServiceAccount the store authenticates as; RoleARN its IRSA role.
	Reader  string
	RoleARN pulumi.StringInput
	// Region is the SSM region; ParametersPath the stack's path ("/openwan/<stack>/").
	Region, ParametersPath string
	// Keys are the Secret's keys, each the name of a parameter under ParametersPath.
	Keys []string
	// RefreshInterval is how often the operator re-reads the parameters (a Go duration, "1h").
	RefreshInterval string
}

func (a *AppSecretArgs) validate() error {
	if a == nil {
		return errors.New("args are required")
	}
	var errs []error
	if a.Namespace == nil {
		errs = append(errs, errors.New("Namespace: must be set"))
	}
	if a.RoleARN == nil {
		errs = append(errs, errors.New("RoleARN: must be set"))
	}
	for _, f := range []struct{ field, value string }{
		{"SecretName", a.SecretName}, {"Reader", a.Reader}, {"Region", a.Region}, {"RefreshInterval", a.RefreshInterval},
	} {
		if f.value == "" {
			errs = append(errs, fmt.Errorf("%s: must not be empty", f.field))
		}
	}
	if !strings.HasPrefix(a.ParametersPath, "/") || !strings.HasSuffix(a.ParametersPath, "/") {
		errs = append(errs, fmt.Errorf("ParametersPath: %q does not start and end with /", a.ParametersPath))
	}
	if len(a.Keys) == 0 {
		errs = append(errs, errors.New("Keys: must name at least one key"))
	}
	return errors.Join(errs...)
}

// NewAppSecret declares the reader account, the store and the external secret. Give it the
// operator's release in DependsOn: its CRDs and admission webhook must exist first.
func NewAppSecret(ctx *pulumi.Context, name string, args *AppSecretArgs, opts ...pulumi.ResourceOption) (*AppSecret, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("app secret %s: %w", name, err)
	}
	s := &AppSecret{}
	if err := ctx.RegisterComponentResource("openwan:k8s:AppSecret", name, s, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(s)
	var err error
	s.ServiceAccount, err = corev1.NewServiceAccount(ctx, name+"-reader", &corev1.ServiceAccountArgs{
		Metadata: &metav1.ObjectMetaArgs{
			Name: pulumi.String(args.Reader), Namespace: args.Namespace,
			Annotations: pulumi.StringMap{RoleARNAnnotation: args.RoleARN},
		},
		AutomountServiceAccountToken: pulumi.Bool(false),
	}, child)
	if err != nil {
		return nil, err
	}
	storeName := args.SecretName + "-ssm"
	s.Store, err = apiextensions.NewCustomResource(ctx, name+"-store", &apiextensions.CustomResourceArgs{
		ApiVersion: pulumi.String(externalSecretsAPI),
		Kind:       pulumi.String("SecretStore"),
		Metadata:   &metav1.ObjectMetaArgs{Name: pulumi.String(storeName), Namespace: args.Namespace},
		OtherFields: kubernetes.UntypedArgs{"spec": pulumi.Map{"provider": pulumi.Map{"aws": pulumi.Map{
			"service": pulumi.String("ParameterStore"),
			"region":  pulumi.String(args.Region),
			// The operator asks for this account's token and trades it for the role's
			// credentials: the role trusts the reader, never the operator's own account
			// (external-secrets docs/provider/aws-access.md, "EKS Service Account credentials").
			"auth": pulumi.Map{"jwt": pulumi.Map{"serviceAccountRef": pulumi.Map{"name": s.ServiceAccount.Metadata.Name()}}},
		}}}},
	}, child)
	if err != nil {
		return nil, err
	}
	data := pulumi.Array{}
	for _, k := range args.Keys {
		data = append(data, pulumi.Map{"secretKey": pulumi.String(k), "remoteRef": pulumi.Map{"key": pulumi.String(args.ParametersPath + k)}})
	}
	s.ExternalSecret, err = apiextensions.NewCustomResource(ctx, name, &apiextensions.CustomResourceArgs{
		ApiVersion: pulumi.String(externalSecretsAPI),
		Kind:       pulumi.String("ExternalSecret"),
		Metadata: &metav1.ObjectMetaArgs{
			Name: pulumi.String(args.SecretName), Namespace: args.Namespace,
			// A custom resource is done when the API server takes it; this one only when the
			// operator has made the Secret, so the Deployments that wait for it start with it, and
			// a wrong path or policy fails here, naming the ExternalSecret, not as a pod timeout.
			// (pulumi-kubernetes' pulumi.com/waitFor annotation, v4.18 and later; go.mod pins v4.)
			Annotations: pulumi.StringMap{"pulumi.com/waitFor": pulumi.String("condition=Ready")},
		},
		OtherFields: kubernetes.UntypedArgs{"spec": pulumi.Map{
			"refreshInterval": pulumi.String(args.RefreshInterval),
			"secretStoreRef":  pulumi.Map{"name": s.Store.Metadata.Name(), "kind": pulumi.String("SecretStore")},
			"target":          pulumi.Map{"name": pulumi.String(args.SecretName), "creationPolicy": pulumi.String("Owner")},
			"data":            data,
		}},
	}, child)
	if err != nil {
		return nil, err
	}
	if err := ctx.RegisterResourceOutputs(s, pulumi.Map{}); err != nil {
		return nil, err
	}
	return s, nil
}
