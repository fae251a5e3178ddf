package components_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/internal/awsmodel"
	"github.com/openwan/openwan-infra/internal/model"
)

// TestAWSModelsAcceptThePlans: every AWS input of the prod and dev plans, the children pulumi-eks
// creates included, is what AWS's own API models accept, and every IAM action names an
// operation (internal/awsmodel says how inputs map to calls).
func TestAWSModelsAcceptThePlans(t *testing.T) {
	for _, stack := range []string{"prod", "dev"} {
		t.Run(stack, func(t *testing.T) {
			p := runStack(t, stack, false)
			resources, err := p.WithRemoteChildren()
			require.NoError(t, err)
			findings, err := awsmodel.Judge(resources)
			require.NoError(t, err, "the pinned models load")
			for _, f := range findings {
				t.Errorf("%s: %s", f.URN, f.Message)
			}
			assert.Empty(t, findings, "AWS's models find nothing wrong with %s", stack)
		})
	}
}

// TestAWSModelsJudgeBites: a copy of the prod plan with one defect at a time (an enum AWS does
// not know, a number outside its range, a misspelt IAM action) fails the judge, naming the
// resource, the field and what AWS allows. Without it, a judge that passed everything would
// pass too.
func TestAWSModelsJudgeBites(t *testing.T) {
	p := runStack(t, "prod", false)
	base, err := p.WithRemoteChildren()
	require.NoError(t, err)
	for _, tc := range []struct {
		name   string
		typ    string
		res    string
		change func(in map[string]any)
		want   []string
	}{
		{"an enum AWS does not know", "aws:cloudwatch/metricAlarm:MetricAlarm", "openwan-api-alarms-max-capacity",
			func(in map[string]any) { in["comparisonOperator"] = "GreaterThan" },
			[]string{"PutMetricAlarm.ComparisonOperator", `"GreaterThan" is not one of`, "GreaterThanOrEqualToThreshold"}},
		{"a port outside its range", "aws:lb/listener:Listener", "openwan-api-lb-https",
			func(in map[string]any) { in["port"] = 70000.0 },
			[]string{"CreateListener.Port", "value 70000 is above the maximum 65535"}},
		{"a misspelt IAM action", "aws:iam/rolePolicy:RolePolicy", "openwan-api-asg-complete-lifecycle",
			func(in map[string]any) {
				in["policy"] = strings.Replace(in["policy"].(string), "CompleteLifecycleAction", "CompleteLifecycleActon", 1)
			},
			[]string{`action "autoscaling:CompleteLifecycleActon" names no operation of autoscaling`, "CompleteLifecycleAction"}},
		{"an alarm period AWS's documentation refuses", "aws:cloudwatch/metricAlarm:MetricAlarm", "openwan-api-alarms-max-capacity",
			func(in map[string]any) { in["period"] = 90.0 },
			[]string{"AWS documentation: period 90 s", "10, 30 or a multiple of 60"}},
		{"a subnet outside its VPC", "aws:ec2/subnet:Subnet", "openwan-private-0",
			func(in map[string]any) { in["cidrBlock"] = "10.9.0.0/19" },
			[]string{"cidrBlock 10.9.0.0/19 lies outside its VPC's 10.0.0.0/16"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resources := make([]model.Resource, len(base))
			copy(resources, base)
			changed := ""
			for i, r := range resources {
				if r.Type == tc.typ && r.Name == tc.res {
					r.Inputs = maps.Clone(r.Inputs)
					tc.change(r.Inputs)
					resources[i], changed = r, r.URN
				}
			}
			require.NotEmpty(t, changed, "precondition: prod has %s %s", tc.typ, tc.res)
			findings, err := awsmodel.Judge(resources)
			require.NoError(t, err)
			require.Len(t, findings, 1, "exactly the one defect: %v", findings)
			assert.Equal(t, changed, findings[0].URN, "the finding names the resource")
			for _, want := range tc.want {
				assert.Contains(t, findings[0].Message, want)
			}
		})
	}
}

// A type the judge has no mapping for fails it, so a new kind of resource is judged or said why
// not.
func TestAWSModelsRefuseAnUnmappedType(t *testing.T) {
	findings, err := awsmodel.Judge([]model.Resource{{URN: "urn:x", Type: "aws:s3/bucketV2:BucketV2", Name: "media", Custom: true}})
	require.NoError(t, err)
	require.Len(t, findings, 1)
	assert.Contains(t, findings[0].Message, "aws:s3/bucketV2:BucketV2 has no mapping to AWS API calls")
}
