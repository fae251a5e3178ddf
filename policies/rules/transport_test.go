package rules

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/internal/model"
)

func TestProductionTLS(t *testing.T) {
	const redirect = `{"port": 80, "protocol": "HTTP", "defaultActions": [{"type": "redirect", "redirect": {"port": "443", "protocol": "HTTPS", "statusCode": "HTTP_301"}}]}`
	const https = `{"port": 443, "protocol": "HTTPS", "certificateArn": "arn:aws:acm:us-east-1:111122223333:certificate/1", "defaultActions": [{"type": "forward"}]}`
	const ingressTLS = `{"metadata": {"name": "openwan-api", "annotations": {"alb.ingress.kubernetes.io/certificate-arn": "arn:aws:acm:us-east-1:111122223333:certificate/1"}}}`
	runRuleCases(t, "production-tls", []ruleCase{
		{name: "HTTP redirects, HTTPS forwards, the Ingress has a certificate", resources: []model.Resource{
			res(model.TypeLBListener, "lb-http", redirect), res(model.TypeLBListener, "lb-https", https), res(model.TypeK8sIngress, "api", ingressTLS)}},
		{name: "plain HTTP on both paths", resources: []model.Resource{
			res(model.TypeLBListener, "lb-http", `{"port": 80, "protocol": "HTTP", "defaultActions": [{"type": "forward"}]}`),
			res(model.TypeK8sIngress, "api", `{"metadata": {"name": "openwan-api", "annotations": {"alb.ingress.kubernetes.io/scheme": "internet-facing"}}}`)},
			want: []string{
				"Listener lb-http: port 80 serves plain HTTP (forward); set openwan:ec2.api.certificateArn so it redirects to HTTPS",
				"Ingress openwan-api: no alb.ingress.kubernetes.io/certificate-arn, so its ALB serves plain HTTP; set openwan:cluster.ingress.certificateArn",
			}},
		{name: "a redirect to plain HTTP is no redirect to HTTPS", resources: []model.Resource{
			res(model.TypeLBListener, "lb-http", `{"port": 80, "protocol": "HTTP", "defaultActions": [{"type": "redirect", "redirect": {"port": "8080", "protocol": "HTTP"}}]}`)},
			want: []string{"Listener lb-http: port 80 serves plain HTTP (redirect); set openwan:ec2.api.certificateArn so it redirects to HTTPS"}},
	})
}

// Development stacks have no certificate for a public host name: the rule does not run there,
// and is mandatory in production.
func TestProductionTLSRunsInProductionOnly(t *testing.T) {
	r := ruleNamed(t, "production-tls")
	assert.Equal(t, Mandatory, r.LevelFor(config.Production))
	for _, env := range []string{"development", "staging"} {
		assert.Equal(t, Disabled, r.LevelFor(env), env)
	}
}
