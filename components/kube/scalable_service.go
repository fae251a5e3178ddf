package kube

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	autoscalingv2 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/autoscaling/v2"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	policyv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/policy/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ScalableService is a stateless workload that an autoscaler scales: a Deployment (no fixed
// replica count: the autoscaler owns it), a ClusterIP Service, a PodDisruptionBudget, a
// ServiceAccount of its own and, unless another autoscaler owns the Deployment, an
// autoscaling/v2 HPA on CPU and memory utilization.
type ScalableService struct {
	pulumi.ResourceState

	// ServiceAccount is the pods' own account (no token mounted).
	ServiceAccount *corev1.ServiceAccount
	// Deployment runs the pods; Service fronts them on port 80.
	Deployment *appsv1.Deployment
	Service    *corev1.Service
	// HPA scales the Deployment; nil when ScalableServiceArgs.HPA is.
	HPA *autoscalingv2.HorizontalPodAutoscaler
	// PDB lets a node drain take one pod at a time.
	PDB *policyv1.PodDisruptionBudget
	// PodLabels are the labels of its pods, which its Service, PDB and NetworkPolicies select.
	PodLabels map[string]string
}

// PatchForceAnnotation makes the Kubernetes provider apply an object with force, taking its
// declared fields back from other field managers (pulumi-kubernetes's server-side apply guide,
// "Handle field conflicts on existing resources").
const PatchForceAnnotation = "pulumi.com/patchForce"

// ScalableServiceArgs describe a ScalableService. Every number is required unless it says
// otherwise; there are no hidden defaults, the stack config holds them.
type ScalableServiceArgs struct {
	// Namespace the objects live in (wired from the Namespace resource).
	Namespace pulumi.StringInput
	// Component is the app.kubernetes.io/component label, e.g. "api" or "worker".
	Component string
	// Image is the container image.
	Image string
	// Port is the container's HTTP port (1 to 65535); the Service exposes it as port 80.
	Port int
	// LivenessPath and ReadinessPath are the probes' HTTP paths.
	LivenessPath, ReadinessPath string
	// HPA is the bounds, targets and behavior of the HPA the component declares for its
	// Deployment. Nil declares none: another autoscaler (a QueueScaler's ScaledObject) owns the
	// Deployment, and never two own one.
	HPA *Autoscaling
	// Requests and Limits of the container (CPU millicores, memory MiB); limits are no lower
	// than requests.
	Requests, Limits Resources
	// TerminationGracePeriodSeconds is how long a pod may take to stop (s, 1 or more).
	TerminationGracePeriodSeconds int
	// PreStopSleepSeconds keeps a terminating pod serving while it is removed from endpoints (s,
	// below TerminationGracePeriodSeconds).
	PreStopSleepSeconds int
	// StartupSeconds is how long a new container may take to answer its liveness path before
	// the kubelet restarts it (s, a multiple of the startup probe's 5 s period, at least 10):
	// the cold-start target.
	StartupSeconds int
	// Env is the plain environment (endpoints, pool sizes); credentials come from SecretName.
	Env map[string]string
	// SecretName is an existing Secret whose keys become environment variables.
	SecretName string
	// RoleARN is the IAM role the pods' ServiceAccount is annotated with (IRSA on EKS); nil
	// leaves the pods without AWS credentials of their own.
	RoleARN pulumi.StringInput
	// Needs are what the pods need before they can start (the resource that makes their
	// Secret): the Deployment waits for them. A dependsOn of the whole component would do too (in
	// the Go SDK a child's registration awaits its parent's URN, which resolves once the parent's
	// own dependsOn has: sdk/v3 v3.274.1 go/pulumi/context.go:2992 and 3003), but it would also
	// hold back the Service, HPA and PDB, which need no Secret; Needs holds back the Deployment
	// alone.
	Needs []pulumi.Resource
	// ScratchEvictable lets cluster-autoscaler evict the pods although they hold the /tmp emptyDir,
	// which otherwise keeps it from ever removing their node. Set it when the scratch holds
	// nothing that the pod's graceful termination does not finish or hand back.
	ScratchEvictable bool
	// NodeSelector pins the pods to a node pool; Tolerations let them onto a tainted one.
	NodeSelector map[string]string
	Tolerations  []Toleration
	// PriorityClassName is the pods' PriorityClass (Headroom's AppPriorityClass, which must be
	// among Needs); empty leaves the cluster's default.
	PriorityClassName string
}

