package awsmodel

import (
	"strconv"

	"github.com/openwan/openwan-infra/internal/model"
)

func loadBalancer(r model.Resource) []Call {
	in := r.Inputs
	create := set(obj{"Name": physical(r, "name")}, in, map[string]string{"loadBalancerType": "Type", "ipAddressType": "IpAddressType"})
	create["Subnets"] = refs(in, "subnets")
	create["SecurityGroups"] = refs(in, "securityGroups")
	if internal, ok := in["internal"].(bool); ok {
		create["Scheme"] = map[bool]string{true: "internal", false: "internet-facing"}[internal]
	}
	if _, ok := in["tags"]; ok {
		create["Tags"] = tagList(in["tags"])
	}
	calls := []Call{{"elasticloadbalancingv2", "CreateLoadBalancer", create}}
	if v, ok := in["dropInvalidHeaderFields"]; ok {
		calls = append(calls, Call{"elasticloadbalancingv2", "ModifyLoadBalancerAttributes", obj{
			"LoadBalancerArn": model.Unknown,
			"Attributes":      []any{obj{"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": fmtBool(v)}},
		}})
	}
	return calls
}

func fmtBool(v any) any {
	if b, ok := v.(bool); ok {
		return map[bool]string{true: "true", false: "false"}[b]
	}
	return v
}

func targetGroup(r model.Resource) []Call {
	in := r.Inputs
	create := set(obj{"Name": physical(r, "name")}, in, map[string]string{"protocol": "Protocol", "port": "Port", "targetType": "TargetType"})
	create["VpcId"] = ref(in, "vpcId")
	if hc := get(in, "healthCheck"); hc != nil {
		set(create, hc, map[string]string{
			"path": "HealthCheckPath", "interval": "HealthCheckIntervalSeconds", "timeout": "HealthCheckTimeoutSeconds",
			"healthyThreshold": "HealthyThresholdCount", "unhealthyThreshold": "UnhealthyThresholdCount", "protocol": "HealthCheckProtocol",
		})
		if m, ok := hc["matcher"]; ok {
			create["Matcher"] = obj{"HttpCode": m}
		}
	}
	if _, ok := in["tags"]; ok {
		create["Tags"] = tagList(in["tags"])
	}
	calls := []Call{{"elasticloadbalancingv2", "CreateTargetGroup", create}}
	if d, ok := in["deregistrationDelay"]; ok {
		calls = append(calls, Call{"elasticloadbalancingv2", "ModifyTargetGroupAttributes", obj{
			"TargetGroupArn": model.Unknown, "Attributes": []any{obj{"Key": "deregistration_delay.timeout_seconds", "Value": fmtNumber(d)}},
		}})
	}
	return calls
}

func fmtNumber(v any) any {
	if f, ok := v.(float64); ok {
		return fmtInt(f)
	}
	return v
}

func fmtInt(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func listener(r model.Resource) []Call {
	in := r.Inputs
	create := set(obj{"LoadBalancerArn": ref(in, "loadBalancerArn")}, in, map[string]string{"port": "Port", "protocol": "Protocol", "sslPolicy": "SslPolicy"})
	if _, ok := in["certificateArn"]; ok {
		create["Certificates"] = []any{obj{"CertificateArn": in["certificateArn"]}}
	}
	var actions []any
	for _, a := range objects(in["defaultActions"]) {
		action := obj{"Type": a["type"]}
		if _, ok := a["targetGroupArn"]; ok {
			action["TargetGroupArn"] = model.Unknown
		}
		if rd := get(a, "redirect"); rd != nil {
			action["RedirectConfig"] = pascal(rd)
		}
		if fr := get(a, "fixedResponse"); fr != nil {
			action["FixedResponseConfig"] = pascal(fr)
		}
		actions = append(actions, action)
	}
	create["DefaultActions"] = actions
	if _, ok := in["tags"]; ok {
		create["Tags"] = tagList(in["tags"])
	}
	return []Call{{"elasticloadbalancingv2", "CreateListener", create}}
}
