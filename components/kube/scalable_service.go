// Package kube holds the Kubernetes components of openwan-infra: a horizontally scalable
// service and metrics-server. They need only a Kubernetes provider, so they work on EKS and on an
// existing cluster alike.
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

// ScalableService is a stateless workload that an HPA scales: a Deployment (no fixed replica
// count: the HPA owns it), a ClusterIP Service, an autoscaling/v2 HPA on CPU and memory
// utilization, a PodDisruptionBudget and a ServiceAccount of its own.
type ScalableService struct {
	pulumi.ResourceState

	ServiceAccount *corev1.ServiceAccount
	Deployment     *appsv1.Deployment
	Service        *corev1.Service
	HPA            *autoscalingv2.HorizontalPodAutoscaler
	PDB            *policyv1.PodDisruptionBudget
}

// ScalableServiceArgs describe a ScalableService. Every number is required unless it says
// otherwise; there are no hidden defaults, the stack config holds them.
type ScalableServiceArgs struct {
	// Namespace the objects live in (wired from the Namespace resource).
	Namespace pulumi.StringInput
	// Component is the app.kubernetes.io/component label, e.g. "api" or "worker".
	Component string
	// Image is the container image.
	Image string
	// Port is the container's HTTP port; the Service exposes it as port 80.
	Port int
	// LivenessPath and ReadinessPath are the probes' HTTP paths.
	LivenessPath, ReadinessPath string
	// MinReplicas and MaxReplicas bound the HPA (pods).
	MinReplicas, MaxReplicas int
	// CPUPercent and MemoryPercent are the HPA's average utilization targets (% of requests).
	CPUPercent, MemoryPercent int
	// ScaleUp and ScaleDown are the HPA behavior.
	ScaleUp, ScaleDown Behavior
	// Requests and Limits of the container (CPU millicores, memory MiB).
	Requests, Limits Resources
	// TerminationGracePeriodSeconds is how long a pod may take to stop (s).
	TerminationGracePeriodSeconds int
	// PreStopSleepSeconds keeps a terminating pod serving while it is removed from endpoints (s).
	PreStopSleepSeconds int
	// Env is the plain environment (endpoints, pool sizes); credentials come from SecretName.
	Env map[string]string
	// SecretName is an existing Secret whose keys become environment variables.
	SecretName string
	// NodeSelector pins the pods to a node pool; Tolerations let them onto a tainted one.
	NodeSelector map[string]string
	Tolerations  []Toleration
	// ManageHPA declares the HPA. False leaves the scaling to another autoscaler (a KEDA
	// ScaledObject) so that never two own one Deployment.
	ManageHPA bool
}

// Behavior is one direction of the HPA's scaling behavior.
type Behavior struct {
	// StabilizationSeconds is the recommendation window (s).
	StabilizationSeconds int
	// Policies limit the change per period.
	Policies []Policy
	// SelectPolicy is "Max", "Min" or "Disabled".
	SelectPolicy string
}

// Policy is one HPA scaling policy: Value pods or percent per PeriodSeconds.
type Policy struct {
	Type          string
	Value         int
	PeriodSeconds int
}

// Resources is CPU in millicores and memory in MiB.
type Resources struct {
	CPUMillis, MemoryMiB int
}

// Toleration lets pods onto nodes with a matching NoSchedule taint.
type Toleration struct {
	Key, Value string
}

func (a *ScalableServiceArgs) validate() error {
	var errs []error
	if a.Namespace == nil {
		errs = append(errs, errors.New("namespace is required"))
	}
	if a.Component == "" || a.Image == "" {
		errs = append(errs, errors.New("component and image are required"))
	}
	if a.MinReplicas < 1 || a.MaxReplicas < a.MinReplicas {
		errs = append(errs, fmt.Errorf("replicas [%d, %d] must satisfy 1 <= min <= max", a.MinReplicas, a.MaxReplicas))
	}
	if a.Requests.CPUMillis <= 0 || a.Requests.MemoryMiB <= 0 {
		errs = append(errs, errors.New("cpu and memory requests are required: utilization is measured against them"))
	}
	if a.PreStopSleepSeconds >= a.TerminationGracePeriodSeconds {
		errs = append(errs, fmt.Errorf("preStop sleep %ds must be below the grace period %ds", a.PreStopSleepSeconds, a.TerminationGracePeriodSeconds))
	}
	return errors.Join(errs...)
}

