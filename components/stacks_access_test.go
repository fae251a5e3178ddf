package components_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/components/kube"
	"github.com/openwan/openwan-infra/components/network"
	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/config/configtest"
	"github.com/openwan/openwan-infra/internal/apppolicy"
)

const networkPolicyType = "kubernetes:networking.k8s.io/v1:NetworkPolicy"

// TestPodsHaveRolesOfTheirOwn: on EKS each app ServiceAccount is annotated with an IRSA role
// that trusts exactly it and may use the media bucket, by the same statements as the EC2
// instances' role.
func TestPodsHaveRolesOfTheirOwn(t *testing.T) {
	for _, stack := range []string{"prod", "dev"} {
		t.Run(stack, func(t *testing.T) {
			cfg := configtest.Stack(t, stack)
			p := runStack(t, stack, false)
			bucket, err := json.Marshal(apppolicy.Document(apppolicy.MediaBucketStatements(cfg.App.S3Bucket)...))
			require.NoError(t, err)
			for _, svc := range []string{"openwan-api", "openwan-worker"} {
				role := mustGet(t, p, roleType, svc+"-role")
				trust, err := role.Input("assumeRolePolicy")
				require.NoError(t, err)
				assert.Contains(t, trust, `"oidc.eks.us-east-1.amazonaws.com/id/MOCK:sub":"system:serviceaccount:`+cfg.App.Namespace+":"+svc+`"`,
					"%s's role trusts its own ServiceAccount only", svc)
				assert.Contains(t, trust, `"oidc.eks.us-east-1.amazonaws.com/id/MOCK:aud":"sts.amazonaws.com"`)
				assert.Equal(t, map[string]any{apppolicy.RoleTag: svc[len("openwan-"):], config.CostTagKey: stack}, role.Inputs["tags"],
					"an app role, held to least privilege")
				runChecks(t, p, []check{{rolePolicyType, svc + "-role", "policy", string(bucket)}})
				annotations, err := mustGet(t, p, "kubernetes:core/v1:ServiceAccount", svc+"-sa").Input("metadata.annotations")
				require.NoError(t, err)
				assert.Equal(t, map[string]any{"eks.amazonaws.com/role-arn": "arn:aws:mock:us-east-1:123456789012:" + svc + "-role",
					kube.PatchForceAnnotation: "true"}, annotations,
					"%s's pods get the role's credentials", svc)
			}
			for _, fleet := range []string{"api", "worker"} {
				assert.Equal(t, map[string]any{apppolicy.RoleTag: fleet, config.CostTagKey: stack}, mustGet(t, p, roleType, "openwan-"+fleet+"-lt-role").Inputs["tags"],
					"the EC2 %s instances' role is an app role too", fleet)
			}
		})
	}
}

// TestNamespaceIsIsolated: the app namespace denies all ingress; the API admits its port from
// the load balancer's subnets only (with target-type ip the ALB connects from its own addresses
// there); the worker admits nothing.
func TestNamespaceIsIsolated(t *testing.T) {
	cfg := configtest.Prod(t)
	p := runStack(t, "prod", false)
	public, _, err := network.SubnetCIDRs(cfg.Network.CIDR, cfg.Network.AvailabilityZones)
	require.NoError(t, err)
	var sources []any
	for _, c := range public {
		sources = append(sources, map[string]any{"ipBlock": map[string]any{"cidr": c}})
	}
	runChecks(t, p, []check{
		{networkPolicyType, "openwan-default-deny", "metadata.namespace", cfg.App.Namespace},
		{networkPolicyType, "openwan-default-deny", "spec.policyTypes", []any{"Ingress"}},
		{networkPolicyType, "openwan-api", "spec.ingress.0.from", sources},
		{networkPolicyType, "openwan-api", "spec.ingress.0.ports.0.port", cfg.API.Port},
	})
	selector, err := mustGet(t, p, networkPolicyType, "openwan-api").Input("spec.podSelector.matchLabels")
	require.NoError(t, err)
	assert.Equal(t, "openwan-api", selector.(map[string]any)["app.kubernetes.io/name"], "the API policy selects the API's pods")
	assert.Len(t, p.Find(networkPolicyType), 2, "no policy admits anything to the worker")

	// On an existing cluster whatever fronts the API is the config's to name.
	local := configtest.Stack(t, "local")
	lp := runStack(t, "local", false)
	var want []any
	for _, c := range local.Cluster.Existing.APISourceCIDRs {
		want = append(want, map[string]any{"ipBlock": map[string]any{"cidr": c}})
	}
	runChecks(t, lp, []check{{networkPolicyType, "openwan-api", "spec.ingress.0.from", want}})
}
