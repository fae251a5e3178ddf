package kube

import (
	apiregistrationv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiregistration/v1"
	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	policyv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/policy/v1"
	rbacv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/rbac/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// declareMetricsServer declares what the metrics-server chart installs, in kube-system: its
// service account and RBAC, the Service, the Deployment (non-root, read-only, spread over
// nodes), a PodDisruptionBudget and the APIService of metrics.k8s.io. Physical names: the
// aggregation layer and the chart's users address them so.
func declareMetricsServer(ctx *pulumi.Context, name string, args *MetricsServerArgs, opts ...pulumi.ResourceOption) error {
	const (
		ns  = "kube-system"
		app = "metrics-server"
	)
	labels := pulumi.StringMap{"app.kubernetes.io/name": pulumi.String(app)}
	meta := func(n string) *metav1.ObjectMetaArgs {
		return &metav1.ObjectMetaArgs{Name: pulumi.String(n), Namespace: pulumi.String(ns), Labels: labels}
	}
	clusterMeta := func(n string, extra pulumi.StringMap) *metav1.ObjectMetaArgs {
		l := pulumi.StringMap{"app.kubernetes.io/name": pulumi.String(app)}
		for k, v := range extra {
			l[k] = v
		}
		return &metav1.ObjectMetaArgs{Name: pulumi.String(n), Labels: l}
	}
	sa, err := corev1.NewServiceAccount(ctx, name+"-sa", &corev1.ServiceAccountArgs{Metadata: meta(app)}, opts...)
	if err != nil {
		return err
	}
	subject := rbacv1.SubjectArray{&rbacv1.SubjectArgs{Kind: pulumi.String("ServiceAccount"), Name: sa.Metadata.Name().Elem(), Namespace: pulumi.String(ns)}}
	read := func(groups, resources []string, verbs ...string) *rbacv1.PolicyRuleArgs {
		return &rbacv1.PolicyRuleArgs{ApiGroups: pulumi.ToStringArray(groups), Resources: pulumi.ToStringArray(resources), Verbs: pulumi.ToStringArray(verbs)}
	}
	// Read access to the metrics API for every user who may view or edit (as the chart does).
	if _, err := rbacv1.NewClusterRole(ctx, name+"-aggregated-reader", &rbacv1.ClusterRoleArgs{
		Metadata: clusterMeta("system:metrics-server-aggregated-reader", pulumi.StringMap{
			"rbac.authorization.k8s.io/aggregate-to-admin": pulumi.String("true"),
			"rbac.authorization.k8s.io/aggregate-to-edit":  pulumi.String("true"),
			"rbac.authorization.k8s.io/aggregate-to-view":  pulumi.String("true"),
		}),
		Rules: rbacv1.PolicyRuleArray{read([]string{"metrics.k8s.io"}, []string{"pods", "nodes"}, "get", "list", "watch")},
	}, opts...); err != nil {
		return err
	}
	role, err := rbacv1.NewClusterRole(ctx, name+"-role", &rbacv1.ClusterRoleArgs{
		Metadata: clusterMeta("system:metrics-server", nil),
		Rules: rbacv1.PolicyRuleArray{
			read([]string{""}, []string{"nodes/metrics"}, "get"),
			read([]string{""}, []string{"pods", "nodes"}, "get", "list", "watch"),
		},
	}, opts...)
	if err != nil {
		return err
	}
	bindings := []struct {
		suffix, roleKind, roleName string
		role                       pulumi.StringInput
	}{
		{"-binding", "ClusterRole", "", role.Metadata.Name().Elem()},
		{"-auth-delegator", "ClusterRole", "system:auth-delegator", nil},
	}
	for _, b := range bindings {
		roleName := b.role
		if roleName == nil {
			roleName = pulumi.String(b.roleName)
		}
		if _, err := rbacv1.NewClusterRoleBinding(ctx, name+b.suffix, &rbacv1.ClusterRoleBindingArgs{
			Metadata: clusterMeta("metrics-server"+b.suffix, nil),
			RoleRef:  &rbacv1.RoleRefArgs{ApiGroup: pulumi.String("rbac.authorization.k8s.io"), Kind: pulumi.String(b.roleKind), Name: roleName},
			Subjects: subject,
		}, opts...); err != nil {
			return err
		}
	}
	if _, err := rbacv1.NewRoleBinding(ctx, name+"-auth-reader", &rbacv1.RoleBindingArgs{
		Metadata: meta("metrics-server-auth-reader"),
		RoleRef:  &rbacv1.RoleRefArgs{ApiGroup: pulumi.String("rbac.authorization.k8s.io"), Kind: pulumi.String("Role"), Name: pulumi.String("extension-apiserver-authentication-reader")},
		Subjects: subject,
	}, opts...); err != nil {
		return err
	}
	deployment, err := appsv1.NewDeployment(ctx, name+"-deployment", &appsv1.DeploymentArgs{
		Metadata: meta(app),
		Spec: &appsv1.DeploymentSpecArgs{
			Replicas: pulumi.Int(args.Replicas),
			Selector: &metav1.LabelSelectorArgs{MatchLabels: labels},
			Strategy: &appsv1.DeploymentStrategyArgs{RollingUpdate: &appsv1.RollingUpdateDeploymentArgs{MaxUnavailable: pulumi.Int(0)}},
			Template: &corev1.PodTemplateSpecArgs{
				Metadata: &metav1.ObjectMetaArgs{Labels: labels},
				Spec: &corev1.PodSpecArgs{
					ServiceAccountName: sa.Metadata.Name().Elem(),
					PriorityClassName:  pulumi.String("system-cluster-critical"),
					NodeSelector:       pulumi.ToStringMap(args.NodeSelector),
					SecurityContext: &corev1.PodSecurityContextArgs{
						RunAsNonRoot: pulumi.Bool(true), RunAsUser: pulumi.Int(1000),
						SeccompProfile: &corev1.SeccompProfileArgs{Type: pulumi.String("RuntimeDefault")},
					},
					Containers: corev1.ContainerArray{&corev1.ContainerArgs{
						Name:  pulumi.String(app),
						Image: pulumi.String(args.Image),
						Args: pulumi.ToStringArray([]string{
							"--cert-dir=/tmp", "--secure-port=10250",
							"--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
							"--kubelet-use-node-status-port", "--metric-resolution=15s",
						}),
						Ports:     corev1.ContainerPortArray{&corev1.ContainerPortArgs{Name: pulumi.String("https"), ContainerPort: pulumi.Int(10250)}},
						Resources: &corev1.ResourceRequirementsArgs{Requests: Quantities(args.Requests)},
						ReadinessProbe: &corev1.ProbeArgs{
							HttpGet:       &corev1.HTTPGetActionArgs{Path: pulumi.String("/readyz"), Port: pulumi.String("https"), Scheme: pulumi.String("HTTPS")},
							PeriodSeconds: pulumi.Int(10),
						},
						LivenessProbe: &corev1.ProbeArgs{
							HttpGet:       &corev1.HTTPGetActionArgs{Path: pulumi.String("/livez"), Port: pulumi.String("https"), Scheme: pulumi.String("HTTPS")},
							PeriodSeconds: pulumi.Int(10),
						},
						SecurityContext: &corev1.SecurityContextArgs{
							AllowPrivilegeEscalation: pulumi.Bool(false), ReadOnlyRootFilesystem: pulumi.Bool(true), RunAsNonRoot: pulumi.Bool(true),
							Capabilities: &corev1.CapabilitiesArgs{Drop: pulumi.ToStringArray([]string{"ALL"})},
						},
						VolumeMounts: corev1.VolumeMountArray{&corev1.VolumeMountArgs{Name: pulumi.String("tmp"), MountPath: pulumi.String("/tmp")}},
					}},
					Volumes: corev1.VolumeArray{&corev1.VolumeArgs{Name: pulumi.String("tmp"), EmptyDir: &corev1.EmptyDirVolumeSourceArgs{}}},
				},
			},
		},
	}, opts...)
	if err != nil {
		return err
	}
	if args.Replicas > 1 {
		if _, err := policyv1.NewPodDisruptionBudget(ctx, name+"-pdb", &policyv1.PodDisruptionBudgetArgs{
			Metadata: meta(app),
			Spec:     &policyv1.PodDisruptionBudgetSpecArgs{MinAvailable: pulumi.Int(1), Selector: &metav1.LabelSelectorArgs{MatchLabels: labels}},
		}, opts...); err != nil {
			return err
		}
	}
	svc, err := corev1.NewService(ctx, name+"-service", &corev1.ServiceArgs{
		Metadata: meta(app),
		Spec: &corev1.ServiceSpecArgs{
			Selector: labels,
			Ports:    corev1.ServicePortArray{&corev1.ServicePortArgs{Name: pulumi.String("https"), Port: pulumi.Int(443), TargetPort: pulumi.String("https")}},
		},
	}, append(opts, pulumi.DependsOn([]pulumi.Resource{deployment}))...)
	if err != nil {
		return err
	}
	_, err = apiregistrationv1.NewAPIService(ctx, name+"-apiservice", &apiregistrationv1.APIServiceArgs{
		Metadata: clusterMeta("v1beta1.metrics.k8s.io", nil),
		Spec: &apiregistrationv1.APIServiceSpecArgs{
			Group: pulumi.String("metrics.k8s.io"), Version: pulumi.String("v1beta1"),
			GroupPriorityMinimum: pulumi.Int(100), VersionPriority: pulumi.Int(100),
			// metrics-server serves a self-signed certificate, as with the chart's defaults.
			InsecureSkipTLSVerify: pulumi.Bool(true),
			Service:               &apiregistrationv1.ServiceReferenceArgs{Name: svc.Metadata.Name().Elem(), Namespace: pulumi.String(ns), Port: pulumi.Int(443)},
		},
	}, opts...)
	return err
}
