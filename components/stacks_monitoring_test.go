package components_test

import (
	"maps"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/capacity"
	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/config/configtest"
	"github.com/openwan/openwan-infra/internal/model"
)

const budgetType = "aws:budgets/budget:Budget"

// TestProdPagesOnTheGuidesTargets pins the SLO alarms of both prod API load balancers to the
// guide's load-test table (p95 < 500 ms, p99 < 1000 ms, errors < 1 %), which are the defaults
// prod keeps: the literals are the specification.
func TestProdPagesOnTheGuidesTargets(t *testing.T) {
	cfg := configtest.Prod(t)
	require.Equal(t, config.Latency{P50Seconds: 0.1, P95Seconds: 0.5, P99Seconds: 1}, cfg.Alerts.Latency, "prod keeps the guide's latency targets")
	require.Equal(t, 1.0, cfg.Alerts.ErrorRatePercent, "prod keeps the guide's error-rate target")
	p := runStack(t, "prod", false)
	topic := mustGet(t, p, topicType, "openwan-alerts").URN
	for _, lb := range []string{"openwan-api-slo", "openwan-eks-api-slo"} {
		runChecks(t, p, []check{
			{alarmType, lb + "-p95", "extendedStatistic", "p95"},
			{alarmType, lb + "-p95", "threshold", 0.5},
			{alarmType, lb + "-p99", "extendedStatistic", "p99"},
			{alarmType, lb + "-p99", "threshold", 1},
			{alarmType, lb + "-error-rate", "threshold", 1},
		})
		for _, a := range []string{"-p95", "-p99", "-error-rate"} {
			alarm := mustGet(t, p, alarmType, lb+a)
			assert.Contains(t, alarm.Dependencies, topic, "%s%s notifies the alerts topic", lb, a)
		}
	}
	// The EC2 ALB's alarms watch that ALB; the EKS ALB's the one the controller made (looked up).
	assert.Contains(t, mustGet(t, p, alarmType, "openwan-api-slo-p95").Dependencies, mustGet(t, p, "aws:lb/loadBalancer:LoadBalancer", "openwan-api-lb").URN)
	runChecks(t, p, []check{{alarmType, "openwan-eks-api-slo-p95", "dimensions.LoadBalancer", p.Outputs["eksApiLoadBalancerArnSuffix"]}})
}

// TestProdWatchesTheWorkloadsAtTheirMaximum: the Container Insights add-on with its own role,
// and one alarm per workload at its HPA maximum for openwan:alerts.atMaxMinutes.
func TestProdWatchesTheWorkloadsAtTheirMaximum(t *testing.T) {
	cfg := configtest.Prod(t)
	require.Equal(t, 15, cfg.Alerts.AtMaxMinutes, "prod pages after the issue's 15 minutes")
	p := runStack(t, "prod", false)
	runChecks(t, p, []check{
		{"aws:eks/addon:Addon", "container-insights", "addonName", "amazon-cloudwatch-observability"},
		{"aws:iam/rolePolicyAttachment:RolePolicyAttachment", "container-insights-role-managed-0", "policyArn",
			"arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"},
		{alarmType, "openwan-at-max-openwan-api", "threshold", cfg.API.Replicas.Max},
		{alarmType, "openwan-at-max-openwan-api", "evaluationPeriods", 15},
		{alarmType, "openwan-at-max-openwan-worker", "threshold", cfg.Worker.Replicas.Max},
	})
	trust, err := mustGet(t, p, roleType, "container-insights-role").Input("assumeRolePolicy")
	require.NoError(t, err)
	assert.Contains(t, trust, "system:serviceaccount:amazon-cloudwatch:cloudwatch-agent", "the agent's account only")
	addon := mustGet(t, p, "aws:eks/addon:Addon", "container-insights")
	assert.Contains(t, addon.Dependencies, mustGet(t, p, "aws:eks/addon:Addon", "openwan-vpc-cni").URN, "after the core add-ons and the nodes")
}

// TestProdDashboardAndBudget: one dashboard per stack with its address in the outputs, and a
// budget whose limit the capacity plan derives, told at 80 % actual and 100 % forecast.
func TestProdDashboardAndBudget(t *testing.T) {
	cfg := configtest.Prod(t)
	plan, err := capacity.Check(cfg)
	require.NoError(t, err)
	want := capacity.Budget(cfg.Alerts, plan.Cost)
	p := runStack(t, "prod", false)

	runChecks(t, p, []check{{"aws:cloudwatch/dashboard:Dashboard", "openwan-dashboard", "dashboardName", "openwan-prod"}})
	assert.Equal(t, "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name=openwan-prod", p.Outputs["dashboardUrl"])

	budget := "openwan-prod-budget"
	runChecks(t, p, []check{
		{budgetType, budget, "limitAmount", fmtUSD(want.LimitUSD)},
		{budgetType, budget, "costFilters.0.values.0", "user:" + config.CostTagKey + "$prod"},
		{budgetType, budget, "notifications.0.notificationType", "ACTUAL"},
		{budgetType, budget, "notifications.0.threshold", 80},
		{budgetType, budget, "notifications.1.notificationType", "FORECASTED"},
		{budgetType, budget, "notifications.1.threshold", 100},
	})
	// The limit is the plan's whole baseline month (instances, warm pool, everything else it
	// creates), plus the margin.
	baseline := plan.Cost.MonthlyUSD.Baseline.Total + plan.Cost.WarmPool.MonthlyUSD + plan.Cost.Platform.MonthlyUSD
	assert.InDelta(t, baseline*(1+float64(cfg.Alerts.Budget.MarginPercent)/100), want.LimitUSD, 0.01)
	assert.Equal(t, want.LimitUSD, outputNumber(t, p, "budget.limitUSD"))
	assert.Equal(t, true, output(t, p, "budget.maxExceedsLimit"), "prod at its maximum would break the budget, and says so")
}

// fmtUSD is a budget's limit as AWS takes it: dollars and cents.
func fmtUSD(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

// TestProdLogsExpire: every log group the stack's EKS path writes to is declared with
// openwan:cluster.logRetentionDays before its writer: the control plane's, and Container
// Insights' application, dataplane, host and performance groups, which Fluent Bit and the agent
// would otherwise create never to expire.
func TestProdLogsExpire(t *testing.T) {
	cfg := configtest.Prod(t)
	p := runStack(t, "prod", false)
	const logGroupType = "aws:cloudwatch/logGroup:LogGroup"
	byName := map[string]model.Resource{}
	for _, g := range p.Find(logGroupType) {
		name, _ := g.Inputs["name"].(string)
		byName[name] = g
		assert.EqualValues(t, cfg.Cluster.LogRetentionDays, g.Inputs["retentionInDays"], "%s keeps openwan:cluster.logRetentionDays", name)
	}
	want := []string{"/aws/eks/openwan-prod/cluster"}
	for _, kind := range []string{"application", "dataplane", "host", "performance"} {
		want = append(want, "/aws/containerinsights/openwan-prod/"+kind)
	}
	assert.ElementsMatch(t, want, slices.Collect(maps.Keys(byName)), "the control plane's and Container Insights' groups")
	addon := mustGet(t, p, "aws:eks/addon:Addon", "container-insights")
	for _, name := range want[1:] {
		assert.Contains(t, addon.Dependencies, byName[name].URN, "the add-on waits for %s", name)
	}
	assert.Contains(t, mustGet(t, p, "eks:index:Cluster", "openwan-eks").Dependencies, byName[want[0]].URN, "EKS waits for its log group")
}
