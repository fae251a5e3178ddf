package stacks

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/openwan/openwan-infra/components/cluster"
	"github.com/openwan/openwan-infra/components/kube"
	"github.com/openwan/openwan-infra/components/monitoring"
	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/internal/apppolicy"
)

// Pool names: the node pool label values the services select.
const (
	apiPool    = "api"
	workerPool = "workers"
)

func deployKubernetes(ctx *pulumi.Context, cfg config.Config, net subnets, alerts *monitoring.Alerts, outputs pulumi.Map) (*eksWatched, error) {
	cc := cfg.Cluster
	pool := func(p config.NodePool) cluster.NodePoolArgs {
		return cluster.NodePoolArgs{
			InstanceTypes: p.InstanceTypes, Spot: p.Spot,
			Min: p.Size.Min, Max: p.Size.Max, Desired: p.Desired, DiskGiB: p.DiskGiB,
			MaxUnavailable: p.MaxUnavailable,
		}
	}
	eks, err := cluster.NewCluster(ctx, "openwan", &cluster.ClusterArgs{
		Name:                 "openwan-" + ctx.Stack(),
		Version:              cc.Version,
		VPCID:                net.vpcID,
		PublicSubnetIDs:      net.public,
		PrivateSubnetIDs:     net.private,
		EndpointPublicAccess: cc.EndpointPublicAccess,
		PublicAccessCIDRs:    cc.PublicAccessCIDRs,
		LogTypes:             cc.LogTypes,
		LogRetentionDays:     cc.LogRetentionDays,
		NodePools:            map[string]cluster.NodePoolArgs{apiPool: pool(cc.NodePools.API), workerPool: pool(cc.NodePools.Workers)},
		Addons: cluster.AddonVersions{
			VPCCNI: cc.Addons.VPCCNI, CoreDNS: cc.Addons.CoreDNS, KubeProxy: cc.Addons.KubeProxy,
		},
	})
	if err != nil {
		return nil, err
	}
	outputs["clusterName"] = eks.Name
	outputs["kubeconfig"] = pulumi.ToSecret(eks.Kubeconfig)
	if principals := accessPrincipals(cc.Access); len(principals) > 0 {
		if _, err := cluster.NewClusterAccess(ctx, "openwan-access", &cluster.ClusterAccessArgs{
			ClusterName: eks.Name, Principals: principals,
		}); err != nil {
			return nil, err
		}
	}

	// Everything on the cluster goes through its provider, which waits for the nodes.
	onCluster := []pulumi.ResourceOption{pulumi.Provider(eks.Provider)}
	onAPIPool := map[string]string{cluster.PoolLabel: apiPool}

	if err := deployMetricsServer(ctx, cc.MetricsServer, onAPIPool, onCluster); err != nil {
		return nil, err
	}
	services := appServices(cfg)
	if cc.ClusterAutoscaler.Enabled {
		grace := 0
		for _, s := range services {
			grace = max(grace, s.config.TerminationGracePeriodSeconds)
		}
		if _, err := cluster.NewClusterAutoscaler(ctx, "cluster-autoscaler", &cluster.ClusterAutoscalerArgs{
			ClusterName: eks.Name, OIDCIssuer: eks.OIDCIssuer, OIDCArn: eks.OIDCArn,
			Chart: kube.Chart{
				ChartVersion: cc.ClusterAutoscaler.ChartVersion,
				Requests:     resources(cc.ClusterAutoscaler.Requests), NodeSelector: onAPIPool,
			},
			Region:   cfg.App.Region,
			ImageTag: cc.ClusterAutoscaler.ImageTag,
			// One number for every pool: the longest grace period of the pods it may evict.
			MaxGracefulTerminationSeconds: grace,
			ScaleDownUnneededSeconds:      cc.ClusterAutoscaler.ScaleDownUnneededSeconds,
		}, onCluster...); err != nil {
			return nil, err
		}
	}
	keda, err := deployKEDA(ctx, cc.KEDA, onAPIPool, onCluster)
	if err != nil {
		return nil, err
	}
	target := servicesTarget{opts: onCluster, keda: keda, eks: eks, apiSources: net.publicCIDRs}
	if es := cc.ExternalSecrets; es.Enabled {
		operator, err := cluster.NewExternalSecretsOperator(ctx, "external-secrets", &cluster.ExternalSecretsOperatorArgs{
			Chart: kube.Chart{ChartVersion: es.ChartVersion, Requests: resources(es.Requests), NodeSelector: onAPIPool},
		}, onCluster...)
		if err != nil {
			return nil, err
		}
		target.secretsOperator = operator.Release
	}
	var lbc *cluster.LoadBalancerController
	if cc.Ingress.Enabled {
		ctl := cc.Ingress.Controller
		lbc, err = cluster.NewLoadBalancerController(ctx, "aws-load-balancer-controller", &cluster.LoadBalancerControllerArgs{
			ClusterName: eks.Name, OIDCIssuer: eks.OIDCIssuer, OIDCArn: eks.OIDCArn,
			Region: cfg.App.Region, VPCID: net.vpcID,
			Chart:    kube.Chart{ChartVersion: ctl.ChartVersion, Requests: resources(ctl.Requests), NodeSelector: onAPIPool},
			ImageTag: ctl.ImageTag, Replicas: ctl.Replicas,
		}, onCluster...)
		if err != nil {
			return nil, err
		}
		target.readinessGates = lbc.Release
	}
	if err := deployServices(ctx, cfg, services, target, outputs); err != nil {
		return nil, err
	}
	if err := deployContainerInsights(ctx, cfg, services, eks, alerts); err != nil {
		return nil, err
	}
	watched := &eksWatched{clusterName: eks.Name}
	if lbc == nil {
		return watched, nil
	}
	api, err := publicService(services)
	if err != nil {
		return nil, err
	}
	watched.loadBalancer, err = deployIngress(ctx, cfg, api, eks, lbc, alerts, onCluster, outputs)
	return watched, err
}

