package kube

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// QueueScaler scales a Deployment on CPU, memory and a RabbitMQ queue's length with a KEDA
// ScaledObject (KEDA creates and owns the HPA), authenticated to the broker by a
// TriggerAuthentication that reads the connection URL from an existing Secret.
type QueueScaler struct {
	pulumi.ResourceState

	// Authentication is the TriggerAuthentication and ScaledObject the ScaledObject.
	Authentication *apiextensions.CustomResource
	ScaledObject   *apiextensions.CustomResource
}

// QueueScalerArgs describe a QueueScaler. Every number is required.
type QueueScalerArgs struct {
	// Namespace of the Deployment, the Secret and the KEDA objects.
	Namespace pulumi.StringInput
	// DeploymentName is the Deployment scaled; it must declare no HPA of its own.
	DeploymentName pulumi.StringInput
	// HPAName is the name KEDA gives the HPA it manages, so runbooks find it as before.
	HPAName string
	// Autoscaling is the ScaledObject's bounds, its CPU and memory triggers' targets and the HPA
	// behavior KEDA passes on.
	Autoscaling
	// QueueName is the RabbitMQ queue; MessagesPerReplica the queue length per pod held
	// (messages, 1 or more).
	QueueName          string
	MessagesPerReplica int
	// PollingSeconds is how often KEDA reads the queue (s, 1 or more).
	PollingSeconds int
	// SecretName and HostSecretKey locate the amqp:// URL of the broker.
	SecretName, HostSecretKey string
}

func (a *QueueScalerArgs) validate() error {
	if a == nil {
		return errors.New("args are required")
	}
	var errs []error
	if a.Namespace == nil {
		errs = append(errs, errors.New("Namespace: must be set"))
	}
	if a.DeploymentName == nil {
		errs = append(errs, errors.New("DeploymentName: must be set"))
	}
	for _, s := range []struct{ field, value string }{
		{"HPAName", a.HPAName}, {"QueueName", a.QueueName}, {"SecretName", a.SecretName}, {"HostSecretKey", a.HostSecretKey},
	} {
		if s.value == "" {
			errs = append(errs, fmt.Errorf("%s: must not be empty", s.field))
		}
	}
	errs = append(errs, a.Autoscaling.validate("Autoscaling")...)
	if a.MessagesPerReplica < 1 {
		errs = append(errs, fmt.Errorf("MessagesPerReplica: %d is below 1", a.MessagesPerReplica))
	}
	if a.PollingSeconds < 1 {
		errs = append(errs, fmt.Errorf("PollingSeconds: %d is below 1", a.PollingSeconds))
	}
	return errors.Join(errs...)
}

// NewQueueScaler declares the TriggerAuthentication and the ScaledObject. The ScaledObject
// carries three triggers (cpu and memory Utilization, rabbitmq QueueLength); the HPA KEDA
// derives from it takes the largest of their recommendations, like a plain HPA over several
// metrics. Pass a DependsOn on the KEDA release: its CRDs must exist first.
func NewQueueScaler(ctx *pulumi.Context, name string, args *QueueScalerArgs, opts ...pulumi.ResourceOption) (*QueueScaler, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("queue scaler %s: %w", name, err)
	}
	qs := &QueueScaler{}
	if err := ctx.RegisterComponentResource("openwan:k8s:QueueScaler", name, qs, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(qs)
	meta := func(n string) *metav1.ObjectMetaArgs {
		return &metav1.ObjectMetaArgs{Name: pulumi.String(n), Namespace: args.Namespace}
	}
	var err error
	qs.Authentication, err = apiextensions.NewCustomResource(ctx, name+"-rabbitmq", &apiextensions.CustomResourceArgs{
		ApiVersion: pulumi.String("keda.sh/v1alpha1"),
		Kind:       pulumi.String("TriggerAuthentication"),
		Metadata:   meta(name + "-rabbitmq"),
		OtherFields: kubernetes.UntypedArgs{"spec": pulumi.Map{
			"secretTargetRef": pulumi.Array{pulumi.Map{
				"parameter": pulumi.String("host"),
				"name":      pulumi.String(args.SecretName),
				"key":       pulumi.String(args.HostSecretKey),
			}},
		}},
	}, child)
	if err != nil {
		return nil, err
	}
	utilization := func(resource string, percent int) pulumi.Map {
		return pulumi.Map{
			"type":       pulumi.String(resource),
			"metricType": pulumi.String("Utilization"),
			"metadata":   pulumi.StringMap{"value": pulumi.String(strconv.Itoa(percent))},
		}
	}
	qs.ScaledObject, err = apiextensions.NewCustomResource(ctx, name, &apiextensions.CustomResourceArgs{
		ApiVersion: pulumi.String("keda.sh/v1alpha1"),
		Kind:       pulumi.String("ScaledObject"),
		Metadata:   meta(name),
		OtherFields: kubernetes.UntypedArgs{"spec": pulumi.Map{
			"scaleTargetRef":  pulumi.Map{"apiVersion": pulumi.String("apps/v1"), "kind": pulumi.String("Deployment"), "name": args.DeploymentName},
			"minReplicaCount": pulumi.Int(args.MinReplicas),
			"maxReplicaCount": pulumi.Int(args.MaxReplicas),
			"pollingInterval": pulumi.Int(args.PollingSeconds),
			"advanced": pulumi.Map{"horizontalPodAutoscalerConfig": pulumi.Map{
				"name": pulumi.String(args.HPAName),
				"behavior": pulumi.Map{
					"scaleUp":   args.ScaleUp.plain(),
					"scaleDown": args.ScaleDown.plain(),
				},
			}},
			"triggers": pulumi.Array{
				utilization("cpu", args.CPUPercent),
				utilization("memory", args.MemoryPercent),
				pulumi.Map{
					"type": pulumi.String("rabbitmq"),
					"metadata": pulumi.StringMap{
						"protocol":  pulumi.String("amqp"),
						"queueName": pulumi.String(args.QueueName),
						"mode":      pulumi.String("QueueLength"),
						"value":     pulumi.String(strconv.Itoa(args.MessagesPerReplica)),
					},
					"authenticationRef": pulumi.Map{"name": qs.Authentication.Metadata.Name().Elem()},
				},
			},
		}},
	}, child)
	if err != nil {
		return nil, err
	}
	if err := ctx.RegisterResourceOutputs(qs, pulumi.Map{"scaledObjectName": qs.ScaledObject.Metadata.Name().Elem()}); err != nil {
		return nil, err
	}
	return qs, nil
}

// plain is the behavior as the untyped map a custom resource carries.
func (b Behavior) plain() pulumi.Map {
	policies := pulumi.Array{}
	for _, p := range b.Policies {
		policies = append(policies, pulumi.Map{
			"type": pulumi.String(p.Type), "value": pulumi.Int(p.Value), "periodSeconds": pulumi.Int(p.PeriodSeconds),
		})
	}
	return pulumi.Map{
		"stabilizationWindowSeconds": pulumi.Int(b.StabilizationSeconds),
		"selectPolicy":               pulumi.String(b.SelectPolicy),
		"policies":                   policies,
	}
}