// priorityClass is the pod spec's priorityClassName: nil when none is named.
func priorityClass(name string) pulumi.StringPtrInput {
	if name == "" {
		return nil
	}
	return pulumi.String(name)
}

// startupProbePeriodSeconds is how often the startup probe asks (s).
const startupProbePeriodSeconds = 5

func (a *ScalableServiceArgs) validate() error {
	if a == nil {
		return errors.New("args are required")
	}
	var errs []error
	if a.Namespace == nil {
		errs = append(errs, errors.New("Namespace: must be set"))
	}
	for _, s := range []struct{ field, value string }{
		{"Component", a.Component}, {"Image", a.Image},
		{"LivenessPath", a.LivenessPath}, {"ReadinessPath", a.ReadinessPath},
		// The API server refuses an empty Secret name too, but only while deploying.
		{"SecretName", a.SecretName},
	} {
		if s.value == "" {
			errs = append(errs, fmt.Errorf("%s: must not be empty", s.field))
		}
	}
	if a.Port < 1 || a.Port > 65535 {
		errs = append(errs, fmt.Errorf("Port: %d is outside [1, 65535]", a.Port))
	}
	if a.HPA != nil {
		errs = append(errs, a.HPA.validate("HPA")...)
	}
	errs = append(errs, a.Requests.Validate("Requests")...)
	if a.Limits.CPUMillis < a.Requests.CPUMillis {
		errs = append(errs, fmt.Errorf("Limits.CPUMillis: %d is below Requests.CPUMillis %d", a.Limits.CPUMillis, a.Requests.CPUMillis))
	}
	if a.Limits.MemoryMiB < a.Requests.MemoryMiB {
		errs = append(errs, fmt.Errorf("Limits.MemoryMiB: %d is below Requests.MemoryMiB %d", a.Limits.MemoryMiB, a.Requests.MemoryMiB))
	}
	if a.Requests.EphemeralGiB < 1 {
		errs = append(errs, fmt.Errorf("Requests.EphemeralGiB: %d is below 1: the /tmp scratch needs a size", a.Requests.EphemeralGiB))
	}
	if a.Limits.EphemeralGiB < a.Requests.EphemeralGiB {
		errs = append(errs, fmt.Errorf("Limits.EphemeralGiB: %d is below Requests.EphemeralGiB %d", a.Limits.EphemeralGiB, a.Requests.EphemeralGiB))
	}
	if a.TerminationGracePeriodSeconds < 1 {
		errs = append(errs, fmt.Errorf("TerminationGracePeriodSeconds: %d is below 1", a.TerminationGracePeriodSeconds))
	}
	// The sleep must end before the grace period does, or every stop is a kill.
	if a.PreStopSleepSeconds < 0 || a.PreStopSleepSeconds >= a.TerminationGracePeriodSeconds {
		errs = append(errs, fmt.Errorf("PreStopSleepSeconds: %d is outside [0, TerminationGracePeriodSeconds %d)", a.PreStopSleepSeconds, a.TerminationGracePeriodSeconds))
	}
	if a.StartupSeconds < 2*startupProbePeriodSeconds || a.StartupSeconds%startupProbePeriodSeconds != 0 {
		errs = append(errs, fmt.Errorf("StartupSeconds: %d is not a multiple of %d s of at least %d",
			a.StartupSeconds, startupProbePeriodSeconds, 2*startupProbePeriodSeconds))
	}
	for i, t := range a.Tolerations {
		if t.Key == "" {
			errs = append(errs, fmt.Errorf("Tolerations[%d].Key: must not be empty", i))
		}
	}
	return errors.Join(errs...)
}

