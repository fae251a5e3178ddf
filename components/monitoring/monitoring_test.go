package monitoring

import (
	"encoding/json"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/components/internal/componenttest"
)

const (
	alarmType  = "aws:cloudwatch/metricAlarm:MetricAlarm"
	budgetType = "aws:budgets/budget:Budget"
	topicARN   = pulumi.String("arn:aws:sns:us-east-1:123456789012:alerts")
)

func validSLOArgs() *SLOAlarmsArgs {
	return &SLOAlarmsArgs{LoadBalancerSuffix: pulumi.String("app/api/1"), What: "API", P95Seconds: 0.5, P99Seconds: 1,
		ErrorRatePercent: 1, FirstCommand: "kubectl describe hpa", TopicARN: topicARN}
}

func TestSLOAlarmsArgsRefusals(t *testing.T) {
	componenttest.Refusals(t, validSLOArgs, (*SLOAlarmsArgs).validate, []componenttest.Refusal[SLOAlarmsArgs]{
		{Name: "p99 faster than p95", Change: func(a *SLOAlarmsArgs) { a.P99Seconds = 0.4 }, Fields: []string{"P99Seconds"}},
		{Name: "no error rate", Change: func(a *SLOAlarmsArgs) { a.ErrorRatePercent = 0 }, Fields: []string{"ErrorRatePercent"}},
		{Name: "a page without a first step", Change: func(a *SLOAlarmsArgs) { a.FirstCommand = "" }, Fields: []string{"FirstCommand"}},
		{Name: "no load balancer", Change: func(a *SLOAlarmsArgs) { a.LoadBalancerSuffix = nil }, Fields: []string{"LoadBalancerSuffix"}},
	})
}

// TestSLOAlarmsDeclare: p95 and p99 as extended statistics of TargetResponseTime, the 5xx share
// as metric math, each paging on 3 of 5 minutes with the first command in its description.
func TestSLOAlarmsDeclare(t *testing.T) {
	p := componenttest.Declare(t, NewSLOAlarms, "slo", validSLOArgs())
	in := func(name, path string) any { return componenttest.Input(t, p, alarmType, name, path) }
	assert.ElementsMatch(t, []string{"slo-p95", "slo-p99", "slo-error-rate"}, componenttest.Names(p, alarmType))
	for name, want := range map[string]struct {
		stat      string
		threshold float64
	}{"slo-p95": {"p95", 0.5}, "slo-p99": {"p99", 1}} {
		assert.Equal(t, want.stat, in(name, "extendedStatistic"))
		assert.Equal(t, "TargetResponseTime", in(name, "metricName"))
		assert.Equal(t, map[string]any{"LoadBalancer": "app/api/1"}, in(name, "dimensions"))
		assert.EqualValues(t, want.threshold, in(name, "threshold"))
	}
	assert.Equal(t, ErrorRateExpression, in("slo-error-rate", "metricQueries.2.expression"))
	assert.EqualValues(t, 1, in("slo-error-rate", "threshold"))
	for _, name := range componenttest.Names(p, alarmType) {
		assert.EqualValues(t, 5, in(name, "evaluationPeriods"), "%s: a five-minute window", name)
		assert.EqualValues(t, 3, in(name, "datapointsToAlarm"), "%s: three breaching minutes page", name)
		assert.Equal(t, "notBreaching", in(name, "treatMissingData"), "%s: an idle API is not failing", name)
		assert.Equal(t, []any{string(topicARN)}, in(name, "alarmActions"))
		assert.Contains(t, in(name, "alarmDescription"), "First: kubectl describe hpa")
	}
}

func validAtMaxArgs() *AtMaxAlarmsArgs {
	return &AtMaxAlarmsArgs{ClusterName: pulumi.String("openwan-prod"), Namespace: "openwan",
		Workloads: []Workload{{Name: "openwan-api", MaxReplicas: 20}}, Minutes: 15, TopicARN: topicARN}
}

