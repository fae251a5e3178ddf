package awsmodel

import "github.com/openwan/openwan-infra/internal/model"

func snsTopic(r model.Resource) []Call {
	in := r.Inputs
	attributes := obj{}
	if _, ok := in["kmsMasterKeyId"]; ok {
		attributes["KmsMasterKeyId"] = model.Unknown
	}
	create := obj{"Name": physical(r, "name"), "Attributes": attributes}
	if _, ok := in["tags"]; ok {
		create["Tags"] = tagList(in["tags"])
	}
	return []Call{{"sns", "CreateTopic", create}}
}

func snsTopicPolicy(r model.Resource) []Call {
	return []Call{{"sns", "SetTopicAttributes", obj{"TopicArn": ref(r.Inputs, "arn"), "AttributeName": "Policy", "AttributeValue": r.Inputs["policy"]}}}
}

func snsSubscription(r model.Resource) []Call {
	in := r.Inputs
	return []Call{{"sns", "Subscribe", obj{"TopicArn": ref(in, "topic"), "Protocol": in["protocol"], "Endpoint": in["endpoint"]}}}
}

func kmsKey(r model.Resource) []Call {
	in := r.Inputs
	create := set(obj{}, in, map[string]string{"description": "Description", "policy": "Policy", "keyUsage": "KeyUsage"})
	if _, ok := in["tags"]; ok {
		create["Tags"] = dims(in["tags"], "TagKey", "TagValue")
	}
	calls := []Call{{"kms", "CreateKey", create}}
	if rotate, _ := in["enableKeyRotation"].(bool); rotate {
		calls = append(calls, Call{"kms", "EnableKeyRotation", obj{"KeyId": model.Unknown}})
	}
	return calls
}

func iamRole(r model.Resource) []Call {
	in := r.Inputs
	name := physical(r, "name")
	create := set(obj{"RoleName": name}, in, map[string]string{
		"assumeRolePolicy": "AssumeRolePolicyDocument", "description": "Description", "maxSessionDuration": "MaxSessionDuration", "path": "Path",
	})
	if _, ok := in["tags"]; ok {
		create["Tags"] = tagList(in["tags"])
	}
	calls := []Call{{"iam", "CreateRole", create}}
	for _, arn := range asList(in["managedPolicyArns"]) {
		calls = append(calls, Call{"iam", "AttachRolePolicy", obj{"RoleName": name, "PolicyArn": arn}})
	}
	return calls
}

func iamRolePolicy(r model.Resource) []Call {
	return []Call{{"iam", "PutRolePolicy", obj{"RoleName": r.Inputs["role"], "PolicyName": physical(r, "name"), "PolicyDocument": r.Inputs["policy"]}}}
}

func iamRolePolicyAttachment(r model.Resource) []Call {
	return []Call{{"iam", "AttachRolePolicy", obj{"RoleName": r.Inputs["role"], "PolicyArn": r.Inputs["policyArn"]}}}
}

func iamInstanceProfile(r model.Resource) []Call {
	in := r.Inputs
	name := physical(r, "name")
	create := obj{"InstanceProfileName": name}
	if _, ok := in["tags"]; ok {
		create["Tags"] = tagList(in["tags"])
	}
	return []Call{
		{"iam", "CreateInstanceProfile", create},
		{"iam", "AddRoleToInstanceProfile", obj{"InstanceProfileName": name, "RoleName": in["role"]}},
	}
}

func iamOIDCProvider(r model.Resource) []Call {
	in := r.Inputs
	return []Call{{"iam", "CreateOpenIDConnectProvider", obj{"Url": in["url"], "ClientIDList": in["clientIdLists"], "ThumbprintList": in["thumbprintLists"]}}}
}