// deployContainerInsights sends the cluster's metrics to CloudWatch and pages when a service's
// Deployment has sat at its autoscaler's maximum for openwan:alerts.atMaxMinutes.
func deployContainerInsights(ctx *pulumi.Context, cfg config.Config, services []appService, eks *cluster.Cluster, alerts *monitoring.Alerts) error {
	ci := cfg.Cluster.ContainerInsights
	if !ci.Enabled {
		return nil
	}
	if _, err := cluster.NewContainerInsights(ctx, "container-insights", &cluster.ContainerInsightsArgs{
		Cluster: eks, AddonVersion: ci.AddonVersion, LogRetentionDays: cfg.Cluster.LogRetentionDays,
	}); err != nil {
		return err
	}
	var workloads []monitoring.Workload
	for _, s := range services {
		workloads = append(workloads, monitoring.Workload{Name: s.name(), MaxReplicas: s.autoscaling().MaxReplicas})
	}
	_, err := monitoring.NewAtMaxAlarms(ctx, "openwan-at-max", &monitoring.AtMaxAlarmsArgs{
		ClusterName: eks.Name, Namespace: cfg.App.Namespace, Workloads: workloads,
		Minutes: cfg.Alerts.AtMaxMinutes, TopicARN: alerts.Topic.Arn,
	})
	return err
}

// eksWatched are the names the dashboard selects the EKS path's metrics by.
type eksWatched struct {
	clusterName pulumi.StringOutput
	// loadBalancer is the API's ALB's ARN suffix; nil without an ingress.
	loadBalancer pulumi.StringOutput
}

// deployIngress declares the Ingress of the API (the public service) and finds the ALB the
// controller makes for it, for the stack's outputs and the alarms on it.
func deployIngress(ctx *pulumi.Context, cfg config.Config, api appService, eks *cluster.Cluster, lbc *cluster.LoadBalancerController,
	alerts *monitoring.Alerts, onCluster []pulumi.ResourceOption, outputs pulumi.Map) (pulumi.StringOutput, error) {
	in := cfg.Cluster.Ingress
	ingress, err := kube.NewIngress(ctx, api.name(), &kube.IngressArgs{
		Namespace: cfg.App.Namespace, Name: api.name(), ClassName: cluster.ALBIngressClass,
		ServiceName: api.name(), ServicePort: kube.ServicePort,
		HealthCheckPath:            api.config.ReadinessPath,
		DeregistrationDelaySeconds: in.DeregistrationDelaySeconds,
		CertificateARN:             in.CertificateARN,
	}, append(onCluster, pulumi.DependsOn([]pulumi.Resource{lbc.Release}))...)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	// The controller tags the ALB with the cluster and the Ingress; the lookup runs once the
	// Ingress has its address, that is once the ALB exists (unknown in a first preview).
	alb := lb.LookupLoadBalancerOutput(ctx, lb.LookupLoadBalancerOutputArgs{
		Tags: pulumi.StringMap{kube.ALBClusterTag: eks.Name, kube.ALBStackTag: pulumi.String(ingress.StackTag)},
	}, pulumi.DependsOn([]pulumi.Resource{ingress.Ingress}))
	scheme := "http"
	if in.CertificateARN != "" {
		scheme = "https"
	}
	outputs["eksApiUrl"] = pulumi.Sprintf("%s://%s", scheme, alb.DnsName())
	outputs["eksApiLoadBalancerArnSuffix"] = alb.ArnSuffix()
	if _, err := monitoring.NewSLOAlarms(ctx, "openwan-eks-api-slo", &monitoring.SLOAlarmsArgs{
		LoadBalancerSuffix: alb.ArnSuffix(), What: "EKS API",
		P95Seconds: cfg.Alerts.Latency.P95Seconds, P99Seconds: cfg.Alerts.Latency.P99Seconds,
		ErrorRatePercent: cfg.Alerts.ErrorRatePercent, TopicARN: alerts.Topic.Arn,
		FirstCommand: fmt.Sprintf("kubectl describe hpa -n %s; kubectl get pods -n %s -o wide", cfg.App.Namespace, cfg.App.Namespace),
	}); err != nil {
		return pulumi.StringOutput{}, err
	}
	return alb.ArnSuffix(), nil
}