// NewScalableService declares the Deployment, Service, ServiceAccount, PodDisruptionBudget and
// (with ManageHPA) the HPA of one service. The pods run as non-root with a read-only root file
// system and no privilege escalation, roll out with maxUnavailable 0, spread over zones and
// nodes, drain through a preStop sleep, and keep no state but an emptyDir /tmp scratch.
func NewScalableService(ctx *pulumi.Context, name string, args *ScalableServiceArgs, opts ...pulumi.ResourceOption) (*ScalableService, error) {
	if args == nil {
		return nil, errors.New("scalable service: args are required")
	}
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("scalable service %s: %w", name, err)
	}
	svc := &ScalableService{}
	if err := ctx.RegisterComponentResource("openwan:k8s:ScalableService", name, svc, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(svc)
	labels := pulumi.StringMap{
		"app.kubernetes.io/name":      pulumi.String(name),
		"app.kubernetes.io/component": pulumi.String(args.Component),
		"app.kubernetes.io/part-of":   pulumi.String("openwan"),
	}
	selector := &metav1.LabelSelectorArgs{MatchLabels: labels}
	// Physical names, unlike elsewhere: operators and the guide's runbooks address these objects
	// by name (`kubectl describe hpa openwan-api-hpa -n openwan`), and a namespace holds one stack.
	meta := func(physical string) *metav1.ObjectMetaArgs {
		return &metav1.ObjectMetaArgs{Name: pulumi.String(physical), Namespace: args.Namespace, Labels: labels}
	}

	var err error
	svc.ServiceAccount, err = corev1.NewServiceAccount(ctx, name+"-sa", &corev1.ServiceAccountArgs{
		Metadata:                     meta(name),
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
				Metadata: &metav1.ObjectMetaArgs{Labels: labels},
				Spec:     podSpec(args, svc, labels),
			},
		},
	}, child)
	if err != nil {
		return nil, err
	}

	svc.Service, err = corev1.NewService(ctx, name+"-service", &corev1.ServiceArgs{
		Metadata: meta(name),
		Spec: &corev1.ServiceSpecArgs{
			Type:     pulumi.String("ClusterIP"),
			Selector: labels,
			Ports: corev1.ServicePortArray{&corev1.ServicePortArgs{
				Name: pulumi.String("http"), Port: pulumi.Int(80), TargetPort: pulumi.String("http"),
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
	if args.ManageHPA {
		svc.HPA, err = newHPA(ctx, name+"-hpa", args, meta(name+"-hpa"), svc.Deployment, child)
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

func podSpec(args *ScalableServiceArgs, svc *ScalableService, labels pulumi.StringMap) *corev1.PodSpecArgs {
	env := corev1.EnvVarArray{}
	for _, k := range slices.Sorted(maps.Keys(args.Env)) {
		env = append(env, &corev1.EnvVarArgs{Name: pulumi.String(k), Value: pulumi.String(args.Env[k])})
	}
	tolerations := corev1.TolerationArray{}
	for _, t := range args.Tolerations {
		tolerations = append(tolerations, &corev1.TolerationArgs{
			Key: pulumi.String(t.Key), Operator: pulumi.String("Equal"), Value: pulumi.String(t.Value), Effect: pulumi.String("NoSchedule"),
		})
	}
	probe := func(path string, period, failures int) *corev1.ProbeArgs {
		return &corev1.ProbeArgs{
			HttpGet:          &corev1.HTTPGetActionArgs{Path: pulumi.String(path), Port: pulumi.String("http")},
			PeriodSeconds:    pulumi.Int(period),
			TimeoutSeconds:   pulumi.Int(2),
			FailureThreshold: pulumi.Int(failures),
		}
	}
	// The guide's cold-start target is 60 s: the startup probe allows exactly that before the
	// liveness probe takes over.
	startup := probe(args.LivenessPath, 5, 12)
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
		Tolerations:                   tolerations,
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
			Ports: corev1.ContainerPortArray{&corev1.ContainerPortArgs{
				Name: pulumi.String("http"), ContainerPort: pulumi.Int(args.Port),
			}},
			Env: env,
			EnvFrom: corev1.EnvFromSourceArray{&corev1.EnvFromSourceArgs{
				SecretRef: &corev1.SecretEnvSourceArgs{Name: pulumi.String(args.SecretName)},
			}},
			Resources: &corev1.ResourceRequirementsArgs{
				Requests: quantities(args.Requests),
				Limits:   quantities(args.Limits),
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
				Name: pulumi.String("tmp"), MountPath: pulumi.String("/tmp"),
			}},
		}},
		// Scratch for uploads in flight and FFmpeg's intermediates; media itself lives in S3.
		Volumes: corev1.VolumeArray{&corev1.VolumeArgs{
			Name:     pulumi.String("tmp"),
			EmptyDir: &corev1.EmptyDirVolumeSourceArgs{SizeLimit: pulumi.String("2Gi")},
		}},
	}
}

func newHPA(ctx *pulumi.Context, name string, args *ScalableServiceArgs, meta *metav1.ObjectMetaArgs,
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

func quantities(r Resources) pulumi.StringMap {
	return pulumi.StringMap{
		"cpu":    pulumi.Sprintf("%dm", r.CPUMillis),
		"memory": pulumi.Sprintf("%dMi", r.MemoryMiB),
	}
}
