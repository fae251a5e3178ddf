package awsmodel

import "github.com/openwan/openwan-infra/internal/model"

func metricAlarm(r model.Resource) []Call {
	in := r.Inputs
	put := set(obj{"AlarmName": physical(r, "name")}, in, map[string]string{
		"alarmDescription": "AlarmDescription", "actionsEnabled": "ActionsEnabled", "metricName": "MetricName", "namespace": "Namespace",
		"statistic": "Statistic", "extendedStatistic": "ExtendedStatistic", "period": "Period", "unit": "Unit",
		"evaluationPeriods": "EvaluationPeriods", "datapointsToAlarm": "DatapointsToAlarm", "threshold": "Threshold",
		"comparisonOperator": "ComparisonOperator", "treatMissingData": "TreatMissingData",
	})
	for from, to := range map[string]string{"alarmActions": "AlarmActions", "okActions": "OKActions", "insufficientDataActions": "InsufficientDataActions"} {
		if _, ok := in[from]; ok {
			put[to] = refs(in, from)
		}
	}
	if d, ok := in["dimensions"]; ok {
		put["Dimensions"] = dims(d, "Name", "Value")
	}
	var metrics []any
	for _, q := range objects(in["metricQueries"]) {
		query := set(obj{}, q, map[string]string{"id": "Id", "expression": "Expression", "label": "Label", "returnData": "ReturnData", "period": "Period"})
		if m := get(q, "metric"); m != nil {
			query["MetricStat"] = set(obj{
				"Metric": obj{"Namespace": m["namespace"], "MetricName": m["metricName"], "Dimensions": dims(m["dimensions"], "Name", "Value")},
			}, m, map[string]string{"period": "Period", "stat": "Stat", "unit": "Unit"})
		}
		metrics = append(metrics, query)
	}
	if metrics != nil {
		put["Metrics"] = metrics
	}
	if _, ok := in["tags"]; ok {
		put["Tags"] = tagList(in["tags"])
	}
	return []Call{{"monitoring", "PutMetricAlarm", put}}
}

func dashboard(r model.Resource) []Call {
	return []Call{{"monitoring", "PutDashboard", set(obj{}, r.Inputs, map[string]string{"dashboardName": "DashboardName", "dashboardBody": "DashboardBody"})}}
}

func eventRule(r model.Resource) []Call {
	in := r.Inputs
	put := set(obj{"Name": physical(r, "name")}, in, map[string]string{
		"eventPattern": "EventPattern", "description": "Description", "scheduleExpression": "ScheduleExpression", "state": "State",
	})
	if _, ok := in["tags"]; ok {
		put["Tags"] = tagList(in["tags"])
	}
	return []Call{{"events", "PutRule", put}}
}

func eventTarget(r model.Resource) []Call {
	in := r.Inputs
	target := obj{"Id": physical(r, "targetId"), "Arn": ref(in, "arn")}
	if t := get(in, "inputTransformer"); t != nil {
		target["InputTransformer"] = set(obj{}, t, map[string]string{"inputPaths": "InputPathsMap", "inputTemplate": "InputTemplate"})
	}
	return []Call{{"events", "PutTargets", obj{"Rule": in["rule"], "Targets": []any{target}}}}
}

func logGroup(r model.Resource) []Call {
	in := r.Inputs
	name := physical(r, "name")
	create := obj{"logGroupName": name}
	if _, ok := in["tags"]; ok {
		create["tags"] = in["tags"]
	}
	calls := []Call{{"logs", "CreateLogGroup", create}}
	if days, ok := in["retentionInDays"]; ok {
		calls = append(calls, Call{"logs", "PutRetentionPolicy", obj{"logGroupName": name, "retentionInDays": days}})
	}
	return calls
}

func budget(r model.Resource) []Call {
	in := r.Inputs
	b := set(obj{"BudgetName": physical(r, "name")}, in, map[string]string{"budgetType": "BudgetType", "timeUnit": "TimeUnit"})
	if _, ok := in["limitAmount"]; ok {
		b["BudgetLimit"] = obj{"Amount": in["limitAmount"], "Unit": in["limitUnit"]}
	}
	filters := obj{}
	for _, f := range objects(in["costFilters"]) {
		filters[str(f["name"])] = f["values"]
	}
	if len(filters) > 0 {
		b["CostFilters"] = filters
	}
	var notifications []any
	for _, n := range objects(in["notifications"]) {
		var subscribers []any
		for _, e := range asList(n["subscriberEmailAddresses"]) {
			subscribers = append(subscribers, obj{"SubscriptionType": "EMAIL", "Address": e})
		}
		notifications = append(notifications, obj{
			"Notification": set(obj{}, n, map[string]string{
				"notificationType": "NotificationType", "comparisonOperator": "ComparisonOperator",
				"threshold": "Threshold", "thresholdType": "ThresholdType",
			}),
			"Subscribers": subscribers,
		})
	}
	create := obj{"AccountId": "123456789012", "Budget": b}
	if notifications != nil {
		create["NotificationsWithSubscribers"] = notifications
	}
	return []Call{{"budgets", "CreateBudget", create}}
}
