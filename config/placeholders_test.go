package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/config/configtest"
)

// The shipped stacks say which values are theirs to replace; the local stack, on the test
// environment, has none.
func TestShippedPlaceholders(t *testing.T) {
	assert.Equal(t, []string{
		`openwan:alerts.emails[0]: "platform-oncall@openwan.example" is in a reserved example domain: nobody receives the pages`,
		`openwan:app.redisAddress: "redis.openwan-prod.example:6379" is a reserved example host name: put your Redis endpoint`,
		`openwan:cluster.access.admins[0]: "arn:aws:iam::111122223333:role/openwan-operators" is in AWS's documentation account: put your operators' or CI's role`,
		`openwan:cluster.access.viewers[0]: "arn:aws:iam::111122223333:role/openwan-oncall" is in AWS's documentation account: put your operators' or CI's role`,
		`openwan:cluster.ingress.certificateArn: "arn:aws:acm:us-east-1:111122223333:certificate/00000000-0000-0000-0000-000000000000" is an example ARN: put your ACM certificate's`,
		`openwan:cluster.publicAccessCidrs[0]: "198.51.100.0/24" is a documentation range (RFC 5737): put the egress of the machine that runs the deploy`,
		`openwan:cluster.publicAccessCidrs[1]: "203.0.113.0/24" is a documentation range (RFC 5737): put the egress of the machine that runs the deploy`,
		`openwan:ec2.api.certificateArn: "arn:aws:acm:us-east-1:111122223333:certificate/00000000-0000-0000-0000-000000000000" is an example ARN: put your ACM certificate's`,
	}, placeholdersOf(t, "prod"))
	assert.Len(t, placeholdersOf(t, "dev"), 2, "dev: its Redis host and its endpoint CIDR")
	assert.Empty(t, placeholdersOf(t, "local"), "the local stack deploys for real in the integration suite")
}

func placeholdersOf(t *testing.T, stack string) []string {
	t.Helper()
	return config.Placeholders(configtest.Stack(t, stack))
}

// Real-looking values are not placeholders: a company domain, a routable range, an account of
// one's own.
func TestRealValuesAreNoPlaceholders(t *testing.T) {
	c := configtest.Prod(t)
	c.Alerts.Emails = []string{"oncall@example-media.tv", "ops@openwan.org"}
	c.App.RedisAddress = "openwan-prod.x1y2z3.ng.0001.use1.cache.amazonaws.com:6379"
	c.Cluster.PublicAccessCIDRs = []string{"34.201.10.0/28", "192.0.3.0/24"}
	arn := "arn:aws:acm:us-east-1:210987654321:certificate/2b3c4d5e-1111-2222-3333-444455556666"
	c.Cluster.Ingress.CertificateARN, c.EC2.API.CertificateARN = arn, arn
	c.Cluster.Access.Admins, c.Cluster.Access.Viewers = []string{"arn:aws:iam::210987654321:role/ops"}, nil
	assert.Empty(t, config.Placeholders(c))
}
