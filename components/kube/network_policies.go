package kube

import (
	"errors"
	"fmt"

	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// DefaultDenyPolicyName is the namespace's default-deny ingress NetworkPolicy.
const DefaultDenyPolicyName = "default-deny-ingress"

// NetworkPolicies isolate the app namespace: no pod admits traffic unless a policy says so, and
// only the API admits its port, from the load balancer's addresses.
//
// Egress stays open, by choice: the database, Redis and RabbitMQ are addresses of config that
// may sit in this VPC, a peered one or a managed endpoint, and S3 and STS answer from changing
// public addresses over HTTPS, the one port an exfiltration needs anyway. What the pods may do
// in AWS is bounded by their IRSA roles instead, and the nodes' instance metadata by hop limit 1.
//
// The kubelet's probes come from the pod's own node and metrics-server scrapes the kubelets,
// not the pods: neither crosses these policies.
type NetworkPolicies struct {
	pulumi.ResourceState

	// DefaultDeny selects every pod of the namespace and admits nothing.
	DefaultDeny *networkingv1.NetworkPolicy
	// API admits the API's port from the load balancer's addresses.
	API *networkingv1.NetworkPolicy
}

// NetworkPoliciesArgs describe the namespace's policies.
type NetworkPoliciesArgs struct {
	// Namespace is the app namespace.
	Namespace pulumi.StringInput
	// APIPodLabels select the API's pods (non-empty: an empty selector would open every pod).
	APIPodLabels map[string]string
	// APIPort is the API container's port (TCP, 1..65535).
	APIPort int
	// APISourceCIDRs are the addresses the API admits on APIPort: where the load balancer's
	// nodes are (with target-type ip the ALB connects to the pods from its own private
	// addresses). Required: a NetworkPolicy cannot name the ALB's security group.
	APISourceCIDRs pulumi.StringArrayInput
}

func (a *NetworkPoliciesArgs) validate() error {
	if a == nil {
		return errors.New("args are required")
	}
	var errs []error
	if a.Namespace == nil {
		errs = append(errs, errors.New("Namespace: must be set"))
	}
	if len(a.APIPodLabels) == 0 {
		errs = append(errs, errors.New("APIPodLabels: must not be empty: an empty selector admits the port to every pod"))
	}
	if a.APIPort < 1 || a.APIPort > 65535 {
		errs = append(errs, fmt.Errorf("APIPort: %d is outside [1, 65535]", a.APIPort))
	}
	if a.APISourceCIDRs == nil {
		errs = append(errs, errors.New("APISourceCIDRs: must be set"))
	}
	return errors.Join(errs...)
}

// NewNetworkPolicies declares the namespace's default-deny ingress policy and the API's.
func NewNetworkPolicies(ctx *pulumi.Context, name string, args *NetworkPoliciesArgs, opts ...pulumi.ResourceOption) (*NetworkPolicies, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("network policies %s: %w", name, err)
	}
	np := &NetworkPolicies{}
	if err := ctx.RegisterComponentResource("openwan:k8s:NetworkPolicies", name, np, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(np)
	var err error
	np.DefaultDeny, err = networkingv1.NewNetworkPolicy(ctx, name+"-default-deny", &networkingv1.NetworkPolicyArgs{
		Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(DefaultDenyPolicyName), Namespace: args.Namespace},
		Spec: &networkingv1.NetworkPolicySpecArgs{
			PodSelector: &metav1.LabelSelectorArgs{},
			PolicyTypes: pulumi.StringArray{pulumi.String("Ingress")},
		},
	}, child)
	if err != nil {
		return nil, err
	}
	sources := args.APISourceCIDRs.ToStringArrayOutput().ApplyT(func(cidrs []string) ([]networkingv1.NetworkPolicyPeer, error) {
		// An empty `from` admits everyone: refuse it rather than open the port.
		if len(cidrs) == 0 {
			return nil, fmt.Errorf("network policies %s: APISourceCIDRs: empty, which would admit the API port from anywhere", name)
		}
		peers := make([]networkingv1.NetworkPolicyPeer, len(cidrs))
		for i, c := range cidrs {
			peers[i] = networkingv1.NetworkPolicyPeer{IpBlock: &networkingv1.IPBlock{Cidr: c}}
		}
		return peers, nil
	}).(networkingv1.NetworkPolicyPeerArrayOutput)
	np.API, err = networkingv1.NewNetworkPolicy(ctx, name+"-api", &networkingv1.NetworkPolicyArgs{
		Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String("openwan-api-ingress"), Namespace: args.Namespace},
		Spec: &networkingv1.NetworkPolicySpecArgs{
			PodSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(args.APIPodLabels)},
			PolicyTypes: pulumi.StringArray{pulumi.String("Ingress")},
			Ingress: networkingv1.NetworkPolicyIngressRuleArray{&networkingv1.NetworkPolicyIngressRuleArgs{
				From: sources,
				Ports: networkingv1.NetworkPolicyPortArray{&networkingv1.NetworkPolicyPortArgs{
					Protocol: pulumi.String("TCP"), Port: pulumi.Int(args.APIPort),
				}},
			}},
		},
	}, child)
	if err != nil {
		return nil, err
	}
	if err := ctx.RegisterResourceOutputs(np, pulumi.Map{}); err != nil {
		return nil, err
	}
	return np, nil
}
