package components_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"

	"github.com/openwan/openwan-infra/components/fleet"
	"github.com/openwan/openwan-infra/internal/componenttest"
	"github.com/openwan/openwan-infra/internal/model"
)

func fleetValidLoadBalancerArgs() *fleet.LoadBalancerArgs {
	return &fleet.LoadBalancerArgs{
		VPCID: pulumi.String("vpc-1"), PublicSubnetIDs: pulumi.ToStringArray([]string{"subnet-p1", "subnet-p2"}),
		Port: 8080, HealthPath: "/healthz", DeregistrationDelaySeconds: 20,
	}
}

func TestLoadBalancerArgsRefusals(t *testing.T) {
	componenttest.Refusals(t, fleetValidLoadBalancerArgs, componenttest.Validator(fleet.NewLoadBalancer, "api-lb"), []componenttest.Refusal[fleet.LoadBalancerArgs]{
		{Name: "no VPC", Change: func(a *fleet.LoadBalancerArgs) { a.VPCID = nil }, Fields: []string{"VPCID"}},
		{Name: "port 0", Change: func(a *fleet.LoadBalancerArgs) { a.Port = 0 }, Fields: []string{"Port"}},
		{Name: "relative health path", Change: func(a *fleet.LoadBalancerArgs) { a.HealthPath = "healthz" }, Fields: []string{"HealthPath"}},
		{Name: "certificate that is no ARN", Change: func(a *fleet.LoadBalancerArgs) { a.CertificateARN = "api.example.com" }, Fields: []string{"CertificateARN"}},
		{Name: "several fields at once", Change: func(a *fleet.LoadBalancerArgs) {
			a.PublicSubnetIDs, a.HealthPath, a.DeregistrationDelaySeconds = nil, "", -1
		},
			Fields: []string{"PublicSubnetIDs", "HealthPath", "DeregistrationDelaySeconds"}},
	})
}

func TestListenerIngressIsSorted(t *testing.T) {
	var suffixes []string
	for _, in := range fleet.ListenerIngress(true) {
		suffixes = append(suffixes, in.Suffix)
	}
	// Declared in one order on every run: ports ascending, then families by name.
	assert.Equal(t, []string{"ipv4-80", "ipv6-80", "ipv4-443", "ipv6-443"}, suffixes, "ingress rules in a fixed order")
}

func TestLoadBalancerDeclares(t *testing.T) {
	args := fleetValidLoadBalancerArgs()
	p := componenttest.Declare(t, fleet.NewLoadBalancer, "api-lb", args)
	assert.ElementsMatch(t, []string{"api-lb-http"}, componenttest.Names(p, model.TypeLBListener), "without a certificate, HTTP only")
	assert.Equal(t, "forward", componenttest.Input(t, p, model.TypeLBListener, "api-lb-http", "defaultActions.0.type"), "HTTP forwards to the targets")
	assert.EqualValues(t, args.Port, componenttest.Input(t, p, model.TypeLBTargetGroup, "api-lb-api", "port"), "targets serve on Port")
	assert.Equal(t, args.HealthPath, componenttest.Input(t, p, model.TypeLBTargetGroup, "api-lb-api", "healthCheck.path"), "HealthPath")
	assert.ElementsMatch(t, []string{"api-lb-app-from-lb", "api-lb-lb-ipv4-80", "api-lb-lb-ipv6-80", "api-lb-lb-to-app"},
		componenttest.Names(p, model.TypeEC2SecurityGroupRule), "port 80 from anywhere, and the app port only between the two groups")
}

func TestLoadBalancerWithCertificateRedirectsHTTP(t *testing.T) {
	args := fleetValidLoadBalancerArgs()
	args.CertificateARN = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
	p := componenttest.Declare(t, fleet.NewLoadBalancer, "api-lb", args)
	assert.ElementsMatch(t, []string{"api-lb-http", "api-lb-https"}, componenttest.Names(p, model.TypeLBListener), "a certificate adds HTTPS")
	assert.Equal(t, args.CertificateARN, componenttest.Input(t, p, model.TypeLBListener, "api-lb-https", "certificateArn"), "HTTPS serves CertificateARN")
	assert.Equal(t, "redirect", componenttest.Input(t, p, model.TypeLBListener, "api-lb-http", "defaultActions.0.type"), "HTTP only redirects to HTTPS")
	for _, rule := range []string{"api-lb-lb-ipv4-443", "api-lb-lb-ipv6-443"} {
		assert.EqualValues(t, 443, componenttest.Input(t, p, model.TypeEC2SecurityGroupRule, rule, "fromPort"), "%s opens the HTTPS port", rule)
	}
}