// NewScalableService declares the Deployment, Service, ServiceAccount, PodDisruptionBudget and
// (with an HPA) the HPA of one service. The pods run as non-root with a read-only root file
// system and no privilege escalation, roll out with maxUnavailable 0, spread over zones and
// nodes, drain through a preStop sleep, and keep no state but an emptyDir /tmp scratch.
func NewScalableService(ctx *pulumi.Context, name string, args *ScalableServiceArgs, opts ...pulumi.ResourceOption) (*ScalableService, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("scalable service %s: %w", name, err)
	}
	svc := &ScalableService{}
	if err := ctx.RegisterComponentResource("openwan:k8s:ScalableService", name, svc, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(svc)
	svc.PodLabels = map[string]string{
		"app.kubernetes.io/name":      name,
		"app.kubernetes.io/component": args.Component,
		"app.kubernetes.io/part-of":   "openwan",
	}
	labels := pulumi.ToStringMap(svc.PodLabels)
	selector := &metav1.LabelSelectorArgs{MatchLabels: labels}
	// Physical names, unlike elsewhere: operators and the guide's runbooks address these objects
	// by name (`kubectl describe hpa openwan-api-hpa -n openwan`), and a namespace holds one stack.
	//
	// Every object is applied with force: it takes back the fields the program declares from any
	// other field manager, as after a `kubectl edit` of the HPA's minimum. Without it the next
	// preview and up fail on the server-side apply conflict instead of restoring the config
	// (integration TestFaults/drift). Fields the program does not declare, the Deployment's
	// replica count among them, stay whoever's they are.
	meta := func(physical string) *metav1.ObjectMetaArgs {
		return &metav1.ObjectMetaArgs{Name: pulumi.String(physical), Namespace: args.Namespace, Labels: labels,
			Annotations: pulumi.StringMap{PatchForceAnnotation: pulumi.String("true")}}
	}

	var err error
	saMeta := meta(name)
	if args.RoleARN != nil {
		saMeta.Annotations = pulumi.StringMap{RoleARNAnnotation: args.RoleARN, PatchForceAnnotation: pulumi.String("true")}
	}
	svc.ServiceAccount, err = corev1.NewServiceAccount(ctx, name+"-sa", &corev1.ServiceAccountArgs{
		Metadata:                     saMeta,
		AutomountServiceAccountToken: pulumi.Bool(false),
	}, child)
	if err != nil {
		return nil, err
	}

	svc.Deployment, err = appsv1.NewDeployment(ctx, name+"-deployment", &appsv1.DeploymentArgs{
		Metadata: meta(name),
		Spec: &appsv1.DeploymentSpecArgs{
			// No Replicas: the HPA owns the count; a fixed value would fight it on every up.
			Selector: selector,
			Strategy: &appsv1.DeploymentStrategyArgs{
				Type: pulumi.String("RollingUpdate"),
				RollingUpdate: &appsv1.RollingUpdateDeploymentArgs{
					MaxUnavailable: pulumi.Int(0),
					MaxSurge:       pulumi.String("25%"),
				},
			},
			Template: &corev1.PodTemplateSpecArgs{
				Metadata: &metav1.ObjectMetaArgs{Labels: labels, Annotations: podAnnotations(args)},
				Spec:     podSpec(args, svc, labels),
			},
		},
	}, child, pulumi.DependsOn(args.Needs))
	if err != nil {
		return nil, err
	}

	svc.Service, err = corev1.NewService(ctx, name+"-service", &corev1.ServiceArgs{
		Metadata: meta(name),
		Spec: &corev1.ServiceSpecArgs{
			Type:     pulumi.String("ClusterIP"),
			Selector: labels,
			Ports: corev1.ServicePortArray{&corev1.ServicePortArgs{
				Name: pulumi.String("http"), Port: pulumi.Int(ServicePort), TargetPort: pulumi.String("http"),
			}},
		},
	}, child)
	if err != nil {
		return nil, err
	}

	// maxUnavailable 1 rather than a minAvailable count: the HPA moves the count, and one pod at a
	// time is what a node drain may take whatever the count is.
	svc.PDB, err = policyv1.NewPodDisruptionBudget(ctx, name+"-pdb", &policyv1.PodDisruptionBudgetArgs{
		Metadata: meta(name),
		Spec: &policyv1.PodDisruptionBudgetSpecArgs{
			MaxUnavailable: pulumi.Int(1),
			Selector:       selector,
		},
	}, child)
	if err != nil {
		return nil, err
	}

	outputs := pulumi.Map{"deploymentName": svc.Deployment.Metadata.Name().Elem()}
	if args.HPA != nil {
		svc.HPA, err = newHPA(ctx, name+"-hpa", *args.HPA, meta(name+"-hpa"), svc.Deployment, child)
		if err != nil {
			return nil, err
		}
		outputs["hpaName"] = svc.HPA.Metadata.Name().Elem()
	}
	if err := ctx.RegisterResourceOutputs(svc, outputs); err != nil {
		return nil, err
	}
	return svc, nil
}

// ServicePort is the port of every service's ClusterIP Service, forwarding to the container's.
const ServicePort = 80

