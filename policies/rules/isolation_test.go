package rules

import (
	"encoding/json"
	"testing"

	"github.com/openwan/openwan-infra/internal/model"
)

func TestNamespaceDefaultDeny(t *testing.T) {
	hpa := res(model.TypeK8sHPA, "api-hpa", `{"metadata": {"namespace": "openwan"}, "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "api"}}}`)
	api := res(model.TypeK8sDeployment, "api", `{"metadata": {"name": "api", "namespace": "openwan"}}`)
	deny := res(model.TypeK8sNetworkPolicy, "deny", `{"metadata": {"namespace": "openwan"}, "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}}`)
	const missing = `Deployment api: namespace "openwan" has no default-deny ingress NetworkPolicy (podSelector {}, policyTypes [Ingress], no ingress rules); add one and admit each path on purpose`
	runRuleCases(t, "namespace-default-deny", []ruleCase{
		{name: "denied, and the API admitted on its own", resources: []model.Resource{hpa, api, deny,
			res(model.TypeK8sNetworkPolicy, "api", `{"metadata": {"namespace": "openwan"}, "spec": {"podSelector": {"matchLabels": {"app": "api"}},
				"policyTypes": ["Ingress"], "ingress": [{"ports": [{"port": 8080}]}]}}`)}},
		{name: "no policy at all", resources: []model.Resource{hpa, api}, want: []string{missing}},
		{name: "a deny in another namespace", resources: []model.Resource{hpa, api,
			res(model.TypeK8sNetworkPolicy, "deny", `{"metadata": {"namespace": "other"}, "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}}`)},
			want: []string{missing}},
		{name: "an empty selector that admits everything", resources: []model.Resource{hpa, api,
			res(model.TypeK8sNetworkPolicy, "allow-all", `{"metadata": {"namespace": "openwan"}, "spec": {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{}]}}`)},
			want: []string{missing}},
		{name: "a policy of one app only", resources: []model.Resource{hpa, api,
			res(model.TypeK8sNetworkPolicy, "api", `{"metadata": {"namespace": "openwan"}, "spec": {"podSelector": {"matchLabels": {"app": "api"}}, "policyTypes": ["Ingress"]}}`)},
			want: []string{missing}},
		{name: "egress only", resources: []model.Resource{hpa, api,
			res(model.TypeK8sNetworkPolicy, "deny", `{"metadata": {"namespace": "openwan"}, "spec": {"podSelector": {}, "policyTypes": ["Egress"]}}`)},
			want: []string{missing}},
	})
}

func TestAppRoleLeastPrivilege(t *testing.T) {
	appRole := res(model.TypeIAMRole, "api-role", `{"tags": {"openwan.io/app-role": "api"}}`)
	controller := res(model.TypeIAMRole, "lbc-role", `{}`)
	policy := func(name string, role model.Resource, doc string) model.Resource {
		b, _ := json.Marshal(map[string]any{"role": "[unknown]", "policy": doc})
		return dependsOn(res(model.TypeIAMRolePolicy, name, string(b)), "role", role)
	}
	const bucket = `{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::media/*"},
		{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::media"}]}`
	runRuleCases(t, "app-role-least-privilege", []ruleCase{
		{name: "the bucket's own actions", resources: []model.Resource{appRole, policy("api", appRole, bucket)}},
		{name: "wildcards on a controller's role are not the app's", resources: []model.Resource{controller,
			policy("lbc", controller, `{"Statement": [{"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}]}`)}},
		{name: "every kind of wildcard", resources: []model.Resource{appRole, policy("api", appRole, `{"Statement": [
			{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::media/*"},
			{"Effect": "Allow", "Action": ["s3:GetObject", "s3:*"], "Resource": ["arn:aws:s3:::media", "*"]},
			{"Effect": "Deny", "Action": "*", "Resource": "*"}]}`)},
			want: []string{
				`RolePolicy api: statement 0 allows action "*"; name the actions and resources the app uses`,
				`RolePolicy api: statement 1 allows action "s3:*"; name the actions and resources the app uses`,
				`RolePolicy api: statement 1 allows resource "*"; name the actions and resources the app uses`,
			}},
	})
}
