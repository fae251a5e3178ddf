package awsmodel

import "github.com/openwan/openwan-infra/internal/model"

// tagSpec is the TagSpecifications of a create call for a resource of the given EC2 type.
func tagSpec(in map[string]any, resourceType string) []any {
	if _, ok := in["tags"]; !ok {
		return nil
	}
	return []any{obj{"ResourceType": resourceType, "Tags": tagList(in["tags"])}}
}

func withTags(call obj, in map[string]any, resourceType string) obj {
	if spec := tagSpec(in, resourceType); spec != nil {
		call["TagSpecifications"] = spec
	}
	return call
}

func launchTemplate(r model.Resource) []Call {
	in := r.Inputs
	data := set(obj{}, in, map[string]string{"imageId": "ImageId", "instanceType": "InstanceType", "userData": "UserData"})
	if p := get(in, "iamInstanceProfile"); p != nil {
		data["IamInstanceProfile"] = obj{"Arn": ref(p, "arn")}
	}
	if m := get(in, "metadataOptions"); m != nil {
		data["MetadataOptions"] = pascal(m)
	}
	if m := get(in, "monitoring"); m != nil {
		data["Monitoring"] = pascal(m)
	}
	var devices []any
	for _, d := range objects(in["blockDeviceMappings"]) {
		device := obj{"DeviceName": d["deviceName"]}
		if ebs := get(d, "ebs"); ebs != nil {
			e := obj{}
			for k, v := range pascal(ebs).(map[string]any) {
				e[k] = boolean(v)
			}
			device["Ebs"] = e
		}
		devices = append(devices, device)
	}
	if devices != nil {
		data["BlockDeviceMappings"] = devices
	}
	var nics []any
	for _, n := range objects(in["networkInterfaces"]) {
		nic := obj{}
		for k, v := range pascal(n).(map[string]any) {
			nic[k] = boolean(v)
		}
		if _, ok := n["securityGroups"]; ok {
			delete(nic, "SecurityGroups")
			nic["Groups"] = refs(n, "securityGroups")
		}
		nics = append(nics, nic)
	}
	if nics != nil {
		data["NetworkInterfaces"] = nics
	}
	var specs []any
	for _, s := range objects(in["tagSpecifications"]) {
		specs = append(specs, obj{"ResourceType": s["resourceType"], "Tags": tagList(s["tags"])})
	}
	if specs != nil {
		data["TagSpecifications"] = specs
	}
	create := withTags(obj{"LaunchTemplateName": physical(r, "name"), "LaunchTemplateData": data}, in, "launch-template")
	return []Call{{"ec2", "CreateLaunchTemplate", create}}
}

func vpc(r model.Resource) []Call {
	in := r.Inputs
	calls := []Call{{"ec2", "CreateVpc", withTags(set(obj{}, in, map[string]string{"cidrBlock": "CidrBlock", "instanceTenancy": "InstanceTenancy"}), in, "vpc")}}
	// One attribute per ModifyVpcAttribute call.
	for from, to := range map[string]string{"enableDnsHostnames": "EnableDnsHostnames", "enableDnsSupport": "EnableDnsSupport"} {
		if v, ok := in[from]; ok {
			calls = append(calls, Call{"ec2", "ModifyVpcAttribute", obj{"VpcId": model.Unknown, to: obj{"Value": v}}})
		}
	}
	return calls
}

func subnet(r model.Resource) []Call {
	in := r.Inputs
	create := withTags(set(obj{"VpcId": ref(in, "vpcId")}, in, map[string]string{
		"cidrBlock": "CidrBlock", "availabilityZoneId": "AvailabilityZoneId", "availabilityZone": "AvailabilityZone",
	}), in, "subnet")
	calls := []Call{{"ec2", "CreateSubnet", create}}
	if v, ok := in["mapPublicIpOnLaunch"]; ok {
		calls = append(calls, Call{"ec2", "ModifySubnetAttribute", obj{"SubnetId": model.Unknown, "MapPublicIpOnLaunch": obj{"Value": v}}})
	}
	return calls
}