// RoleARNAnnotation is the ServiceAccount annotation through which EKS hands the pods the
// credentials of an IAM role (IRSA): its webhook projects a token the AWS SDKs exchange.
const RoleARNAnnotation = "eks.amazonaws.com/role-arn"

// scratchVolume is the pods' emptyDir, mounted at /tmp.
const scratchVolume = "tmp"

// SafeToEvictLocalVolumes is the pod annotation naming the local volumes that do not keep
// cluster-autoscaler from evicting the pod (cluster-autoscaler FAQ, "What types of pods can
// prevent CA from removing a node?"). It is narrower than safe-to-evict, which would also
// override every other reason to keep the pod.
const SafeToEvictLocalVolumes = "cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes"

func podAnnotations(args *ScalableServiceArgs) pulumi.StringMap {
	if !args.ScratchEvictable {
		return nil
	}
	return pulumi.StringMap{SafeToEvictLocalVolumes: pulumi.String(scratchVolume)}
}

func podSpec(args *ScalableServiceArgs, svc *ScalableService, labels pulumi.StringMap) *corev1.PodSpecArgs {
	env := corev1.EnvVarArray{}
	for _, k := range slices.Sorted(maps.Keys(args.Env)) {
		env = append(env, &corev1.EnvVarArgs{Name: pulumi.String(k), Value: pulumi.String(args.Env[k])})
	}
	probe := func(path string, period, failures int) *corev1.ProbeArgs {
		return &corev1.ProbeArgs{
			HttpGet:          &corev1.HTTPGetActionArgs{Path: pulumi.String(path), Port: pulumi.String("http")},
			PeriodSeconds:    pulumi.Int(period),
			TimeoutSeconds:   pulumi.Int(2),
			FailureThreshold: pulumi.Int(failures),
		}
	}
	// The startup probe allows exactly the cold-start target before the liveness probe takes
	// over: a slower start is a failed start.
	startup := probe(args.LivenessPath, startupProbePeriodSeconds, args.StartupSeconds/startupProbePeriodSeconds)
	spread := func(key string) *corev1.TopologySpreadConstraintArgs {
		// ScheduleAnyway: a zone without spot capacity must slow spreading, not block scale-out.
		return &corev1.TopologySpreadConstraintArgs{
			MaxSkew:           pulumi.Int(1),
			TopologyKey:       pulumi.String(key),
			WhenUnsatisfiable: pulumi.String("ScheduleAnyway"),
			LabelSelector:     &metav1.LabelSelectorArgs{MatchLabels: labels},
		}
	}
	return &corev1.PodSpecArgs{
		ServiceAccountName:            svc.ServiceAccount.Metadata.Name(),
		AutomountServiceAccountToken:  pulumi.Bool(false),
		TerminationGracePeriodSeconds: pulumi.Int(args.TerminationGracePeriodSeconds),
		NodeSelector:                  pulumi.ToStringMap(args.NodeSelector),
		Tolerations:                   tolerationArgs(args.Tolerations),
		PriorityClassName:             priorityClass(args.PriorityClassName),
		TopologySpreadConstraints: corev1.TopologySpreadConstraintArray{
			spread("topology.kubernetes.io/zone"), spread("kubernetes.io/hostname"),
		},
		SecurityContext: &corev1.PodSecurityContextArgs{
			RunAsNonRoot:   pulumi.Bool(true),
			RunAsUser:      pulumi.Int(10001),
			RunAsGroup:     pulumi.Int(10001),
			FsGroup:        pulumi.Int(10001),
			SeccompProfile: &corev1.SeccompProfileArgs{Type: pulumi.String("RuntimeDefault")},
		},
		Containers: corev1.ContainerArray{&corev1.ContainerArgs{
			Name:  pulumi.String(args.Component),
			Image: pulumi.String(args.Image),
			// Images are pinned by tag or digest, so a node that holds the image runs it as it is;
			// a new node (spot nodes come and go) has none and pulls it once. Always would ask the
			// registry on every pod start, adding to each scale-out and failing them all while the
			// registry is unreachable.
			ImagePullPolicy: pulumi.String("IfNotPresent"),
			Ports: corev1.ContainerPortArray{&corev1.ContainerPortArgs{
				Name: pulumi.String("http"), ContainerPort: pulumi.Int(args.Port),
			}},
			Env: env,
			EnvFrom: corev1.EnvFromSourceArray{&corev1.EnvFromSourceArgs{
				SecretRef: &corev1.SecretEnvSourceArgs{Name: pulumi.String(args.SecretName)},
			}},
			Resources: &corev1.ResourceRequirementsArgs{
				Requests: Quantities(args.Requests),
				Limits:   Quantities(args.Limits),
			},
			StartupProbe:   startup,
			ReadinessProbe: probe(args.ReadinessPath, 5, 3),
			LivenessProbe:  probe(args.LivenessPath, 10, 3),
			Lifecycle: &corev1.LifecycleArgs{
				PreStop: &corev1.LifecycleHandlerArgs{
					Sleep: &corev1.SleepActionArgs{Seconds: pulumi.Int(args.PreStopSleepSeconds)},
				},
			},
			SecurityContext: &corev1.SecurityContextArgs{
				AllowPrivilegeEscalation: pulumi.Bool(false),
				ReadOnlyRootFilesystem:   pulumi.Bool(true),
				Privileged:               pulumi.Bool(false),
				Capabilities:             &corev1.CapabilitiesArgs{Drop: pulumi.StringArray{pulumi.String("ALL")}},
			},
			VolumeMounts: corev1.VolumeMountArray{&corev1.VolumeMountArgs{
				Name: pulumi.String(scratchVolume), MountPath: pulumi.String("/tmp"),
			}},
		}},
		// Scratch for uploads in flight and FFmpeg's intermediates; media itself lives in S3.
		Volumes: corev1.VolumeArray{&corev1.VolumeArgs{
			Name: pulumi.String(scratchVolume),
			// The request's size: the scheduler reserved that much of the node's disk for it.
			EmptyDir: &corev1.EmptyDirVolumeSourceArgs{SizeLimit: pulumi.Sprintf("%dGi", args.Requests.EphemeralGiB)},
		}},
	}
}

