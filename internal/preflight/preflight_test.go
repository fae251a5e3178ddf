package preflight

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/config/configtest"
)

// account is an account's answers: the stand-in aws command prints answers[<service> <operation>]
// as its output, or fails (exit 254, the CLI's for a service error) when the entry is absent. It
// logs every call, so the test sees that only read-only calls are made.
type account map[string]string

// withAWS runs the checks with a stand-in aws command on the PATH.
func withAWS(t *testing.T, stack string, c config.Config, answers account) ([]Result, []string) {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "calls")
	var script strings.Builder
	script.WriteString("#!/bin/bash\necho \"$*\" >> " + log + "\ncase \"$1 $2\" in\n")
	for call, answer := range answers {
		script.WriteString("\"" + call + "\") cat <<'JSON'\n" + answer + "\nJSON\n;;\n")
	}
	script.WriteString("*) echo \"An error occurred (NotFound) when calling $2\" >&2; exit 254 ;;\nesac\n")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "aws"), []byte(script.String()), 0o755))
	t.Setenv("PATH", dir+":"+os.Getenv("PATH"))
	results := Run(stack, c, CLI(c.App.Region))
	calls, _ := os.ReadFile(log)
	return results, strings.Split(strings.TrimSpace(string(calls)), "\n")
}

// realProd is prod with the operator's own values where it ships placeholders, and its RDS
// instance named.
func realProd(t *testing.T) config.Config {
	c := configtest.Prod(t)
	c.App.RedisAddress = "openwan-prod.x1y2z3.ng.0001.use1.cache.amazonaws.com:6379"
	c.Capacity.Database.Identifier = "openwan-prod"
	return c
}

// ready is an account that has everything prod uses, in one VPC.
func ready() account {
	return account{
		"s3api head-bucket": "",
		"elasticache describe-replication-groups": `{"ReplicationGroups": [{"ReplicationGroupId": "openwan-prod", "Engine": "redis",
			"NodeGroups": [{"PrimaryEndpoint": {"Address": "openwan-prod.x1y2z3.ng.0001.use1.cache.amazonaws.com"},
			"ReaderEndpoint": {"Address": "openwan-prod-ro.x1y2z3.ng.0001.use1.cache.amazonaws.com"}}], "MemberClusters": ["openwan-prod-001"]}]}`,
		"elasticache describe-cache-clusters":      `{"CacheClusters": [{"CacheClusterId": "openwan-prod-001", "CacheSubnetGroupName": "data"}]}`,
		"elasticache describe-cache-subnet-groups": `{"CacheSubnetGroups": [{"VpcId": "vpc-data"}]}`,
		"mq list-brokers":                          `{"BrokerSummaries": [{"BrokerId": "b-1", "BrokerName": "openwan-prod", "EngineType": "RABBITMQ"}]}`,
		"mq describe-broker":                       `{"SubnetIds": ["subnet-data-a"]}`,
		"ec2 describe-subnets":                     `{"Subnets": [{"VpcId": "vpc-data"}]}`,
		"rds describe-db-instances": `{"DBInstances": [{"Engine": "postgres", "DBParameterGroups": [{"DBParameterGroupName": "openwan-pg16"}],
			"DBSubnetGroup": {"VpcId": "vpc-data"}}]}`,
		"rds describe-db-parameters": `[{"ParameterName": "max_connections", "ParameterValue": "1500"}]`,
		"ssm get-parameters": `{"Parameters": [{"Name": "/openwan/prod/DATABASE_URL", "Type": "SecureString"},
			{"Name": "/openwan/prod/REDIS_PASSWORD", "Type": "SecureString"}, {"Name": "/openwan/prod/RABBITMQ_URL", "Type": "SecureString"}], "InvalidParameters": []}`,
		"ce list-cost-allocation-tags": `{"CostAllocationTags": [{"TagKey": "openwan-stack", "Status": "Active"}]}`,
	}
}

func statuses(results []Result) map[string]Status {
	out := map[string]Status{}
	for _, r := range results {
		out[strings.Fields(r.Item)[0]] = r.Status
	}
	return out
}

// An account with everything prod needs, in the VPC the stack runs in: every line found.
func TestPreflightOfAReadyAccount(t *testing.T) {
	c := realProd(t)
	c.Network.VPCID = "vpc-data"
	results, calls := withAWS(t, "prod", c, ready())
	for _, r := range results {
		assert.Equal(t, Found, r.Status, "%s", r)
	}
	assert.False(t, Failed(results))
	for _, call := range calls {
		verb := strings.Fields(call)[1]
		assert.True(t, strings.HasPrefix(verb, "describe-") || strings.HasPrefix(verb, "list-") || strings.HasPrefix(verb, "get-") || verb == "head-bucket",
			"read-only calls only: %s", call)
		assert.Contains(t, call, "--region us-east-1 --output json", "in the stack's region")
	}
}