// deployMetricsServer installs metrics-server from its chart or as declared objects.
func deployMetricsServer(ctx *pulumi.Context, ms config.MetricsServer, nodeSelector map[string]string, opts []pulumi.ResourceOption) error {
	_, err := kube.NewMetricsServer(ctx, "metrics-server", &kube.MetricsServerArgs{
		Chart:     kube.Chart{ChartVersion: ms.ChartVersion, Requests: resources(ms.Requests), NodeSelector: nodeSelector},
		Replicas:  ms.Replicas,
		Manifests: ms.Source == "manifests",
		Image:     ms.Image,
	}, opts...)
	return err
}

// deployKEDA installs KEDA when the config enables it; nil otherwise.
func deployKEDA(ctx *pulumi.Context, k config.KEDA, nodeSelector map[string]string, opts []pulumi.ResourceOption) (pulumi.Resource, error) {
	if !k.Enabled {
		return nil, nil
	}
	return kube.NewKEDA(ctx, "keda", &kube.KEDAArgs{
		Chart: kube.Chart{ChartVersion: k.ChartVersion, Requests: resources(k.Requests), NodeSelector: nodeSelector},
	}, opts...)
}

// servicesTarget is the cluster the services go to.
type servicesTarget struct {
	// opts point at the cluster's provider.
	opts []pulumi.ResourceOption
	// keda is the KEDA release, nil without it.
	keda pulumi.Resource
	// eks is the cluster this stack made, nil on an existing cluster: with it each service gets
	// an IRSA role of its own.
	eks *cluster.Cluster
	// apiSources are the networks the API admits its port from.
	apiSources pulumi.StringArrayInput
	// secretsOperator is the External Secrets Operator's release: with it the app's Secret is
	// made from SSM before the pods that load it; nil where the Secret already exists.
	secretsOperator pulumi.Resource
	// readinessGates is the load balancer controller whose webhook gives the pods a readiness
	// gate per target group, so a rollout waits until the ALB sends to the new pods; nil
	// without an ALB. The namespace waits for it: the webhook must see the first pods.
	readinessGates pulumi.Resource
}