func newHPA(ctx *pulumi.Context, name string, args Autoscaling, meta *metav1.ObjectMetaArgs,
	deployment *appsv1.Deployment, opts ...pulumi.ResourceOption) (*autoscalingv2.HorizontalPodAutoscaler, error) {
	utilization := func(resource string, percent int) *autoscalingv2.MetricSpecArgs {
		return &autoscalingv2.MetricSpecArgs{
			Type: pulumi.String("Resource"),
			Resource: &autoscalingv2.ResourceMetricSourceArgs{
				Name: pulumi.String(resource),
				Target: &autoscalingv2.MetricTargetArgs{
					Type: pulumi.String("Utilization"), AverageUtilization: pulumi.Int(percent),
				},
			},
		}
	}
	return autoscalingv2.NewHorizontalPodAutoscaler(ctx, name, &autoscalingv2.HorizontalPodAutoscalerArgs{
		Metadata: meta,
		Spec: &autoscalingv2.HorizontalPodAutoscalerSpecArgs{
			ScaleTargetRef: &autoscalingv2.CrossVersionObjectReferenceArgs{
				ApiVersion: pulumi.String("apps/v1"),
				Kind:       pulumi.String("Deployment"),
				Name:       deployment.Metadata.Name().Elem(),
			},
			MinReplicas: pulumi.Int(args.MinReplicas),
			MaxReplicas: pulumi.Int(args.MaxReplicas),
			Metrics: autoscalingv2.MetricSpecArray{
				utilization("cpu", args.CPUPercent),
				utilization("memory", args.MemoryPercent),
			},
			Behavior: &autoscalingv2.HorizontalPodAutoscalerBehaviorArgs{
				ScaleUp:   args.ScaleUp.rules(),
				ScaleDown: args.ScaleDown.rules(),
			},
		},
	}, opts...)
}

func (b Behavior) rules() *autoscalingv2.HPAScalingRulesArgs {
	policies := autoscalingv2.HPAScalingPolicyArray{}
	for _, p := range b.Policies {
		policies = append(policies, &autoscalingv2.HPAScalingPolicyArgs{
			Type: pulumi.String(p.Type), Value: pulumi.Int(p.Value), PeriodSeconds: pulumi.Int(p.PeriodSeconds),
		})
	}
	return &autoscalingv2.HPAScalingRulesArgs{
		StabilizationWindowSeconds: pulumi.Int(b.StabilizationSeconds),
		SelectPolicy:               pulumi.String(b.SelectPolicy),
		Policies:                   policies,
	}
}
