package components_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config/configtest"
	"github.com/openwan/openwan-infra/internal/apppolicy"
)

const (
	externalSecretType = "kubernetes:external-secrets.io/v1:ExternalSecret"
	secretStoreType    = "kubernetes:external-secrets.io/v1:SecretStore"
)

// TestAppSecretComesFromSSM: on EKS the app's Secret is made by the External Secrets Operator
// from the stack's SSM parameters, the ones the EC2 instances read, through a reader whose role
// may read that path only; the Deployments wait for it.
func TestAppSecretComesFromSSM(t *testing.T) {
	for _, stack := range []string{"prod", "dev"} {
		t.Run(stack, func(t *testing.T) {
			cfg := configtest.Stack(t, stack)
			es := cfg.Cluster.ExternalSecrets
			require.True(t, es.Enabled, "%s makes its Secret from SSM", stack)
			p := runStack(t, stack, false)
			path := "/openwan/" + stack + "/"
			runChecks(t, p, []check{
				{releaseType, "external-secrets-release", "version", es.ChartVersion},
				{releaseType, "external-secrets-release", "values.installCRDs", true},
				{secretStoreType, cfg.App.SecretName + "-store", "spec.provider.aws.service", "ParameterStore"},
				{secretStoreType, cfg.App.SecretName + "-store", "spec.provider.aws.region", cfg.App.Region},
				{secretStoreType, cfg.App.SecretName + "-store", "spec.provider.aws.auth.jwt.serviceAccountRef.name", "openwan-secrets-reader"},
				{externalSecretType, cfg.App.SecretName, "spec.target.name", cfg.App.SecretName},
				{externalSecretType, cfg.App.SecretName, "spec.refreshInterval", es.RefreshInterval},
			})
			data, err := mustGet(t, p, externalSecretType, cfg.App.SecretName).Input("spec.data")
			require.NoError(t, err)
			var keys []string
			for _, d := range data.([]any) {
				m := d.(map[string]any)
				keys = append(keys, m["secretKey"].(string))
				assert.Equal(t, path+m["secretKey"].(string), m["remoteRef"].(map[string]any)["key"], "each key is the parameter of its name")
			}
			assert.Equal(t, apppolicy.SecretKeys, keys, "the keys the EC2 instances read too")

			text, err := mustGet(t, p, rolePolicyType, "openwan-secrets-reader-role").Input("policy")
			require.NoError(t, err)
			var doc struct {
				Statement []struct {
					Action   []string
					Resource string
				}
			}
			require.NoError(t, json.Unmarshal([]byte(text.(string)), &doc))
			require.Len(t, doc.Statement, 1)
			assert.Equal(t, "arn:aws:ssm:*:*:parameter"+path+"*", doc.Statement[0].Resource, "the reader reads the stack's path only")
			trust, err := mustGet(t, p, roleType, "openwan-secrets-reader-role").Input("assumeRolePolicy")
			require.NoError(t, err)
			assert.Contains(t, trust, "system:serviceaccount:"+cfg.App.Namespace+":openwan-secrets-reader")

			es1 := mustGet(t, p, externalSecretType, cfg.App.SecretName)
			for _, d := range []string{"openwan-api-deployment", "openwan-worker-deployment"} {
				dep := mustGet(t, p, deploymentType, d)
				assert.Contains(t, dep.Dependencies, es1.URN, "%s waits for the Secret it loads", d)
			}
		})
	}
	local := runStack(t, "local", false)
	assert.Empty(t, local.Find(externalSecretType), "an existing cluster keeps its own Secret")
}

// TestREADMEListsTheSecretParameters: the operator's guide names every parameter both paths read.
func TestREADMEListsTheSecretParameters(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(configtest.Root(t), "README.md"))
	require.NoError(t, err)
	for _, k := range apppolicy.SecretKeys {
		assert.True(t, strings.Contains(string(readme), "/openwan/<stack>/"+k), "README.md names the parameter /openwan/<stack>/%s", k)
	}
	assert.NotContains(t, string(readme), "create the Kubernetes Secret", "the Secret is made by the program now")
}
