package awsmodel

import "github.com/openwan/openwan-infra/internal/model"

func autoscalingGroup(r model.Resource) []Call {
	in := r.Inputs
	name := physical(r, "name")
	create := set(obj{"AutoScalingGroupName": name}, in, map[string]string{
		"minSize": "MinSize", "maxSize": "MaxSize", "desiredCapacity": "DesiredCapacity", "defaultCooldown": "DefaultCooldown",
		"healthCheckType": "HealthCheckType", "healthCheckGracePeriod": "HealthCheckGracePeriod",
		"defaultInstanceWarmup": "DefaultInstanceWarmup", "capacityRebalance": "CapacityRebalance",
	})
	if _, ok := in["vpcZoneIdentifiers"]; ok {
		create["VPCZoneIdentifier"] = model.Unknown // subnet IDs, joined with commas
	}
	if _, ok := in["targetGroupArns"]; ok {
		create["TargetGroupARNs"] = refs(in, "targetGroupArns")
	}
	if lt := get(in, "launchTemplate"); lt != nil {
		create["LaunchTemplate"] = obj{"LaunchTemplateId": ref(lt, "id"), "Version": lt["version"]}
	}
	if mip := get(in, "mixedInstancesPolicy"); mip != nil {
		policy := obj{}
		if d := get(mip, "instancesDistribution"); d != nil {
			policy["InstancesDistribution"] = pascal(d)
		}
		if lt := get(mip, "launchTemplate"); lt != nil {
			spec := get(lt, "launchTemplateSpecification")
			policy["LaunchTemplate"] = obj{
				"LaunchTemplateSpecification": obj{"LaunchTemplateId": ref(spec, "launchTemplateId"), "Version": spec["version"]},
				"Overrides":                   pascal(lt["overrides"]),
			}
		}
		create["MixedInstancesPolicy"] = policy
	}
	if tags, ok := in["tags"]; ok {
		create["Tags"] = pascal(tags)
	}
	var hooks []any
	for _, h := range objects(in["initialLifecycleHooks"]) {
		hooks = append(hooks, set(obj{"AutoScalingGroupName": name}, h, map[string]string{
			"name": "LifecycleHookName", "lifecycleTransition": "LifecycleTransition",
			"heartbeatTimeout": "HeartbeatTimeout", "defaultResult": "DefaultResult",
		}))
	}
	if hooks != nil {
		// CreateAutoScalingGroup's LifecycleHookSpecification has no group name member.
		for _, h := range hooks {
			delete(h.(obj), "AutoScalingGroupName")
		}
		create["LifecycleHookSpecificationList"] = hooks
	}
	calls := []Call{{"autoscaling", "CreateAutoScalingGroup", create}}
	if metrics, ok := in["enabledMetrics"]; ok {
		calls = append(calls, Call{"autoscaling", "EnableMetricsCollection", obj{
			"AutoScalingGroupName": name, "Metrics": metrics, "Granularity": in["metricsGranularity"],
		}})
	}
	if wp := get(in, "warmPool"); wp != nil {
		put := set(obj{"AutoScalingGroupName": name}, wp, map[string]string{
			"maxGroupPreparedCapacity": "MaxGroupPreparedCapacity", "minSize": "MinSize", "poolState": "PoolState",
		})
		if reuse := get(wp, "instanceReusePolicy"); reuse != nil {
			put["InstanceReusePolicy"] = pascal(reuse)
		}
		calls = append(calls, Call{"autoscaling", "PutWarmPool", put})
	}
	if refresh := get(in, "instanceRefresh"); refresh != nil {
		// The provider starts an instance refresh with these preferences when the launch
		// template changes.
		start := obj{"AutoScalingGroupName": name, "Strategy": refresh["strategy"]}
		if p := get(refresh, "preferences"); p != nil {
			prefs := obj{}
			for k, v := range pascal(p).(map[string]any) {
				prefs[k] = number(v)
			}
			start["Preferences"] = prefs
		}
		calls = append(calls, Call{"autoscaling", "StartInstanceRefresh", start})
	}
	return calls
}

func lifecycleHook(r model.Resource) []Call {
	return []Call{{"autoscaling", "PutLifecycleHook", set(obj{}, r.Inputs, map[string]string{
		"name": "LifecycleHookName", "autoscalingGroupName": "AutoScalingGroupName", "lifecycleTransition": "LifecycleTransition",
		"heartbeatTimeout": "HeartbeatTimeout", "defaultResult": "DefaultResult", "notificationMetadata": "NotificationMetadata",
	})}}
}

func schedule(r model.Resource) []Call {
	return []Call{{"autoscaling", "PutScheduledUpdateGroupAction", set(obj{}, r.Inputs, map[string]string{
		"autoscalingGroupName": "AutoScalingGroupName", "scheduledActionName": "ScheduledActionName", "recurrence": "Recurrence",
		"timeZone": "TimeZone", "minSize": "MinSize", "maxSize": "MaxSize", "desiredCapacity": "DesiredCapacity",
	})}}
}

func scalingPolicy(r model.Resource) []Call {
	in := r.Inputs
	put := set(obj{"PolicyName": physical(r, "name")}, in, map[string]string{
		"autoscalingGroupName": "AutoScalingGroupName", "policyType": "PolicyType", "adjustmentType": "AdjustmentType",
		"estimatedInstanceWarmup": "EstimatedInstanceWarmup", "metricAggregationType": "MetricAggregationType",
		"minAdjustmentMagnitude": "MinAdjustmentMagnitude", "cooldown": "Cooldown", "scalingAdjustment": "ScalingAdjustment",
	})
	var steps []any
	for _, s := range objects(in["stepAdjustments"]) {
		step := obj{"ScalingAdjustment": s["scalingAdjustment"]}
		for from, to := range map[string]string{"metricIntervalLowerBound": "MetricIntervalLowerBound", "metricIntervalUpperBound": "MetricIntervalUpperBound"} {
			if v, ok := s[from]; ok {
				step[to] = number(v)
			}
		}
		steps = append(steps, step)
	}
	if steps != nil {
		put["StepAdjustments"] = steps
	}
	if tt := get(in, "targetTrackingConfiguration"); tt != nil {
		conf := pascal(tt).(map[string]any)
		if custom, ok := conf["CustomizedMetricSpecification"].(map[string]any); ok {
			// The provider's metricDimensions are the API's Dimensions.
			if d, ok := custom["MetricDimensions"]; ok {
				custom["Dimensions"] = d
				delete(custom, "MetricDimensions")
			}
		}
		put["TargetTrackingConfiguration"] = conf
	}
	return []Call{{"autoscaling", "PutScalingPolicy", put}}
}

func notification(r model.Resource) []Call {
	var calls []Call
	for _, g := range r.Inputs["groupNames"].([]any) {
		calls = append(calls, Call{"autoscaling", "PutNotificationConfiguration", obj{
			"AutoScalingGroupName": g, "TopicARN": ref(r.Inputs, "topicArn"), "NotificationTypes": r.Inputs["notifications"],
		}})
	}
	return calls
}