// deployServices declares the namespace, the app's services and the namespace's NetworkPolicies
// on the target cluster, and exports each service's autoscaler. A service with queue scaling
// gets a KEDA ScaledObject (which the KEDA release must exist for) instead of a plain HPA.
func deployServices(ctx *pulumi.Context, cfg config.Config, services []appService, on servicesTarget, outputs pulumi.Map) error {
	opts, keda := on.opts, on.keda
	// Pods that break the restricted profile (root, privilege escalation) are refused.
	labels := pulumi.StringMap{"pod-security.kubernetes.io/enforce": pulumi.String("restricted")}
	nsOpts := opts
	if on.readinessGates != nil {
		labels["elbv2.k8s.aws/pod-readiness-gate-inject"] = pulumi.String("enabled")
		nsOpts = append(slices.Clone(opts), pulumi.DependsOn([]pulumi.Resource{on.readinessGates}))
	}
	ns, err := corev1.NewNamespace(ctx, "openwan", &corev1.NamespaceArgs{
		Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(cfg.App.Namespace), Labels: labels},
	}, nsOpts...)
	if err != nil {
		return err
	}
	// Both workloads let cluster-autoscaler evict them despite their /tmp emptyDir, which would
	// otherwise keep it from ever removing a node they run on:
	//   - the API is stateless: its scratch holds uploads in flight, which the preStop sleep and
	//     the grace period let finish;
	//   - a worker stops taking jobs on SIGTERM and finishes the one it runs within its grace
	//     period (1800 s), which cluster-autoscaler now honours (max-graceful-termination-sec);
	//     its scratch is that job's intermediates, worthless once the job ends. Keeping workers
	//     unevictable would pin a spot node for as long as any worker runs on it, so the worker
	//     pool would shrink only when the HPA removes pods, never by consolidation.
	var needs []pulumi.Resource
	if on.secretsOperator != nil {
		secret, err := deployAppSecret(ctx, cfg, on, ns.Metadata.Name().Elem())
		if err != nil {
			return err
		}
		// The Deployments load the Secret (not optional): they wait for what makes it.
		needs = append(needs, secret.ExternalSecret)
	}
	headroom, err := deployHeadroom(ctx, cfg, services, ns.Metadata.Name().Elem(), opts)
	if err != nil {
		return err
	}
	var api appService
	var apiLabels map[string]string
	for _, s := range services {
		name := s.name()
		args := serviceArgs(cfg, s.config, ns.Metadata.Name().Elem())
		args.Component = s.component
		args.ScratchEvictable = true
		args.Needs = needs
		if on.eks != nil {
			// The ServiceAccount is named after the service; the role trusts exactly it.
			role, err := cluster.NewPodRole(ctx, name+"-role", &cluster.PodRoleArgs{
				OIDCIssuer: on.eks.OIDCIssuer, OIDCArn: on.eks.OIDCArn,
				Namespace: cfg.App.Namespace, ServiceAccount: name,
				Policy: apppolicy.Document(apppolicy.MediaBucketStatements(cfg.App.S3Bucket)...),
				App:    args.Component,
			})
			if err != nil {
				return err
			}
			args.RoleARN = role.Role.Arn
		}
		if cfg.Cluster.EKS() {
			args.NodeSelector, args.Tolerations = poolPlacement(s.pool, s.spot)
		}
		if headroom != nil {
			// The pods name the app's class: it must exist before them.
			args.PriorityClassName = kube.AppPriorityClass
			args.Needs = append(slices.Clone(needs), headroom.AppClass)
		}
		autoscaling, queue := s.autoscaling(), s.config.QueueScaling
		if !queue.Enabled { // never two autoscalers on one Deployment
			args.HPA = &autoscaling
		}
		svc, err := kube.NewScalableService(ctx, name, args, opts...)
		if err != nil {
			return err
		}
		if s.public {
			api, apiLabels = s, svc.PodLabels
		}
		outputs[s.output] = s.autoscalerOutput()
		if !queue.Enabled {
			continue
		}
		if keda == nil {
			return fmt.Errorf("%s: queue scaling needs KEDA on the cluster", name)
		}
		if _, err := kube.NewQueueScaler(ctx, name, &kube.QueueScalerArgs{
			Namespace:      ns.Metadata.Name().Elem(),
			DeploymentName: svc.Deployment.Metadata.Name().Elem(),
			HPAName:        name + "-hpa",
			Autoscaling:    autoscaling,
			QueueName:      cfg.App.QueueName, MessagesPerReplica: queue.MessagesPerReplica,
			PollingSeconds: queue.PollingSeconds,
			SecretName:     cfg.App.SecretName, HostSecretKey: queue.HostSecretKey,
		}, slices.Concat(opts, []pulumi.ResourceOption{pulumi.DependsOn([]pulumi.Resource{keda})})...); err != nil {
			return err
		}
	}
	_, err = kube.NewNetworkPolicies(ctx, "openwan", &kube.NetworkPoliciesArgs{
		Namespace:      ns.Metadata.Name().Elem(),
		APIPodLabels:   apiLabels,
		APIPort:        api.config.Port,
		APISourceCIDRs: on.apiSources,
	}, opts...)
	return err
}

// poolPlacement is the node selector and tolerations of a pod bound to a node pool.
func poolPlacement(pool string, spot bool) (map[string]string, []kube.Toleration) {
	var tolerations []kube.Toleration
	if spot {
		tolerations = []kube.Toleration{{Key: cluster.SpotTaintKey, Value: "true"}}
	}
	return map[string]string{cluster.PoolLabel: pool}, tolerations
}

