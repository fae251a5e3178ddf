package fleet

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/components/internal/componenttest"
)

func validLoadBalancerArgs() *LoadBalancerArgs {
	return &LoadBalancerArgs{
		VPCID: pulumi.String("vpc-1"), PublicSubnetIDs: pulumi.ToStringArray([]string{"subnet-p1", "subnet-p2"}),
		Port: 8080, HealthPath: "/healthz", DeregistrationDelaySeconds: 20,
	}
}

func TestLoadBalancerArgsRefusals(t *testing.T) {
	var nilArgs *LoadBalancerArgs
	assert.EqualError(t, nilArgs.validate(), "args are required")
	require.NoError(t, validLoadBalancerArgs().validate(), "the valid args of these tests")

	cases := []struct {
		name   string
		change func(a *LoadBalancerArgs)
		fields []string
	}{
		{"no VPC", func(a *LoadBalancerArgs) { a.VPCID = nil }, []string{"VPCID"}},
		{"port 0", func(a *LoadBalancerArgs) { a.Port = 0 }, []string{"Port"}},
		{"relative health path", func(a *LoadBalancerArgs) { a.HealthPath = "healthz" }, []string{"HealthPath"}},
		{"certificate that is no ARN", func(a *LoadBalancerArgs) { a.CertificateARN = "api.example.com" }, []string{"CertificateARN"}},
		{"several fields at once", func(a *LoadBalancerArgs) { a.PublicSubnetIDs, a.HealthPath, a.DeregistrationDelaySeconds = nil, "", -1 },
			[]string{"PublicSubnetIDs", "HealthPath", "DeregistrationDelaySeconds"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := validLoadBalancerArgs()
			c.change(args)
			componenttest.AssertFields(t, args.validate(), c.fields...)
		})
	}
}

func TestListenerIngressIsSorted(t *testing.T) {
	var suffixes []string
	for _, in := range listenerIngress(true) {
		suffixes = append(suffixes, in.suffix)
	}
	// Declared in one order on every run: ports ascending, then families by name.
	assert.Equal(t, []string{"ipv4-80", "ipv6-80", "ipv4-443", "ipv6-443"}, suffixes, "ingress rules in a fixed order")
}

func TestLoadBalancerDeclares(t *testing.T) {
	args := validLoadBalancerArgs()
	p := componenttest.Run(t, func(ctx *pulumi.Context) error {
		_, err := NewLoadBalancer(ctx, "api-lb", args)
		return err
	})
	assert.ElementsMatch(t, []string{"api-lb-http"}, componenttest.Names(p, listenerType), "without a certificate, HTTP only")
	assert.Equal(t, "forward", componenttest.Input(t, p, listenerType, "api-lb-http", "defaultActions.0.type"), "HTTP forwards to the targets")
	assert.EqualValues(t, args.Port, componenttest.Input(t, p, "aws:lb/targetGroup:TargetGroup", "api-lb-api", "port"), "targets serve on Port")
	assert.Equal(t, args.HealthPath, componenttest.Input(t, p, "aws:lb/targetGroup:TargetGroup", "api-lb-api", "healthCheck.path"), "HealthPath")
	assert.ElementsMatch(t, []string{"api-lb-app-from-lb", "api-lb-lb-ipv4-80", "api-lb-lb-ipv6-80", "api-lb-lb-to-app"},
		componenttest.Names(p, sgRuleType), "port 80 from anywhere, and the app port only between the two groups")
}

func TestLoadBalancerWithCertificateRedirectsHTTP(t *testing.T) {
	args := validLoadBalancerArgs()
	args.CertificateARN = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
	p := componenttest.Run(t, func(ctx *pulumi.Context) error {
		_, err := NewLoadBalancer(ctx, "api-lb", args)
		return err
	})
	assert.ElementsMatch(t, []string{"api-lb-http", "api-lb-https"}, componenttest.Names(p, listenerType), "a certificate adds HTTPS")
	assert.Equal(t, args.CertificateARN, componenttest.Input(t, p, listenerType, "api-lb-https", "certificateArn"), "HTTPS serves CertificateARN")
	assert.Equal(t, "redirect", componenttest.Input(t, p, listenerType, "api-lb-http", "defaultActions.0.type"), "HTTP only redirects to HTTPS")
	for _, rule := range []string{"api-lb-lb-ipv4-443", "api-lb-lb-ipv6-443"} {
		assert.EqualValues(t, 443, componenttest.Input(t, p, sgRuleType, rule, "fromPort"), "%s opens the HTTPS port", rule)
	}
}
