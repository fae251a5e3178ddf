package components_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config/configtest"
)

const ingressType = "kubernetes:networking.k8s.io/v1:Ingress"

// TestAPIIsReachableThroughAnALB pins, for each EKS stack, the load balancer controller (its
// release told the region and VPC, its IRSA role) and the API's Ingress: internet-facing, to the
// pods directly, checked on the readiness path, draining within the preStop sleep.
func TestAPIIsReachableThroughAnALB(t *testing.T) {
	for _, stack := range []string{"prod", "dev"} {
		t.Run(stack, func(t *testing.T) {
			cfg := configtest.Stack(t, stack)
			in := cfg.Cluster.Ingress
			require.True(t, in.Enabled, "%s has an ALB in front of the API", stack)
			p := runStack(t, stack, false)
			const release = "aws-load-balancer-controller-release"
			runChecks(t, p, []check{
				{releaseType, release, "version", in.Controller.ChartVersion},
				{releaseType, release, "values.image.tag", in.Controller.ImageTag},
				{releaseType, release, "values.region", cfg.App.Region},
				{releaseType, release, "values.vpcId", "openwan-id"},
				{releaseType, release, "values.clusterName", "openwan-" + stack},
				{releaseType, release, "values.serviceAccount.name", "aws-load-balancer-controller"},
				// Its Service webhook would refuse the other charts' Services while it starts.
				{releaseType, release, "values.enableServiceMutatorWebhook", false},
				{ingressType, "openwan-api", "spec.ingressClassName", "alb"},
				{ingressType, "openwan-api", "spec.defaultBackend.service.name", "openwan-api"},
			})
			trust, err := mustGet(t, p, roleType, "aws-load-balancer-controller-irsa").Input("assumeRolePolicy")
			require.NoError(t, err)
			assert.Contains(t, trust, "system:serviceaccount:kube-system:aws-load-balancer-controller", "the controller's role trusts its own account only")

			annotations, err := mustGet(t, p, ingressType, "openwan-api").Input("metadata.annotations")
			require.NoError(t, err)
			a := annotations.(map[string]any)
			assert.Equal(t, "internet-facing", a["alb.ingress.kubernetes.io/scheme"])
			assert.Equal(t, "ip", a["alb.ingress.kubernetes.io/target-type"], "straight to the pods, which the NetworkPolicy admits from the ALB's subnets")
			assert.Equal(t, cfg.API.ReadinessPath, a["alb.ingress.kubernetes.io/healthcheck-path"])
			assert.Equal(t, fmt.Sprintf("deregistration_delay.timeout_seconds=%d", in.DeregistrationDelaySeconds), a["alb.ingress.kubernetes.io/target-group-attributes"])
			assert.Less(t, in.DeregistrationDelaySeconds, cfg.API.PreStopSleepSeconds, "the ALB is done with a pod before it stops serving")
			if in.CertificateARN == "" {
				assert.Equal(t, `[{"HTTP": 80}]`, a["alb.ingress.kubernetes.io/listen-ports"])
				assert.NotContains(t, a, "alb.ingress.kubernetes.io/ssl-redirect")
			}

			ns, err := mustGet(t, p, "kubernetes:core/v1:Namespace", "openwan").Input("metadata.labels")
			require.NoError(t, err)
			assert.Equal(t, "enabled", ns.(map[string]any)["elbv2.k8s.aws/pod-readiness-gate-inject"], "rollouts wait for the ALB to send to new pods")
		})
	}
}

// TestHTTPSWithACertificate: a certificate turns on 443 and redirects 80 to it.
func TestHTTPSWithACertificate(t *testing.T) {
	const cert = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
	p := runRaw(t, "prod", withConfig(t, configtest.Raw(t, "prod"), "openwan:cluster", "ingress.certificateArn", cert), false)
	url, _ := p.Outputs["eksApiUrl"].(string)
	assert.True(t, strings.HasPrefix(url, "https://"), "eksApiUrl = %q", url)
	annotations, err := mustGet(t, p, ingressType, "openwan-api").Input("metadata.annotations")
	require.NoError(t, err)
	a := annotations.(map[string]any)
	assert.Equal(t, `[{"HTTP": 80}, {"HTTPS": 443}]`, a["alb.ingress.kubernetes.io/listen-ports"])
	assert.Equal(t, cert, a["alb.ingress.kubernetes.io/certificate-arn"])
	assert.Equal(t, "443", a["alb.ingress.kubernetes.io/ssl-redirect"])
}