// A fresh account: each missing item says so, with the command that makes it.
func TestPreflightOfAFreshAccount(t *testing.T) {
	results, _ := withAWS(t, "prod", realProd(t), account{
		"ssm get-parameters":                      `{"Parameters": [], "InvalidParameters": ["/openwan/prod/RABBITMQ_URL", "/openwan/prod/DATABASE_URL", "/openwan/prod/REDIS_PASSWORD"]}`,
		"elasticache describe-replication-groups": `{"ReplicationGroups": []}`,
		"mq list-brokers":                         `{"BrokerSummaries": []}`,
		"ce list-cost-allocation-tags":            `{"CostAllocationTags": []}`,
	})
	assert.Equal(t, map[string]Status{"S3": Missing, "Redis": Missing, "RabbitMQ": Missing, "PostgreSQL": Missing, "SSM": Missing, "cost": Missing, "reachability": Found},
		statuses(results))
	assert.True(t, Failed(results))
	byItem := map[string]Result{}
	for _, r := range results {
		byItem[strings.Fields(r.Item)[0]] = r
	}
	assert.Contains(t, byItem["S3"].Fix, "aws s3api create-bucket --bucket openwan-prod-media --region us-east-1")
	assert.Contains(t, byItem["SSM"].Detail, "/openwan/prod/DATABASE_URL, /openwan/prod/RABBITMQ_URL, /openwan/prod/REDIS_PASSWORD not found")
	assert.Contains(t, byItem["SSM"].Fix, "aws ssm put-parameter --type SecureString --name /openwan/prod/RABBITMQ_URL")
	assert.Contains(t, byItem["cost"].Fix, "aws ce update-cost-allocation-tags-status")
	assert.Contains(t, byItem["RabbitMQ"].Fix, "--broker-name openwan-prod")
}

// What exists but will not work: a database below the plan's connections, a default formula, a
// plain String secret, an inactive tag, and data stores in another VPC than the new one.
func TestPreflightFindsWhatIsWrong(t *testing.T) {
	c := realProd(t)
	answers := ready()
	answers["rds describe-db-parameters"] = `[{"ParameterName": "max_connections", "ParameterValue": "500"}]`
	answers["ssm get-parameters"] = `{"Parameters": [{"Name": "/openwan/prod/DATABASE_URL", "Type": "String"}], "InvalidParameters": []}`
	answers["ce list-cost-allocation-tags"] = `{"CostAllocationTags": [{"TagKey": "openwan-stack", "Status": "Inactive"}]}`
	results, _ := withAWS(t, "prod", c, answers)
	byItem := map[string]Result{}
	for _, r := range results {
		byItem[strings.Fields(r.Item)[0]] = r
	}
	assert.Equal(t, Wrong, byItem["PostgreSQL"].Status)
	assert.Contains(t, byItem["PostgreSQL"].Detail, "max_connections is 500, below openwan:capacity.database.maxConnections 1500")
	assert.Contains(t, byItem["PostgreSQL"].Fix, "ParameterName=max_connections,ParameterValue=1500")
	assert.Equal(t, Wrong, byItem["SSM"].Status, "a plain String would be read unencrypted")
	assert.Equal(t, Wrong, byItem["cost"].Status)
	assert.Equal(t, Wrong, byItem["reachability"].Status, "the stack creates its own VPC")
	assert.Contains(t, byItem["reachability"].Detail, "PostgreSQL in vpc-data, RabbitMQ broker in vpc-data, Redis in vpc-data")
	assert.Contains(t, byItem["reachability"].Fix, "openwan:network.vpcId")

	answers["rds describe-db-parameters"] = `[{"ParameterName": "max_connections", "ParameterValue": "{DBInstanceClassMemory/9531392}"}]`
	results, _ = withAWS(t, "prod", c, answers)
	for _, r := range results {
		if strings.HasPrefix(r.Item, "PostgreSQL") {
			assert.Equal(t, Wrong, r.Status, "a default formula is not the plan's figure")
			assert.Contains(t, r.Detail, "depends on the instance class")
		}
	}
}

// Without an RDS identifier the database line says what to set, and is not a failure.
func TestPreflightWithoutADatabaseIdentifier(t *testing.T) {
	c := realProd(t)
	c.Capacity.Database.Identifier = ""
	c.Network.VPCID = "vpc-data"
	results, _ := withAWS(t, "prod", c, ready())
	assert.Equal(t, Unchecked, statuses(results)["PostgreSQL"])
	assert.False(t, Failed(results))
	assert.Contains(t, results[3].String(), "fix: set openwan:capacity.database.identifier")
}
