package kube

import (
	"errors"
	"fmt"

	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	schedulingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/scheduling/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The two PriorityClasses of the overprovisioning pattern, as cluster-autoscaler's FAQ gives it
// ("How can I configure overprovisioning with Cluster Autoscaler?", kubernetes/autoscaler
// cluster-autoscaler/FAQ.md): "Priority -10 will be reserved for overprovisioning pods as it is
// the lowest priority that triggers scaling clusters. Other pods need to use priority 0 or higher
// in order to be able to preempt overprovisioning pods." Below -10, the default
// --expendable-pods-priority-cutoff, a pending placeholder would add no node.
const (
	// PlaceholderPriorityClass is the placeholders' class, PlaceholderPriority its value.
	PlaceholderPriorityClass = "openwan-headroom"
	PlaceholderPriority      = -10
	// AppPriorityClass is the app's class, AppPriority its value: that of every pod without a
	// class, so the app preempts placeholders and nothing else. Above 0 an API pod on a full pool
	// could evict KEDA's or the secrets operator's pods, whose charts set no class.
	AppPriorityClass = "openwan-app"
	AppPriority      = 0
)

// placeholderUser is the pause image's own non-root user.
const placeholderUser = 65535

// Headroom keeps spare room on node pools: a Deployment of pause pods per pool, each requesting
// what one pod of the pool's service requests, at a priority below everything else. A new app
// pod preempts a placeholder at once instead of waiting for a node; the placeholder, pending,
// makes cluster-autoscaler add a node in the background, and the room is back.
type Headroom struct {
	pulumi.ResourceState

	// AppClass is the PriorityClass the app's pods name; PlaceholderClass the placeholders'.
	AppClass, PlaceholderClass *schedulingv1.PriorityClass
	// Placeholders are the pause Deployments by pool name (none for a pool of 0 pods).
	Placeholders map[string]*appsv1.Deployment
}

// HeadroomArgs describe the headroom.
type HeadroomArgs struct {
	// Namespace the placeholders run in.
	Namespace pulumi.StringInput
	// Image is the pause image, pinned by tag or digest.
	Image string
	// Pools are the node pools to keep room on.
	Pools []HeadroomPool
}

// HeadroomPool is the room kept on one node pool.
type HeadroomPool struct {
	// Name names the pool in the Deployment's name (non-empty, unique).
	Name string
	// Pods is how many placeholders (pods, 0..100; 0 keeps no room).
	Pods int
	// Requests are one placeholder's: one pod of the pool's service, so a preempted placeholder
	// frees exactly the room one such pod needs, disk included.
	Requests Resources
	// NodeSelector and Tolerations place the placeholders where the service's pods go.
	NodeSelector map[string]string
	Tolerations  []Toleration
}

func (a *HeadroomArgs) validate() error {
	if a == nil {
		return errors.New("args are required")
	}
	var errs []error
	if a.Namespace == nil {
		errs = append(errs, errors.New("Namespace: must be set"))
	}
	if a.Image == "" {
		errs = append(errs, errors.New("Image: must not be empty"))
	}
	seen := map[string]bool{}
	for i, p := range a.Pools {
		field := fmt.Sprintf("Pools[%d]", i)
		if p.Name == "" || seen[p.Name] {
			errs = append(errs, fmt.Errorf("%s.Name: %q is empty or repeated", field, p.Name))
		}
		seen[p.Name] = true
		if p.Pods < 0 || p.Pods > 100 {
			errs = append(errs, fmt.Errorf("%s.Pods: %d is outside [0, 100]", field, p.Pods))
		}
		if p.Pods > 0 {
			errs = append(errs, p.Requests.Validate(field+".Requests")...)
			if len(p.NodeSelector) == 0 {
				errs = append(errs, fmt.Errorf("%s.NodeSelector: must not be empty: the room is kept on one pool", field))
			}
		}
	}
	return errors.Join(errs...)
}

// NewHeadroom declares the two PriorityClasses and a placeholder Deployment per pool.
func NewHeadroom(ctx *pulumi.Context, name string, args *HeadroomArgs, opts ...pulumi.ResourceOption) (*Headroom, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("headroom %s: %w", name, err)
	}
	h := &Headroom{Placeholders: map[string]*appsv1.Deployment{}}
	if err := ctx.RegisterComponentResource("openwan:k8s:Headroom", name, h, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(h)
	class := func(resource, className string, value int, preemption, description string) (*schedulingv1.PriorityClass, error) {
		return schedulingv1.NewPriorityClass(ctx, resource, &schedulingv1.PriorityClassArgs{
			Metadata:         &metav1.ObjectMetaArgs{Name: pulumi.String(className)},
			Value:            pulumi.Int(value),
			GlobalDefault:    pulumi.Bool(false),
			PreemptionPolicy: pulumi.String(preemption),
			Description:      pulumi.String(description),
		}, child)
	}
	var err error
	h.AppClass, err = class(name+"-app", AppPriorityClass, AppPriority, "PreemptLowerPriority",
		"OpenWan's pods: they take the room the headroom's placeholders hold.")
	if err != nil {
		return nil, err
	}
	// Never preempts: a placeholder waits for room, and its waiting is what adds a node.
	h.PlaceholderClass, err = class(name+"-placeholder", PlaceholderPriorityClass, PlaceholderPriority, "Never",
		"Placeholders that keep spare room on the node pools for OpenWan's pods to preempt.")
	if err != nil {
		return nil, err
	}
	for _, pool := range args.Pools {
		if pool.Pods == 0 {
			continue
		}
		d, err := newPlaceholders(ctx, name, args, pool, append([]pulumi.ResourceOption{child},
			pulumi.DependsOn([]pulumi.Resource{h.PlaceholderClass}))...)
		if err != nil {
			return nil, err
		}
		h.Placeholders[pool.Name] = d
	}
	if err := ctx.RegisterResourceOutputs(h, pulumi.Map{}); err != nil {
		return nil, err
	}
	return h, nil
}

// newPlaceholders is one pool's Deployment of pause pods.
func newPlaceholders(ctx *pulumi.Context, name string, args *HeadroomArgs, pool HeadroomPool, opts ...pulumi.ResourceOption) (*appsv1.Deployment, error) {
	labels := pulumi.StringMap{
		"app.kubernetes.io/name":      pulumi.String("openwan-headroom"),
		"app.kubernetes.io/component": pulumi.String(pool.Name),
	}
	return appsv1.NewDeployment(ctx, name+"-"+pool.Name, &appsv1.DeploymentArgs{
		Metadata: &metav1.ObjectMetaArgs{
			Name: pulumi.String("openwan-headroom-" + pool.Name), Namespace: args.Namespace, Labels: labels,
			// A placeholder rightly stays pending while app pods hold its room: `up` must not
			// wait for all of them to run.
			Annotations: pulumi.StringMap{"pulumi.com/skipAwait": pulumi.String("true")},
		},
		Spec: &appsv1.DeploymentSpecArgs{
			Replicas: pulumi.Int(pool.Pods),
			Selector: &metav1.LabelSelectorArgs{MatchLabels: labels},
			Template: &corev1.PodTemplateSpecArgs{
				Metadata: &metav1.ObjectMetaArgs{Labels: labels},
				Spec: &corev1.PodSpecArgs{
					PriorityClassName:            pulumi.String(PlaceholderPriorityClass),
					AutomountServiceAccountToken: pulumi.Bool(false),
					// Preemption waits for the victim's grace period: none, so the app pod that
					// evicts a placeholder is bound at once.
					TerminationGracePeriodSeconds: pulumi.Int(0),
					NodeSelector:                  pulumi.ToStringMap(pool.NodeSelector),
					Tolerations:                   tolerationArgs(pool.Tolerations),
					SecurityContext: &corev1.PodSecurityContextArgs{
						RunAsNonRoot:   pulumi.Bool(true),
						RunAsUser:      pulumi.Int(placeholderUser),
						RunAsGroup:     pulumi.Int(placeholderUser),
						SeccompProfile: &corev1.SeccompProfileArgs{Type: pulumi.String("RuntimeDefault")},
					},
					Containers: corev1.ContainerArray{&corev1.ContainerArgs{
						Name:            pulumi.String("pause"),
						Image:           pulumi.String(args.Image),
						ImagePullPolicy: pulumi.String("IfNotPresent"),
						Resources: &corev1.ResourceRequirementsArgs{
							Requests: Quantities(pool.Requests),
							Limits:   Quantities(pool.Requests),
						},
						SecurityContext: &corev1.SecurityContextArgs{
							AllowPrivilegeEscalation: pulumi.Bool(false),
							ReadOnlyRootFilesystem:   pulumi.Bool(true),
							Privileged:               pulumi.Bool(false),
							Capabilities:             &corev1.CapabilitiesArgs{Drop: pulumi.StringArray{pulumi.String("ALL")}},
						},
					}},
				},
			},
		},
	}, opts...)
}
