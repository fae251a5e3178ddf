package components_test

import (
	"encoding/json"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/components/monitoring"
	"github.com/openwan/openwan-infra/internal/componenttest"
	"github.com/openwan/openwan-infra/internal/model"
)

// monitoringTopicARN is the alerts topic the alarms of these tests notify.
const monitoringTopicARN = pulumi.String("arn:aws:sns:us-east-1:123456789012:alerts")

func monitoringValidSLOArgs() *monitoring.SLOAlarmsArgs {
	return &monitoring.SLOAlarmsArgs{LoadBalancerSuffix: pulumi.String("app/api/1"), What: "API", P95Seconds: 0.5, P99Seconds: 1,
		ErrorRatePercent: 1, FirstCommand: "kubectl describe hpa", TopicARN: monitoringTopicARN}
}

func TestSLOAlarmsArgsRefusals(t *testing.T) {
	componenttest.Refusals(t, monitoringValidSLOArgs, componenttest.Validator(monitoring.NewSLOAlarms, "slo"), []componenttest.Refusal[monitoring.SLOAlarmsArgs]{
		{Name: "p99 faster than p95", Change: func(a *monitoring.SLOAlarmsArgs) { a.P99Seconds = 0.4 }, Fields: []string{"P99Seconds"}},
		{Name: "no error rate", Change: func(a *monitoring.SLOAlarmsArgs) { a.ErrorRatePercent = 0 }, Fields: []string{"ErrorRatePercent"}},
		{Name: "a page without a first step", Change: func(a *monitoring.SLOAlarmsArgs) { a.FirstCommand = "" }, Fields: []string{"FirstCommand"}},
		{Name: "no load balancer", Change: func(a *monitoring.SLOAlarmsArgs) { a.LoadBalancerSuffix = nil }, Fields: []string{"LoadBalancerSuffix"}},
	})
}

// TestSLOAlarmsDeclare: p95 and p99 as extended statistics of TargetResponseTime, the 5xx share
// as metric math, each paging on 3 of 5 minutes with the first command in its description.
func TestSLOAlarmsDeclare(t *testing.T) {
	p := componenttest.Declare(t, monitoring.NewSLOAlarms, "slo", monitoringValidSLOArgs())
	in := func(name, path string) any {
		return componenttest.Input(t, p, model.TypeCloudWatchMetricAlarm, name, path)
	}
	assert.ElementsMatch(t, []string{"slo-p95", "slo-p99", "slo-error-rate"}, componenttest.Names(p, model.TypeCloudWatchMetricAlarm))
	for name, want := range map[string]struct {
		stat      string
		threshold float64
	}{"slo-p95": {"p95", 0.5}, "slo-p99": {"p99", 1}} {
		assert.Equal(t, want.stat, in(name, "extendedStatistic"))
		assert.Equal(t, "TargetResponseTime", in(name, "metricName"))
		assert.Equal(t, map[string]any{"LoadBalancer": "app/api/1"}, in(name, "dimensions"))
		assert.EqualValues(t, want.threshold, in(name, "threshold"))
	}
	assert.Equal(t, monitoring.ErrorRateExpression, in("slo-error-rate", "metricQueries.2.expression"))
	assert.EqualValues(t, 1, in("slo-error-rate", "threshold"))
	for _, name := range componenttest.Names(p, model.TypeCloudWatchMetricAlarm) {
		assert.EqualValues(t, 5, in(name, "evaluationPeriods"), "%s: a five-minute window", name)
		assert.EqualValues(t, 3, in(name, "datapointsToAlarm"), "%s: three breaching minutes page", name)
		assert.Equal(t, "notBreaching", in(name, "treatMissingData"), "%s: an idle API is not failing", name)
		assert.Equal(t, []any{string(monitoringTopicARN)}, in(name, "alarmActions"))
		assert.Contains(t, in(name, "alarmDescription"), "First: kubectl describe hpa")
	}
}

