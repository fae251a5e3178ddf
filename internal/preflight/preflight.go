// Package preflight checks, with read-only AWS CLI calls, what a stack uses but does not create:
// the media bucket, Redis, the RabbitMQ broker, PostgreSQL's max_connections, the app's SSM
// parameters, the cost allocation tag, and whether the data stores are reachable from the VPC the
// stack runs in. Each check is one line: found, missing or wrong, and the command that fixes it.
//
// It is pure but for the `aws` command it runs (AWS): it imports no SDK.
package preflight

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"os/exec"
	"slices"
	"strconv"
	"strings"

	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/internal/apppolicy"
)

// Status is a check's verdict.
type Status string

// The verdicts.
const (
	Found   Status = "found"
	Missing Status = "missing"
	Wrong   Status = "wrong"
	// Unchecked is a check the config gives no handle for.
	Unchecked Status = "unchecked"
)

// Result is one checked item.
type Result struct {
	Status Status
	// Item names what was checked ("S3 bucket openwan-prod-media").
	Item string
	// Detail says what was found, or what is wrong.
	Detail string
	// Fix is the command (or the config key) that makes it right; empty when found.
	Fix string
}

// String is the result's line.
func (r Result) String() string {
	line := fmt.Sprintf("%-9s %s", r.Status, r.Item)
	if r.Detail != "" {
		line += ": " + r.Detail
	}
	if r.Fix != "" {
		line += "\n          fix: " + r.Fix
	}
	return line
}

// AWS runs one AWS CLI command and returns its JSON output.
type AWS func(args ...string) ([]byte, error)