func TestAtMaxAlarmsArgsRefusals(t *testing.T) {
	componenttest.Refusals(t, validAtMaxArgs, (*AtMaxAlarmsArgs).validate, []componenttest.Refusal[AtMaxAlarmsArgs]{
		{Name: "no workload", Change: func(a *AtMaxAlarmsArgs) { a.Workloads = nil }, Fields: []string{"Workloads"}},
		{Name: "a workload without a maximum", Change: func(a *AtMaxAlarmsArgs) { a.Workloads[0].MaxReplicas = 0 }, Fields: []string{"Workloads[0]"}},
		{Name: "no minutes", Change: func(a *AtMaxAlarmsArgs) { a.Minutes = 0 }, Fields: []string{"Minutes"}},
	})
}

func TestAtMaxAlarmsDeclare(t *testing.T) {
	p := componenttest.Declare(t, NewAtMaxAlarms, "at-max", validAtMaxArgs())
	in := func(path string) any { return componenttest.Input(t, p, alarmType, "at-max-openwan-api", path) }
	assert.Equal(t, "ContainerInsights", in("namespace"))
	assert.Equal(t, DesiredReplicasMetric, in("metricName"))
	assert.Equal(t, map[string]any{"ClusterName": "openwan-prod", "Namespace": "openwan", "PodName": "openwan-api"}, in("dimensions"))
	assert.EqualValues(t, 20, in("threshold"), "the HPA's maximum")
	assert.Equal(t, "GreaterThanOrEqualToThreshold", in("comparisonOperator"))
	assert.Equal(t, "Minimum", in("statistic"), "every minute at the maximum, not one")
	assert.EqualValues(t, 15, in("evaluationPeriods"), "for Minutes one-minute periods")
	assert.Contains(t, in("alarmDescription"), "kubectl describe hpa -n openwan")
}

func validBudgetArgs() *BudgetArgs {
	return &BudgetArgs{LimitUSD: 681.59, TagKey: "openwan-stack", TagValue: "prod", Emails: []string{"oncall@example.com"}}
}

func TestBudgetArgsRefusals(t *testing.T) {
	componenttest.Refusals(t, validBudgetArgs, (*BudgetArgs).validate, []componenttest.Refusal[BudgetArgs]{
		{Name: "no limit", Change: func(a *BudgetArgs) { a.LimitUSD = 0 }, Fields: []string{"LimitUSD"}},
		{Name: "the whole account", Change: func(a *BudgetArgs) { a.TagValue = "" }, Fields: []string{"TagKey"}},
	})
}

// TestBudgetDeclares: a monthly cost budget on the stack's tag, told at 80 % actual and 100 %
// forecast; without e-mails, no notification (AWS refuses one without a subscriber).
func TestBudgetDeclares(t *testing.T) {
	p := componenttest.Declare(t, NewBudget, "budget", validBudgetArgs())
	in := func(path string) any { return componenttest.Input(t, p, budgetType, "budget", path) }
	assert.Equal(t, "COST", in("budgetType"))
	assert.Equal(t, "MONTHLY", in("timeUnit"))
	assert.Equal(t, "681.59", in("limitAmount"))
	assert.Equal(t, []any{map[string]any{"name": "TagKeyValue", "values": []any{"user:openwan-stack$prod"}}}, in("costFilters"))
	notifications := in("notifications").([]any)
	require.Len(t, notifications, 2)
	for i, want := range []struct {
		kind    string
		percent float64
	}{{"ACTUAL", ActualAlertPercent}, {"FORECASTED", ForecastAlertPercent}} {
		n := notifications[i].(map[string]any)
		assert.Equal(t, want.kind, n["notificationType"])
		assert.Equal(t, want.percent, n["threshold"])
		assert.Equal(t, "PERCENTAGE", n["thresholdType"])
		assert.Equal(t, []any{"oncall@example.com"}, n["subscriberEmailAddresses"])
	}
	quiet := validBudgetArgs()
	quiet.Emails = nil
	p = componenttest.Declare(t, NewBudget, "budget", quiet)
	r, err := p.Get(budgetType, "budget")
	require.NoError(t, err)
	_, err = r.Input("notifications")
	assert.Error(t, err, "no subscriber, no notification")
}

