package rules

// All returns every rule in report order: availability, scaling, security, cost.
func All() []Rule {
	return []Rule{
		minCapacity, maxNotBelowMin, autoscalerOwnsReplicas, disruptionBudget, gracefulShutdown,
		utilizationTargetRange, stabilizationOrder, scaledRequests, groupIgnoresDesired,
		alarmHasAction, groupMetricsEnabled, alarmPerGroup, apiLoadBalancerSLO,
		imdsv2Required, encryptedVolumes, snsTopicEncrypted, noPublicIP, noOpenIngress,
		eksEndpointRestricted, eksSecretsEncryption, eksLogging, containersNonRoot,
		namespaceDefaultDeny, appRoleLeastPrivilege, productionTLS,
		spotDiversity, maxHourlyCost,
	}
}