func eip(r model.Resource) []Call {
	return []Call{{"ec2", "AllocateAddress", withTags(set(obj{}, r.Inputs, map[string]string{"domain": "Domain"}), r.Inputs, "elastic-ip")}}
}

func natGateway(r model.Resource) []Call {
	in := r.Inputs
	return []Call{{"ec2", "CreateNatGateway", withTags(obj{"AllocationId": ref(in, "allocationId"), "SubnetId": ref(in, "subnetId")}, in, "natgateway")}}
}

func internetGateway(r model.Resource) []Call {
	in := r.Inputs
	return []Call{
		{"ec2", "CreateInternetGateway", withTags(obj{}, in, "internet-gateway")},
		{"ec2", "AttachInternetGateway", obj{"InternetGatewayId": model.Unknown, "VpcId": ref(in, "vpcId")}},
	}
}

func routeTable(r model.Resource) []Call {
	in := r.Inputs
	calls := []Call{{"ec2", "CreateRouteTable", withTags(obj{"VpcId": ref(in, "vpcId")}, in, "route-table")}}
	for _, route := range objects(in["routes"]) {
		create := obj{"RouteTableId": model.Unknown}
		set(create, route, map[string]string{"cidrBlock": "DestinationCidrBlock"})
		for from, to := range map[string]string{"gatewayId": "GatewayId", "natGatewayId": "NatGatewayId", "vpcEndpointId": "VpcEndpointId"} {
			if _, ok := route[from]; ok {
				create[to] = model.Unknown
			}
		}
		calls = append(calls, Call{"ec2", "CreateRoute", create})
	}
	return calls
}

func routeTableAssociation(r model.Resource) []Call {
	return []Call{{"ec2", "AssociateRouteTable", obj{"RouteTableId": ref(r.Inputs, "routeTableId"), "SubnetId": ref(r.Inputs, "subnetId")}}}
}

// permission is one security group rule as the API's IpPermission.
func permission(rule map[string]any) obj {
	p := obj{"IpProtocol": rule["protocol"], "FromPort": rule["fromPort"], "ToPort": rule["toPort"]}
	var ranges []any
	for _, c := range asList(rule["cidrBlocks"]) {
		ranges = append(ranges, obj{"CidrIp": c})
	}
	if ranges != nil {
		p["IpRanges"] = ranges
	}
	if _, ok := rule["sourceSecurityGroupId"]; ok {
		p["UserIdGroupPairs"] = []any{obj{"GroupId": model.Unknown}}
	}
	return p
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func securityGroup(r model.Resource) []Call {
	in := r.Inputs
	// Without a description the provider sends its own default, "Managed by Pulumi".
	create := withTags(set(obj{"GroupName": physical(r, "name"), "VpcId": ref(in, "vpcId"), "Description": "Managed by Pulumi"}, in,
		map[string]string{"description": "Description"}), in, "security-group")
	calls := []Call{{"ec2", "CreateSecurityGroup", create}}
	for _, dir := range []struct{ input, op string }{{"ingress", "AuthorizeSecurityGroupIngress"}, {"egress", "AuthorizeSecurityGroupEgress"}} {
		for _, rule := range objects(in[dir.input]) {
			calls = append(calls, Call{"ec2", dir.op, obj{"GroupId": model.Unknown, "IpPermissions": []any{permission(rule)}}})
		}
	}
	return calls
}

func securityGroupRule(r model.Resource) []Call {
	op := "AuthorizeSecurityGroupIngress"
	if str(r.Inputs["type"]) == "egress" {
		op = "AuthorizeSecurityGroupEgress"
	}
	return []Call{{"ec2", op, obj{"GroupId": ref(r.Inputs, "securityGroupId"), "IpPermissions": []any{permission(r.Inputs)}}}}
}

func vpcEndpoint(r model.Resource) []Call {
	in := r.Inputs
	create := withTags(set(obj{"VpcId": ref(in, "vpcId")}, in, map[string]string{"serviceName": "ServiceName", "vpcEndpointType": "VpcEndpointType"}), in, "vpc-endpoint")
	if _, ok := in["routeTableIds"]; ok {
		create["RouteTableIds"] = refs(in, "routeTableIds")
	}
	return []Call{{"ec2", "CreateVpcEndpoint", create}}
}