// CLI is the AWS CLI on the PATH, in the region, with JSON output.
func CLI(region string) AWS {
	return func(args ...string) ([]byte, error) {
		cmd := exec.Command("aws", append(args, "--region", region, "--output", "json")...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return out, fmt.Errorf("aws %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
		}
		return out, nil
	}
}

// Run checks the stack (its name and typed config) and returns one result per item, in a fixed
// order.
func Run(stack string, c config.Config, aws AWS) []Result {
	var out []Result
	out = append(out, bucket(c, aws))
	redis, redisVPC := redisCheck(c, aws)
	out = append(out, redis)
	broker, brokerVPC := brokerCheck(c, aws)
	out = append(out, broker)
	db, dbVPC := databaseCheck(c, aws)
	out = append(out, db)
	out = append(out, parameters(stack, aws))
	out = append(out, costTag(aws))
	out = append(out, reachability(c, map[string]string{"Redis": redisVPC, "RabbitMQ broker": brokerVPC, "PostgreSQL": dbVPC}))
	return out
}

// Failed reports whether any result is missing or wrong.
func Failed(results []Result) bool {
	return slices.ContainsFunc(results, func(r Result) bool { return r.Status == Missing || r.Status == Wrong })
}

func bucket(c config.Config, aws AWS) Result {
	item := "S3 bucket " + c.App.S3Bucket
	if _, err := aws("s3api", "head-bucket", "--bucket", c.App.S3Bucket); err != nil {
		return Result{Missing, item, firstLine(err), fmt.Sprintf("aws s3api create-bucket --bucket %s --region %s (versioned and encrypted: docs/runbook.md)", c.App.S3Bucket, c.App.Region)}
	}
	return Result{Status: Found, Item: item}
}

func redisCheck(c config.Config, aws AWS) (Result, string) {
	host, _, err := net.SplitHostPort(c.App.RedisAddress)
	item := "Redis " + c.App.RedisAddress
	if err != nil {
		return Result{Wrong, item, "not host:port", "set openwan:app.redisAddress to the endpoint's host:port"}, ""
	}
	// A replication group answers at its primary (or configuration) endpoint.
	out, err := aws("elasticache", "describe-replication-groups")
	if err != nil {
		return Result{Missing, item, firstLine(err), ""}, ""
	}
	type endpoint struct{ Address string }
	var groups struct {
		ReplicationGroups []struct {
			ReplicationGroupID    string `json:"ReplicationGroupId"`
			Engine                string
			ConfigurationEndpoint *endpoint
			NodeGroups            []struct{ PrimaryEndpoint, ReaderEndpoint *endpoint }
			MemberClusters        []string
		}
	}
	if err := json.Unmarshal(out, &groups); err != nil {
		return Result{Wrong, item, "unreadable answer: " + err.Error(), ""}, ""
	}
	for _, g := range groups.ReplicationGroups {
		addresses := []*endpoint{g.ConfigurationEndpoint}
		for _, ng := range g.NodeGroups {
			addresses = append(addresses, ng.PrimaryEndpoint, ng.ReaderEndpoint)
		}
		if !slices.ContainsFunc(addresses, func(e *endpoint) bool { return e != nil && e.Address == host }) {
			continue
		}
		if g.Engine != "" && g.Engine != "redis" && g.Engine != "valkey" {
			return Result{Wrong, item, "its engine is " + g.Engine + ", not Redis", "point openwan:app.redisAddress at a Redis replication group"}, ""
		}
		vpc := ""
		if len(g.MemberClusters) > 0 {
			vpc = clusterVPC(aws, g.MemberClusters[0])
		}
		return Result{Status: Found, Item: item, Detail: "replication group " + g.ReplicationGroupID}, vpc
	}
	return Result{Missing, item, "no ElastiCache replication group of this account answers at " + host,
		"create an ElastiCache Redis replication group (aws elasticache create-replication-group ...) and set openwan:app.redisAddress to its primary endpoint"}, ""
}

// clusterVPC is the VPC of an ElastiCache cluster, through its subnet group.
func clusterVPC(aws AWS, id string) string {
	out, err := aws("elasticache", "describe-cache-clusters", "--cache-cluster-id", id)
	if err != nil {
		return ""
	}
	var clusters struct {
		CacheClusters []struct{ CacheSubnetGroupName string }
	}
	if json.Unmarshal(out, &clusters) != nil || len(clusters.CacheClusters) == 0 {
		return ""
	}
	return subnetGroupVPC(aws, clusters.CacheClusters[0].CacheSubnetGroupName)
}

func subnetGroupVPC(aws AWS, group string) string {
	if group == "" {
		return ""
	}
	out, err := aws("elasticache", "describe-cache-subnet-groups", "--cache-subnet-group-name", group)
	if err != nil {
		return ""
	}
	var groups struct {
		CacheSubnetGroups []struct {
			VpcID string `json:"VpcId"`
		}
	}
	if json.Unmarshal(out, &groups) != nil || len(groups.CacheSubnetGroups) == 0 {
		return ""
	}
	return groups.CacheSubnetGroups[0].VpcID
}

func brokerCheck(c config.Config, aws AWS) (Result, string) {
	name := c.EC2.Worker.Queue.Dimensions["Broker"]
	if name == "" {
		return Result{Unchecked, "RabbitMQ broker", "openwan:ec2.worker.queue.dimensions names no Broker", ""}, ""
	}
	item := "RabbitMQ broker " + name
	out, err := aws("mq", "list-brokers")
	if err != nil {
		return Result{Missing, item, firstLine(err), ""}, ""
	}
	var list struct {
		BrokerSummaries []struct {
			BrokerID   string `json:"BrokerId"`
			BrokerName string
			EngineType string
		}
	}
	if err := json.Unmarshal(out, &list); err != nil {
		return Result{Wrong, item, "unreadable answer: " + err.Error(), ""}, ""
	}
	for _, b := range list.BrokerSummaries {
		if b.BrokerName != name {
			continue
		}
		if !strings.EqualFold(b.EngineType, "RABBITMQ") {
			return Result{Wrong, item, "its engine is " + b.EngineType + ", not RabbitMQ", "name a RabbitMQ broker in openwan:ec2.worker.queue.dimensions.Broker"}, ""
		}
		return Result{Status: Found, Item: item, Detail: "broker " + b.BrokerID}, brokerVPC(aws, b.BrokerID)
	}
	return Result{Missing, item, "no Amazon MQ broker of that name", "create it (aws mq create-broker --engine-type RABBITMQ --broker-name " + name + " ...) or correct openwan:ec2.worker.queue.dimensions.Broker"}, ""
}

func brokerVPC(aws AWS, id string) string {
	out, err := aws("mq", "describe-broker", "--broker-id", id)
	if err != nil {
		return ""
	}
	var broker struct {
		SubnetIDs []string `json:"SubnetIds"`
	}
	if json.Unmarshal(out, &broker) != nil || len(broker.SubnetIDs) == 0 {
		return ""
	}
	out, err = aws("ec2", "describe-subnets", "--subnet-ids", broker.SubnetIDs[0])
	if err != nil {
		return ""
	}
	var subnets struct {
		Subnets []struct {
			VpcID string `json:"VpcId"`
		}
	}
	if json.Unmarshal(out, &subnets) != nil || len(subnets.Subnets) == 0 {
		return ""
	}
	return subnets.Subnets[0].VpcID
}

func databaseCheck(c config.Config, aws AWS) (Result, string) {
	id := c.Capacity.Database.Identifier
	want := c.Capacity.Database.MaxConnections
	if id == "" {
		return Result{Unchecked, "PostgreSQL", fmt.Sprintf("openwan:capacity.database.identifier is not set, so max_connections >= %d cannot be checked", want),
			"set openwan:capacity.database.identifier to the RDS instance"}, ""
	}
	item := "PostgreSQL " + id
	out, err := aws("rds", "describe-db-instances", "--db-instance-identifier", id)
	if err != nil {
		return Result{Missing, item, firstLine(err), "create the RDS instance, or correct openwan:capacity.database.identifier"}, ""
	}
	var instances struct {
		DBInstances []struct {
			Engine            string
			DBParameterGroups []struct{ DBParameterGroupName string }
			DBSubnetGroup     struct {
				VpcID string `json:"VpcId"`
			}
		}
	}
	if err := json.Unmarshal(out, &instances); err != nil || len(instances.DBInstances) == 0 {
		return Result{Wrong, item, "unreadable answer", ""}, ""
	}
	db := instances.DBInstances[0]
	vpc := db.DBSubnetGroup.VpcID
	if !strings.Contains(db.Engine, "postgres") {
		return Result{Wrong, item, "its engine is " + db.Engine + ", not PostgreSQL", ""}, vpc
	}
	if len(db.DBParameterGroups) == 0 {
		return Result{Wrong, item, "no parameter group", ""}, vpc
	}
	group := db.DBParameterGroups[0].DBParameterGroupName
	out, err = aws("rds", "describe-db-parameters", "--db-parameter-group-name", group, "--query", "Parameters[?ParameterName=='max_connections']")
	if err != nil {
		return Result{Wrong, item, firstLine(err), ""}, vpc
	}
	var params []struct{ ParameterValue string }
	if err := json.Unmarshal(out, &params); err != nil || len(params) == 0 {
		return Result{Wrong, item, "parameter group " + group + " has no max_connections", ""}, vpc
	}
	fix := fmt.Sprintf("aws rds modify-db-parameter-group --db-parameter-group-name %s --parameters ParameterName=max_connections,ParameterValue=%d,ApplyMethod=pending-reboot", group, want)
	have, err := strconv.Atoi(params[0].ParameterValue)
	if err != nil {
		// The default is a formula of the instance's memory ({DBInstanceClassMemory/9531392}).
		return Result{Wrong, item, fmt.Sprintf("max_connections is %q, a default that depends on the instance class; the plan needs %d", params[0].ParameterValue, want), fix}, vpc
	}
	if have < want {
		return Result{Wrong, item, fmt.Sprintf("max_connections is %d, below openwan:capacity.database.maxConnections %d", have, want), fix}, vpc
	}
	return Result{Status: Found, Item: item, Detail: fmt.Sprintf("max_connections %d >= %d", have, want)}, vpc
}

func parameters(stack string, aws AWS) Result {
	path := apppolicy.SecretsPath(stack)
	var names []string
	for _, k := range apppolicy.SecretKeys {
		names = append(names, path+k)
	}
	item := "SSM parameters " + strings.Join(names, ", ")
	out, err := aws(append([]string{"ssm", "get-parameters", "--names"}, names...)...)
	if err != nil {
		return Result{Missing, item, firstLine(err), ""}
	}
	var answer struct {
		Parameters        []struct{ Name, Type string }
		InvalidParameters []string
	}
	if err := json.Unmarshal(out, &answer); err != nil {
		return Result{Wrong, item, "unreadable answer: " + err.Error(), ""}
	}
	if len(answer.InvalidParameters) > 0 {
		missing := slices.Sorted(slices.Values(answer.InvalidParameters))
		var fixes []string
		for _, n := range missing {
			fixes = append(fixes, fmt.Sprintf("aws ssm put-parameter --type SecureString --name %s --value '...'", n))
		}
		return Result{Missing, item, strings.Join(missing, ", ") + " not found", strings.Join(fixes, "; ")}
	}
	for _, p := range answer.Parameters {
		if p.Type != "SecureString" {
			return Result{Wrong, item, p.Name + " is a " + p.Type + ", not a SecureString", "aws ssm put-parameter --overwrite --type SecureString --name " + p.Name + " --value '...'"}
		}
	}
	return Result{Status: Found, Item: item}
}

func costTag(aws AWS) Result {
	item := "cost allocation tag " + config.CostTagKey
	out, err := aws("ce", "list-cost-allocation-tags", "--tag-keys", config.CostTagKey)
	fix := "aws ce update-cost-allocation-tags-status --cost-allocation-tags-status TagKey=" + config.CostTagKey + ",Status=Active (after the first up: AWS lists a tag once resources carry it)"
	if err != nil {
		return Result{Missing, item, firstLine(err), fix}
	}
	var tags struct {
		CostAllocationTags []struct{ TagKey, Status string }
	}
	if err := json.Unmarshal(out, &tags); err != nil {
		return Result{Wrong, item, "unreadable answer: " + err.Error(), ""}
	}
	for _, t := range tags.CostAllocationTags {
		if t.TagKey == config.CostTagKey {
			if t.Status == "Active" {
				return Result{Status: Found, Item: item, Detail: "active"}
			}
			return Result{Wrong, item, "inactive: the budget sees nothing", fix}
		}
	}
	return Result{Missing, item, "not known to Billing yet", fix}
}

// reachability: the stack's pods and instances reach the data stores only from their VPC.
func reachability(c config.Config, vpcs map[string]string) Result {
	item := "reachability of the data stores"
	var others []string
	for _, store := range slices.Sorted(maps.Keys(vpcs)) {
		vpc := vpcs[store]
		if vpc == "" {
			continue
		}
		if c.Network.VPCID == "" || vpc != c.Network.VPCID {
			others = append(others, store+" in "+vpc)
		}
	}
	if len(others) == 0 {
		if c.Network.VPCID == "" {
			return Result{Status: Found, Item: item, Detail: "no data store found in another VPC"}
		}
		return Result{Status: Found, Item: item, Detail: "in " + c.Network.VPCID + ", the stack's VPC"}
	}
	if c.Network.VPCID == "" {
		return Result{Wrong, item, "the stack creates a new VPC, but " + strings.Join(others, ", "),
			"set openwan:network.vpcId (and its subnet IDs) to that VPC, or peer the new VPC with it and route between them (docs/runbook.md)"}
	}
	return Result{Wrong, item, "the stack runs in " + c.Network.VPCID + ", but " + strings.Join(others, ", "),
		"peer the VPCs, or move the stack to the data stores' VPC (openwan:network.vpcId)"}
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
