package awsmodel

import "github.com/openwan/openwan-infra/internal/model"

func eksAddon(r model.Resource) []Call {
	in := r.Inputs
	create := set(obj{}, in, map[string]string{
		"clusterName": "clusterName", "addonName": "addonName", "addonVersion": "addonVersion",
		"configurationValues": "configurationValues", "tags": "tags",
		// The provider sends resolveConflictsOnCreate as CreateAddon's resolveConflicts.
		"resolveConflictsOnCreate": "resolveConflicts",
	})
	if _, ok := in["serviceAccountRoleArn"]; ok {
		create["serviceAccountRoleArn"] = model.Unknown
	}
	return []Call{{"eks", "CreateAddon", create}}
}

func eksNodeGroup(r model.Resource) []Call {
	in := r.Inputs
	create := set(obj{"nodegroupName": physical(r, "nodeGroupName")}, in, map[string]string{
		"clusterName": "clusterName", "amiType": "amiType", "capacityType": "capacityType", "instanceTypes": "instanceTypes",
		// nodeRepairConfig (node auto repair, December 2024) is newer than the pinned models
		// (aws-sdk-go v1 took no new APIs after 31 July 2024): not judged.
		"labels": "labels", "scalingConfig": "scalingConfig", "updateConfig": "updateConfig",
		"version": "version", "tags": "tags", "diskSize": "diskSize",
	})
	create["nodeRole"] = ref(in, "nodeRoleArn")
	create["subnets"] = refs(in, "subnetIds")
	if lt := get(in, "launchTemplate"); lt != nil {
		create["launchTemplate"] = obj{"id": ref(lt, "id"), "version": lt["version"]}
	}
	if taints := asList(in["taints"]); len(taints) > 0 {
		create["taints"] = taints
	}
	return []Call{{"eks", "CreateNodegroup", create}}
}

// eksCluster is the control plane as pulumi-eks creates it (internal/pulumieks models its
// inputs from the eks:index:Cluster's).
func eksCluster(r model.Resource) []Call {
	in := r.Inputs
	create := set(obj{}, in, map[string]string{"name": "name", "version": "version", "tags": "tags", "accessConfig": "accessConfig"})
	create["roleArn"] = model.Unknown
	if vc := get(in, "vpcConfig"); vc != nil {
		config := set(obj{}, vc, map[string]string{
			"endpointPublicAccess": "endpointPublicAccess", "endpointPrivateAccess": "endpointPrivateAccess", "publicAccessCidrs": "publicAccessCidrs",
		})
		config["subnetIds"] = refs(vc, "subnetIds")
		config["securityGroupIds"] = refs(vc, "securityGroupIds")
		create["resourcesVpcConfig"] = config
	}
	if types, ok := in["enabledClusterLogTypes"]; ok {
		create["logging"] = obj{"clusterLogging": []any{obj{"types": types, "enabled": true}}}
	}
	if enc := get(in, "encryptionConfig"); enc != nil {
		create["encryptionConfig"] = []any{obj{"resources": enc["resources"], "provider": obj{"keyArn": model.Unknown}}}
	}
	return []Call{{"eks", "CreateCluster", create}}
}

// pulumiEKSCluster makes no call of its own: its inputs reach AWS through the children
// internal/pulumieks models (the aws:eks/cluster:Cluster above all), which the judge checks.
func pulumiEKSCluster(model.Resource) []Call { return nil }

func eksAccessEntry(r model.Resource) []Call {
	return []Call{{"eks", "CreateAccessEntry", set(obj{}, r.Inputs, map[string]string{
		"clusterName": "clusterName", "principalArn": "principalArn", "type": "type", "tags": "tags",
		"kubernetesGroups": "kubernetesGroups", "userName": "username",
	})}}
}

func eksAccessPolicyAssociation(r model.Resource) []Call {
	return []Call{{"eks", "AssociateAccessPolicy", set(obj{}, r.Inputs, map[string]string{
		"clusterName": "clusterName", "principalArn": "principalArn", "policyArn": "policyArn", "accessScope": "accessScope",
	})}}
}