func monitoringValidAtMaxArgs() *monitoring.AtMaxAlarmsArgs {
	return &monitoring.AtMaxAlarmsArgs{ClusterName: pulumi.String("openwan-prod"), Namespace: "openwan",
		Workloads: []monitoring.Workload{{Name: "openwan-api", MaxReplicas: 20}}, Minutes: 15, TopicARN: monitoringTopicARN}
}

func TestAtMaxAlarmsArgsRefusals(t *testing.T) {
	componenttest.Refusals(t, monitoringValidAtMaxArgs, componenttest.Validator(monitoring.NewAtMaxAlarms, "at-max"), []componenttest.Refusal[monitoring.AtMaxAlarmsArgs]{
		{Name: "no workload", Change: func(a *monitoring.AtMaxAlarmsArgs) { a.Workloads = nil }, Fields: []string{"Workloads"}},
		{Name: "a workload without a maximum", Change: func(a *monitoring.AtMaxAlarmsArgs) { a.Workloads[0].MaxReplicas = 0 }, Fields: []string{"Workloads[0]"}},
		{Name: "no minutes", Change: func(a *monitoring.AtMaxAlarmsArgs) { a.Minutes = 0 }, Fields: []string{"Minutes"}},
	})
}

func TestAtMaxAlarmsDeclare(t *testing.T) {
	p := componenttest.Declare(t, monitoring.NewAtMaxAlarms, "at-max", monitoringValidAtMaxArgs())
	in := func(path string) any {
		return componenttest.Input(t, p, model.TypeCloudWatchMetricAlarm, "at-max-openwan-api", path)
	}
	assert.Equal(t, "ContainerInsights", in("namespace"))
	assert.Equal(t, monitoring.DesiredReplicasMetric, in("metricName"))
	assert.Equal(t, map[string]any{"ClusterName": "openwan-prod", "Namespace": "openwan", "PodName": "openwan-api"}, in("dimensions"))
	assert.EqualValues(t, 20, in("threshold"), "the HPA's maximum")
	assert.Equal(t, "GreaterThanOrEqualToThreshold", in("comparisonOperator"))
	assert.Equal(t, "Minimum", in("statistic"), "every minute at the maximum, not one")
	assert.EqualValues(t, 15, in("evaluationPeriods"), "for Minutes one-minute periods")
	assert.Contains(t, in("alarmDescription"), "kubectl describe hpa -n openwan")
}

func monitoringValidBudgetArgs() *monitoring.BudgetArgs {
	return &monitoring.BudgetArgs{LimitUSD: 681.59, TagKey: "openwan-stack", TagValue: "prod", Emails: []string{"oncall@example.com"}}
}

func TestBudgetArgsRefusals(t *testing.T) {
	componenttest.Refusals(t, monitoringValidBudgetArgs, componenttest.Validator(monitoring.NewBudget, "budget"), []componenttest.Refusal[monitoring.BudgetArgs]{
		{Name: "no limit", Change: func(a *monitoring.BudgetArgs) { a.LimitUSD = 0 }, Fields: []string{"LimitUSD"}},
		{Name: "the whole account", Change: func(a *monitoring.BudgetArgs) { a.TagValue = "" }, Fields: []string{"TagKey"}},
	})
}

// TestBudgetDeclares: a monthly cost budget on the stack's tag, told at 80 % actual and 100 %
// forecast; without e-mails, no notification (AWS refuses one without a subscriber).
func TestBudgetDeclares(t *testing.T) {
	p := componenttest.Declare(t, monitoring.NewBudget, "budget", monitoringValidBudgetArgs())
	in := func(path string) any { return componenttest.Input(t, p, model.TypeBudget, "budget", path) }
	assert.Equal(t, "COST", in("budgetType"))
	assert.Equal(t, "MONTHLY", in("timeUnit"))
	assert.Equal(t, "681.59", in("limitAmount"))
	assert.Equal(t, []any{map[string]any{"name": "TagKeyValue", "values": []any{"user:openwan-stack$prod"}}}, in("costFilters"))
	notifications := in("notifications").([]any)
	require.Len(t, notifications, 2)
	for i, want := range []struct {
		kind    string
		percent float64
	}{{"ACTUAL", monitoring.ActualAlertPercent}, {"FORECASTED", monitoring.ForecastAlertPercent}} {
		n := notifications[i].(map[string]any)
		assert.Equal(t, want.kind, n["notificationType"])
		assert.Equal(t, want.percent, n["threshold"])
		assert.Equal(t, "PERCENTAGE", n["thresholdType"])
		assert.Equal(t, []any{"oncall@example.com"}, n["subscriberEmailAddresses"])
	}
	quiet := monitoringValidBudgetArgs()
	quiet.Emails = nil
	p = componenttest.Declare(t, monitoring.NewBudget, "budget", quiet)
	r, err := p.Get(model.TypeBudget, "budget")
	require.NoError(t, err)
	_, err = r.Input("notifications")
	assert.Error(t, err, "no subscriber, no notification")
}

