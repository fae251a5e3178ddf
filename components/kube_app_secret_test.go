package components_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"

	"github.com/openwan/openwan-infra/components/kube"
	"github.com/openwan/openwan-infra/internal/componenttest"
)

func kubeValidAppSecretArgs() *kube.AppSecretArgs {
	return &kube.AppSecretArgs{
		Namespace: pulumi.String("openwan"), SecretName: "openwan-app",
		Reader: "openwan-secrets-reader", RoleARN: pulumi.String("arn:aws:iam::123456789012:role/reader"),
		Region: "eu-west-1", ParametersPath: "/openwan/test/", Keys: []string{"A", "B"}, RefreshInterval: "1h",
	}
}

func TestAppSecretArgsRefusals(t *testing.T) {
	componenttest.Refusals(t, kubeValidAppSecretArgs, kubeValidation(t, kube.NewAppSecret, "app secret", "openwan-app"), []componenttest.Refusal[kube.AppSecretArgs]{
		{Name: "a path that is not a directory", Change: func(a *kube.AppSecretArgs) { a.ParametersPath = "/openwan/test" }, Fields: []string{"ParametersPath"}},
		{Name: "no keys", Change: func(a *kube.AppSecretArgs) { a.Keys = nil }, Fields: []string{"Keys"}},
		{Name: "no role", Change: func(a *kube.AppSecretArgs) { a.RoleARN, a.Region = nil, "" }, Fields: []string{"RoleARN", "Region"}},
	})
}

func TestAppSecretReadsEachKeyFromItsParameter(t *testing.T) {
	p := componenttest.Declare(t, kube.NewAppSecret, "openwan-app", kubeValidAppSecretArgs())
	const es, store = "kubernetes:external-secrets.io/v1:ExternalSecret", "kubernetes:external-secrets.io/v1:SecretStore"
	assert.Equal(t, []any{
		map[string]any{"secretKey": "A", "remoteRef": map[string]any{"key": "/openwan/test/A"}},
		map[string]any{"secretKey": "B", "remoteRef": map[string]any{"key": "/openwan/test/B"}},
	}, componenttest.Input(t, p, es, "openwan-app", "spec.data"))
	assert.Equal(t, "Owner", componenttest.Input(t, p, es, "openwan-app", "spec.target.creationPolicy"), "the Secret goes with its ExternalSecret")
	assert.Equal(t, map[string]any{"pulumi.com/waitFor": "condition=Ready"}, componenttest.Input(t, p, es, "openwan-app", "metadata.annotations"),
		"done only once the operator has made the Secret")
	assert.Equal(t, "openwan-app-ssm", componenttest.Input(t, p, es, "openwan-app", "spec.secretStoreRef.name"))
	assert.Equal(t, "openwan-secrets-reader", componenttest.Input(t, p, store, "openwan-app-store", "spec.provider.aws.auth.jwt.serviceAccountRef.name"),
		"the store reads as the reader, whose role trusts it alone")
	assert.Equal(t, map[string]any{"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/reader"},
		componenttest.Input(t, p, "kubernetes:core/v1:ServiceAccount", "openwan-app-reader", "metadata.annotations"))
}
