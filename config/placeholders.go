package config

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
)

// documentationRanges are the IPv4 blocks RFC 5737 reserves for documentation: no real egress
// comes from them.
var documentationRanges = []netip.Prefix{
	netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("198.51.100.0/24"), netip.MustParsePrefix("203.0.113.0/24"),
}

// documentationAccounts are the account IDs AWS's documentation uses in its examples.
var documentationAccounts = []string{"111122223333", "123456789012", "444455556666"}

// Placeholders are the values of the config that stand in for the operator's own and would not
// work on a real account: RFC 5737 documentation ranges as endpoint CIDRs (the real `up` fails
// about 15 minutes in, once EKS exists, when pulumi-eks cannot reach it), host names and e-mail
// domains under the names RFC 2606 and 6761 reserve (example, .example, .test, .invalid), and
// ARNs in AWS's documentation accounts or with an all-zero ID. Each names its full key, the value
// and why; the offline tools show them, a real `pulumi up` refuses them (stacks.Program).
func Placeholders(c Config) []string {
	var out []string
	add := func(key, value, why string) {
		out = append(out, fmt.Sprintf("%s:%s: %q %s", Namespace, key, value, why))
	}
	if c.Cluster.EKS() && c.Cluster.EndpointPublicAccess {
		for i, cidr := range c.Cluster.PublicAccessCIDRs {
			if p, err := netip.ParsePrefix(cidr); err == nil && isDocumentationRange(p) {
				add(fmt.Sprintf("cluster.publicAccessCidrs[%d]", i), cidr, "is a documentation range (RFC 5737): put the egress of the machine that runs the deploy")
			}
		}
	}
	for i, email := range c.Alerts.Emails {
		if _, domain, ok := strings.Cut(email, "@"); ok && reservedName(domain) {
			add(fmt.Sprintf("alerts.emails[%d]", i), email, "is in a reserved example domain: nobody receives the pages")
		}
	}
	if host, _, err := net.SplitHostPort(c.App.RedisAddress); err == nil && reservedName(host) {
		add("app.redisAddress", c.App.RedisAddress, "is a reserved example host name: put your Redis endpoint")
	}
	for key, arn := range map[string]string{"cluster.ingress.certificateArn": c.Cluster.Ingress.CertificateARN, "ec2.api.certificateArn": c.EC2.API.CertificateARN} {
		if arn != "" && documentationARN(arn) {
			add(key, arn, "is an example ARN: put your ACM certificate's")
		}
	}
	for key, arns := range map[string][]string{"cluster.access.admins": c.Cluster.Access.Admins, "cluster.access.viewers": c.Cluster.Access.Viewers} {
		for i, arn := range arns {
			if documentationARN(arn) {
				add(fmt.Sprintf("%s[%d]", key, i), arn, "is in AWS's documentation account: put your operators' or CI's role")
			}
		}
	}
	slices.Sort(out)
	return out
}

func isDocumentationRange(p netip.Prefix) bool {
	for _, d := range documentationRanges {
		if d.Overlaps(p) {
			return true
		}
	}
	return false
}

// reservedName is a domain under a name RFC 2606 and 6761 reserve for examples and tests.
func reservedName(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, tld := range []string{".example", ".test", ".invalid", ".localhost"} {
		if strings.HasSuffix(host, tld) || host == tld[1:] {
			return true
		}
	}
	for _, domain := range []string{"example.com", "example.net", "example.org"} {
		if host == domain || strings.HasSuffix(host, "."+domain) {
			return true
		}
	}
	return false
}

func documentationARN(arn string) bool {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 {
		for _, account := range documentationAccounts {
			if parts[4] == account {
				return true
			}
		}
	}
	return strings.Contains(arn, "00000000-0000-0000-0000-000000000000")
}