// TestBodyRendersTypedGraphs: two graphs a row; metrics as [namespace, name, dims..., options];
// expressions over hidden lines; thresholds as horizontal annotations.
func TestBodyRendersTypedGraphs(t *testing.T) {
	text, err := monitoring.Body("us-east-1", []monitoring.Graph{
		{Title: "a", Lines: []monitoring.Line{{Label: "cpu", Namespace: "AWS/EC2", Name: "CPUUtilization", Dimensions: [][2]string{{"AutoScalingGroupName", "g"}}}},
			Thresholds: []monitoring.Threshold{{Label: "target", Value: 70}}},
		{Title: "b", Stat: "Sum", Lines: []monitoring.Line{
			{ID: "e", Namespace: "N", Name: "E", Hidden: true, Stat: "Sum"},
			{ID: "r", Label: "rate", Expression: "100 * e"},
		}},
		{Title: "c", Lines: []monitoring.Line{{Namespace: "N", Name: "M"}}},
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

	_, err = monitoring.Body("us-east-1", []monitoring.Graph{{Title: "empty"}})
	assert.ErrorContains(t, err, `graph "empty": no lines`)
}

// TestPlatformGraphsDrawTheTargets: an EKS workload's HPA target, a share of its request, is
// drawn as a share of the limit Container Insights reports against.
func TestPlatformGraphsDrawTheTargets(t *testing.T) {
	graphs := monitoring.PlatformGraphs(monitoring.PlatformSpec{P50Seconds: 0.1, P95Seconds: 0.5, P99Seconds: 1, ErrorRatePercent: 1,
		EKS: &monitoring.EKSSpec{Namespace: "openwan", Worker: "openwan-worker", Workloads: []monitoring.WorkloadSpec{{
			Name: "openwan-api", MaxReplicas: 20, CPUPercent: 70, MemoryPercent: 80, CPURequestPerLimit: 0.25, MemoryRequestPerLimit: 1,
		}}}}, map[string]string{monitoring.NameCluster: "openwan-prod", monitoring.NameEKSLoadBalancer: "app/k8s/1"})
	byTitle := map[string]monitoring.Graph{}
	for _, g := range graphs {
		byTitle[g.Title] = g
	}
	require.Contains(t, byTitle, "openwan-api: CPU and memory (% of limit)")
	assert.Equal(t, []float64{17.5, 80}, []float64{byTitle["openwan-api: CPU and memory (% of limit)"].Thresholds[0].Value,
		byTitle["openwan-api: CPU and memory (% of limit)"].Thresholds[1].Value}, "70 % of a request a quarter of the limit")
	assert.Equal(t, []monitoring.Threshold{{Label: "HPA maximum", Value: 20}}, byTitle["openwan-api: pods"].Thresholds)
	assert.Equal(t, []monitoring.Threshold{{Label: "p50 target", Value: 0.1}, {Label: "p95 target", Value: 0.5}, {Label: "p99 target", Value: 1}}, byTitle["EKS API: response time (s)"].Thresholds)
	assert.NotContains(t, byTitle, "openwan-worker: queued jobs per pod", "no queue metric configured, no queue graph")
}