// TestBodyRendersTypedGraphs: two graphs a row; metrics as [namespace, name, dims..., options];
// expressions over hidden lines; thresholds as horizontal annotations.
func TestBodyRendersTypedGraphs(t *testing.T) {
	text, err := Body("us-east-1", []Graph{
		{Title: "a", Lines: []Line{{Label: "cpu", Namespace: "AWS/EC2", Name: "CPUUtilization", Dimensions: [][2]string{{"AutoScalingGroupName", "g"}}}},
			Thresholds: []Threshold{{"target", 70}}},
		{Title: "b", Stat: "Sum", Lines: []Line{
			{ID: "e", Namespace: "N", Name: "E", Hidden: true, Stat: "Sum"},
			{ID: "r", Label: "rate", Expression: "100 * e"},
		}},
		{Title: "c", Lines: []Line{{Namespace: "N", Name: "M"}}},
	})
	require.NoError(t, err)
	var b struct {
		Widgets []struct {
			X, Y, Width, Height int
			Properties          struct {
				Title, Region, Stat string
				Period              int
				Metrics             [][]any
				Annotations         *struct {
					Horizontal []struct {
						Label string
						Value float64
					}
				}
			}
		}
	}
	require.NoError(t, json.Unmarshal([]byte(text), &b))
	require.Len(t, b.Widgets, 3)
	assert.Equal(t, [4]int{0, 0, 12, 6}, [4]int{b.Widgets[0].X, b.Widgets[0].Y, b.Widgets[0].Width, b.Widgets[0].Height})
	assert.Equal(t, [2]int{12, 0}, [2]int{b.Widgets[1].X, b.Widgets[1].Y}, "the second beside the first")
	assert.Equal(t, [2]int{0, 6}, [2]int{b.Widgets[2].X, b.Widgets[2].Y}, "the third on the next row")
	a := b.Widgets[0].Properties
	assert.Equal(t, "Average", a.Stat, "the default statistic")
	assert.Equal(t, 60, a.Period)
	assert.Equal(t, []any{"AWS/EC2", "CPUUtilization", "AutoScalingGroupName", "g", map[string]any{"label": "cpu"}}, a.Metrics[0])
	require.NotNil(t, a.Annotations)
	assert.Equal(t, 70.0, a.Annotations.Horizontal[0].Value)
	m := b.Widgets[1].Properties.Metrics
	assert.Equal(t, []any{"N", "E", map[string]any{"id": "e", "stat": "Sum", "visible": false}}, m[0])
	assert.Equal(t, []any{map[string]any{"id": "r", "label": "rate", "expression": "100 * e"}}, m[1])
	assert.Nil(t, b.Widgets[2].Properties.Annotations, "no thresholds, no annotations")

	_, err = Body("us-east-1", []Graph{{Title: "empty"}})
	assert.ErrorContains(t, err, `graph "empty": no lines`)
}

// TestPlatformGraphsDrawTheTargets: an EKS workload's HPA target, a share of its request, is
// drawn as a share of the limit Container Insights reports against.
func TestPlatformGraphsDrawTheTargets(t *testing.T) {
	graphs := PlatformGraphs(PlatformSpec{P50Seconds: 0.1, P95Seconds: 0.5, P99Seconds: 1, ErrorRatePercent: 1,
		EKS: &EKSSpec{Namespace: "openwan", Worker: "openwan-worker", Workloads: []WorkloadSpec{{
			Name: "openwan-api", MaxReplicas: 20, CPUPercent: 70, MemoryPercent: 80, CPURequestPerLimit: 0.25, MemoryRequestPerLimit: 1,
		}}}}, map[string]string{NameCluster: "openwan-prod", NameEKSLoadBalancer: "app/k8s/1"})
	byTitle := map[string]Graph{}
	for _, g := range graphs {
		byTitle[g.Title] = g
	}
	require.Contains(t, byTitle, "openwan-api: CPU and memory (% of limit)")
	assert.Equal(t, []float64{17.5, 80}, []float64{byTitle["openwan-api: CPU and memory (% of limit)"].Thresholds[0].Value,
		byTitle["openwan-api: CPU and memory (% of limit)"].Thresholds[1].Value}, "70 % of a request a quarter of the limit")
	assert.Equal(t, []Threshold{{"HPA maximum", 20}}, byTitle["openwan-api: pods"].Thresholds)
	assert.Equal(t, []Threshold{{"p50 target", 0.1}, {"p95 target", 0.5}, {"p99 target", 1}}, byTitle["EKS API: response time (s)"].Thresholds)
	assert.NotContains(t, byTitle, "openwan-worker: queued jobs per pod", "no queue metric configured, no queue graph")
}
