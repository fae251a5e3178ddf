package kube

import (
	"errors"
	"fmt"
	"strconv"

	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ALB annotations of the AWS Load Balancer Controller (docs/guide/ingress/annotations.md).
const (
	albPrefix = "alb.ingress.kubernetes.io/"
	// ALBStackTag is the tag the controller puts on the load balancer of an Ingress, valued
	// "<namespace>/<name>": how the stack finds the ALB it made.
	ALBStackTag = "ingress.k8s.aws/stack"
	// ALBClusterTag is the tag naming the cluster of a load balancer the controller made.
	ALBClusterTag = "elbv2.k8s.aws/cluster"
)

// Ingress exposes a Service through an internet-facing Application Load Balancer that the AWS
// Load Balancer Controller makes, sending requests straight to the pods (target-type ip).
type Ingress struct {
	pulumi.ResourceState

	// Ingress is the Kubernetes object; its status holds the ALB's DNS name once made.
	Ingress *networkingv1.Ingress
	// StackTag is the value of ALBStackTag on its load balancer.
	StackTag string
}

// IngressArgs describe the Ingress.
type IngressArgs struct {
	// Namespace and Name are the Ingress's own (Name also names the ALB's tag value).
	Namespace, Name string
	// ClassName is the IngressClass of the controller.
	ClassName string
	// ServiceName and ServicePort are the backend.
	ServiceName string
	ServicePort int
	// HealthCheckPath is the pods' readiness path: the ALB sends only to pods that are ready.
	HealthCheckPath string
	// DeregistrationDelaySeconds is how long the ALB lets in-flight requests of a deregistered
	// pod finish (s, 0..3600); keep it below the pods' preStop sleep, so that no request reaches
	// a pod that has begun to stop.
	DeregistrationDelaySeconds int
	// CertificateARN turns on HTTPS on 443 with HTTP redirected to it; empty serves HTTP on 80.
	CertificateARN string
}

func (a *IngressArgs) validate() error {
	if a == nil {
		return errors.New("args are required")
	}
	var errs []error
	for _, f := range []struct{ field, value string }{
		{"Namespace", a.Namespace}, {"Name", a.Name}, {"ClassName", a.ClassName}, {"ServiceName", a.ServiceName}, {"HealthCheckPath", a.HealthCheckPath},
	} {
		if f.value == "" {
			errs = append(errs, fmt.Errorf("%s: must not be empty", f.field))
		}
	}
	if a.ServicePort < 1 || a.ServicePort > 65535 {
		errs = append(errs, fmt.Errorf("ServicePort: %d is outside [1, 65535]", a.ServicePort))
	}
	if a.DeregistrationDelaySeconds < 0 || a.DeregistrationDelaySeconds > 3600 {
		errs = append(errs, fmt.Errorf("DeregistrationDelaySeconds: %d is outside [0, 3600]", a.DeregistrationDelaySeconds))
	}
	return errors.Join(errs...)
}

// NewIngress declares the Ingress. The controller gives its ALB a security group that admits
// the listener ports only (80, and 443 with a certificate) and adds the ALB to the pods' security
// group on their port alone.
func NewIngress(ctx *pulumi.Context, name string, args *IngressArgs, opts ...pulumi.ResourceOption) (*Ingress, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("ingress %s: %w", name, err)
	}
	annotations := pulumi.StringMap{
		albPrefix + "scheme":           pulumi.String("internet-facing"),
		albPrefix + "target-type":      pulumi.String("ip"),
		albPrefix + "healthcheck-path": pulumi.String(args.HealthCheckPath),
		albPrefix + "target-group-attributes": pulumi.String(
			"deregistration_delay.timeout_seconds=" + strconv.Itoa(args.DeregistrationDelaySeconds)),
		albPrefix + "load-balancer-attributes": pulumi.String("routing.http.drop_invalid_header_fields.enabled=true"),
		albPrefix + "listen-ports":             pulumi.String(`[{"HTTP": 80}]`),
	}
	if args.CertificateARN != "" {
		annotations[albPrefix+"listen-ports"] = pulumi.String(`[{"HTTP": 80}, {"HTTPS": 443}]`)
		annotations[albPrefix+"certificate-arn"] = pulumi.String(args.CertificateARN)
		annotations[albPrefix+"ssl-redirect"] = pulumi.String("443")
		annotations[albPrefix+"ssl-policy"] = pulumi.String("ELBSecurityPolicy-TLS13-1-2-2021-06")
	}
	in := &Ingress{StackTag: args.Namespace + "/" + args.Name}
	if err := ctx.RegisterComponentResource("openwan:k8s:Ingress", name, in, opts...); err != nil {
		return nil, err
	}
	var err error
	in.Ingress, err = networkingv1.NewIngress(ctx, name, &networkingv1.IngressArgs{
		Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(args.Name), Namespace: pulumi.String(args.Namespace), Annotations: annotations},
		Spec: &networkingv1.IngressSpecArgs{
			IngressClassName: pulumi.String(args.ClassName),
			DefaultBackend: &networkingv1.IngressBackendArgs{
				Service: &networkingv1.IngressServiceBackendArgs{
					Name: pulumi.String(args.ServiceName),
					Port: &networkingv1.ServiceBackendPortArgs{Number: pulumi.Int(args.ServicePort)},
				},
			},
		},
	}, pulumi.Parent(in))
	if err != nil {
		return nil, err
	}
	if err := ctx.RegisterResourceOutputs(in, pulumi.Map{}); err != nil {
		return nil, err
	}
	return in, nil
}