// deployHeadroom keeps openwan:cluster.headroom's room on the node pools of the EKS cluster
// (nil elsewhere: an existing cluster's nodes are not this stack's to overprovision). Each
// placeholder requests what one pod of its pool's service does.
func deployHeadroom(ctx *pulumi.Context, cfg config.Config, services []appService, namespace pulumi.StringInput, opts []pulumi.ResourceOption) (*kube.Headroom, error) {
	if !cfg.Cluster.EKS() {
		return nil, nil
	}
	var pools []kube.HeadroomPool
	for _, s := range services {
		selector, tolerations := poolPlacement(s.pool, s.spot)
		pools = append(pools, kube.HeadroomPool{
			Name: s.pool, Pods: s.headroomPods, Requests: resources(s.config.Resources.Requests), NodeSelector: selector, Tolerations: tolerations,
		})
	}
	return kube.NewHeadroom(ctx, "headroom", &kube.HeadroomArgs{
		Namespace: namespace, Image: cfg.Cluster.Headroom.PauseImage, Pools: pools,
	}, opts...)
}

// deployAppSecret makes openwan:app.secretName from the stack's SSM parameters, the ones the EC2
// instances read at boot: a reader ServiceAccount with an IRSA role limited to that path, and
// the operator's SecretStore and ExternalSecret.
func deployAppSecret(ctx *pulumi.Context, cfg config.Config, on servicesTarget, namespace pulumi.StringInput) (*kube.AppSecret, error) {
	path := apppolicy.SecretsPath(ctx.Stack())
	const reader = "openwan-secrets-reader"
	role, err := cluster.NewPodRole(ctx, reader+"-role", &cluster.PodRoleArgs{
		OIDCIssuer: on.eks.OIDCIssuer, OIDCArn: on.eks.OIDCArn,
		Namespace: cfg.App.Namespace, ServiceAccount: reader,
		Policy: apppolicy.Document(apppolicy.ReadSecretsStatement(path)),
	})
	if err != nil {
		return nil, err
	}
	return kube.NewAppSecret(ctx, cfg.App.SecretName, &kube.AppSecretArgs{
		Namespace: namespace, SecretName: cfg.App.SecretName,
		Reader: reader, RoleARN: role.Role.Arn,
		Region: cfg.App.Region, ParametersPath: path, Keys: apppolicy.SecretKeys,
		RefreshInterval: cfg.Cluster.ExternalSecrets.RefreshInterval,
	}, append(slices.Clone(on.opts), pulumi.DependsOn([]pulumi.Resource{on.secretsOperator}))...)
}

// serviceArgs maps a service's config onto the component's args, all but its autoscaler: the
// stateless endpoints of the guide as plain environment, credentials from the app's Secret.
func serviceArgs(cfg config.Config, s config.Service, namespace pulumi.StringInput) *kube.ScalableServiceArgs {
	app := cfg.App
	return &kube.ScalableServiceArgs{
		Namespace:                     namespace,
		Image:                         s.Image,
		Port:                          s.Port,
		LivenessPath:                  s.LivenessPath,
		ReadinessPath:                 s.ReadinessPath,
		Requests:                      resources(s.Resources.Requests),
		Limits:                        resources(s.Resources.Limits),
		TerminationGracePeriodSeconds: s.TerminationGracePeriodSeconds,
		StartupSeconds:                cfg.Capacity.ColdStartSeconds,
		PreStopSleepSeconds:           s.PreStopSleepSeconds,
		Env:                           serviceEnv(app, s),
		SecretName:                    app.SecretName,
	}
}

func resources(q config.Quantity) kube.Resources {
	return kube.Resources{CPUMillis: q.CPUMillis, MemoryMiB: q.MemoryMiB, EphemeralGiB: q.EphemeralGiB}
}

// serviceEnv is the plain environment of a service, on Kubernetes and EC2 alike: the guide's
// stateless endpoints and the per-instance database pool.
func serviceEnv(app config.App, s config.Service) map[string]string {
	env := map[string]string{
		"REDIS_ADDR":   app.RedisAddress,
		"S3_BUCKET":    app.S3Bucket,
		"AWS_REGION":   app.Region,
		"QUEUE_NAME":   app.QueueName,
		"DB_POOL_SIZE": strconv.Itoa(s.DBPoolSize),
		"PORT":         strconv.Itoa(s.Port),
	}
	if s.Concurrency > 0 {
		env["WORKER_CONCURRENCY"] = strconv.Itoa(s.Concurrency)
	}
	return env
}

// accessPrincipals are the config's admins, then its viewers, in their order.
func accessPrincipals(a config.ClusterAccess) []cluster.Principal {
	var out []cluster.Principal
	for _, arn := range a.Admins {
		out = append(out, cluster.Principal{ARN: arn, Policy: "admin"})
	}
	for _, arn := range a.Viewers {
		out = append(out, cluster.Principal{ARN: arn, Policy: "view"})
	}
	return out
}
