package fleet

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// LoadBalancer is the internet-facing Application Load Balancer in front of the API fleet, its
// target group and listeners, and the two security groups that make it the only way in: the
// load balancer's (80/443 from anywhere) and the instances' (the app port from the load balancer
// only).
type LoadBalancer struct {
	pulumi.ResourceState

	// LoadBalancer is the ALB and TargetGroup the API instances register with.
	LoadBalancer *lb.LoadBalancer
	TargetGroup  *lb.TargetGroup
	// InstanceSGID is the instances' security group (for their launch template) and
	// LoadBalancerSGID the load balancer's.
	InstanceSGID     pulumi.StringOutput
	LoadBalancerSGID pulumi.StringOutput
}

// LoadBalancerArgs describe the load balancer.
type LoadBalancerArgs struct {
	// VPCID and PublicSubnetIDs place the load balancer.
	VPCID           pulumi.StringInput
	PublicSubnetIDs pulumi.StringArrayInput
	// Port is the app's port on the instances (1 to 65535).
	Port int
	// HealthPath is the target group's health check path, starting with "/".
	HealthPath string
	// CertificateARN, when set, adds an HTTPS listener and redirects HTTP to it.
	CertificateARN string
	// DeregistrationDelaySeconds lets in-flight requests finish on a leaving target (s, 0 to
	// 3600).
	DeregistrationDelaySeconds int
}

func (a *LoadBalancerArgs) validate() error {
	if a == nil {
		return errors.New("args are required")
	}
	var errs []error
	if a.VPCID == nil {
		errs = append(errs, errors.New("VPCID: must be set"))
	}
	if a.PublicSubnetIDs == nil {
		errs = append(errs, errors.New("PublicSubnetIDs: must be set"))
	}
	if a.Port < 1 || a.Port > 65535 {
		errs = append(errs, fmt.Errorf("Port: %d is outside [1, 65535]", a.Port))
	}
	if !strings.HasPrefix(a.HealthPath, "/") {
		errs = append(errs, fmt.Errorf("HealthPath: %q does not start with /", a.HealthPath))
	}
	if a.CertificateARN != "" && !strings.HasPrefix(a.CertificateARN, "arn:") {
		errs = append(errs, fmt.Errorf("CertificateARN: %q is not an ARN", a.CertificateARN))
	}
	// The bounds of a target group's deregistration delay.
	if a.DeregistrationDelaySeconds < 0 || a.DeregistrationDelaySeconds > 3600 {
		errs = append(errs, fmt.Errorf("DeregistrationDelaySeconds: %d is outside [0, 3600]", a.DeregistrationDelaySeconds))
	}
	return errors.Join(errs...)
}

// Ingress is one rule letting clients reach a listener.
type Ingress struct {
	// Suffix ends the rule's resource name: the address family and the port.
	Suffix string
	// Port is the listener's TCP port.
	Port int
	// IPv6 selects the rule's field: CIDR blocks of one family only.
	IPv6 bool
	// CIDR is the block the rule admits: all of the family's addresses.
	CIDR string
}

// ListenerIngress are the load balancer's ingress rules from anywhere, one per listener port
// (80, and 443 with https) and address family, ports ascending and families in name order. The
// order is fixed so that resources are always declared alike, whatever the map iteration order.
// It is exported for the tests, which run outside this package and pin that order: the SDK
// registers resources concurrently and the recording mocks sort what they record by URN, so the
// declaration order shows in no plan.
func ListenerIngress(https bool) []Ingress {
	ports := []int{80}
	if https {
		ports = append(ports, 443)
	}
	anywhere := map[string]string{"ipv4": "0.0.0.0/0", "ipv6": "::/0"}
	var rules []Ingress
	for _, port := range ports {
		for _, family := range slices.Sorted(maps.Keys(anywhere)) {
			rules = append(rules, Ingress{
				Suffix: family + "-" + strconv.Itoa(port), Port: port, IPv6: family == "ipv6", CIDR: anywhere[family],
			})
		}
	}
	return rules
}

// NewLoadBalancer declares the security groups, the ALB (dropping invalid headers), a target
// group checking HealthPath every 15 s (healthy after 2, unhealthy after 3), and the listeners.
func NewLoadBalancer(ctx *pulumi.Context, name string, args *LoadBalancerArgs, opts ...pulumi.ResourceOption) (*LoadBalancer, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("load balancer %s: %w", name, err)
	}
	l := &LoadBalancer{}
	if err := ctx.RegisterComponentResource("openwan:ec2:LoadBalancer", name, l, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(l)

	lbSG, err := ec2.NewSecurityGroup(ctx, name+"-lb", &ec2.SecurityGroupArgs{
		VpcId:       args.VPCID,
		Description: pulumi.String("OpenWan API load balancer: HTTP(S) from anywhere"),
	}, child)
	if err != nil {
		return nil, err
	}
	for _, in := range ListenerIngress(args.CertificateARN != "") {
		rule := &ec2.SecurityGroupRuleArgs{
			Type: pulumi.String("ingress"), SecurityGroupId: lbSG.ID(), Protocol: pulumi.String("tcp"),
			FromPort: pulumi.Int(in.Port), ToPort: pulumi.Int(in.Port),
		}
		if in.IPv6 {
			rule.Ipv6CidrBlocks = pulumi.StringArray{pulumi.String(in.CIDR)}
		} else {
			rule.CidrBlocks = pulumi.StringArray{pulumi.String(in.CIDR)}
		}
		if _, err := ec2.NewSecurityGroupRule(ctx, name+"-lb-"+in.Suffix, rule, child); err != nil {
			return nil, err
		}
	}
	instanceSG, err := ec2.NewSecurityGroup(ctx, name+"-instances", &ec2.SecurityGroupArgs{
		VpcId:       args.VPCID,
		Description: pulumi.String("OpenWan API instances: app port from the load balancer only"),
		Egress:      allEgress(),
	}, child)
	if err != nil {
		return nil, err
	}
	if _, err := ec2.NewSecurityGroupRule(ctx, name+"-app-from-lb", &ec2.SecurityGroupRuleArgs{
		Type: pulumi.String("ingress"), SecurityGroupId: instanceSG.ID(), SourceSecurityGroupId: lbSG.ID(),
		Protocol: pulumi.String("tcp"), FromPort: pulumi.Int(args.Port), ToPort: pulumi.Int(args.Port),
	}, child); err != nil {
		return nil, err
	}
	if _, err := ec2.NewSecurityGroupRule(ctx, name+"-lb-to-app", &ec2.SecurityGroupRuleArgs{
		Type: pulumi.String("egress"), SecurityGroupId: lbSG.ID(), SourceSecurityGroupId: instanceSG.ID(),
		Protocol: pulumi.String("tcp"), FromPort: pulumi.Int(args.Port), ToPort: pulumi.Int(args.Port),
	}, child); err != nil {
		return nil, err
	}

	l.LoadBalancer, err = lb.NewLoadBalancer(ctx, name, &lb.LoadBalancerArgs{
		LoadBalancerType:        pulumi.String("application"),
		Internal:                pulumi.Bool(false),
		Subnets:                 args.PublicSubnetIDs,
		SecurityGroups:          pulumi.StringArray{lbSG.ID()},
		DropInvalidHeaderFields: pulumi.Bool(true),
	}, child)
	if err != nil {
		return nil, err
	}
	l.TargetGroup, err = lb.NewTargetGroup(ctx, name+"-api", &lb.TargetGroupArgs{
		VpcId:               args.VPCID,
		Port:                pulumi.Int(args.Port),
		Protocol:            pulumi.String("HTTP"),
		TargetType:          pulumi.String("instance"),
		DeregistrationDelay: pulumi.Int(args.DeregistrationDelaySeconds),
		HealthCheck: &lb.TargetGroupHealthCheckArgs{
			Path: pulumi.String(args.HealthPath), Matcher: pulumi.String("200"), Interval: pulumi.Int(15),
			HealthyThreshold: pulumi.Int(2), UnhealthyThreshold: pulumi.Int(3), Timeout: pulumi.Int(5),
		},
	}, child)
	if err != nil {
		return nil, err
	}
	forward := lb.ListenerDefaultActionArray{&lb.ListenerDefaultActionArgs{
		Type: pulumi.String("forward"), TargetGroupArn: l.TargetGroup.Arn,
	}}
	httpAction := forward
	if args.CertificateARN != "" {
		if _, err := lb.NewListener(ctx, name+"-https", &lb.ListenerArgs{
			LoadBalancerArn: l.LoadBalancer.Arn, Port: pulumi.Int(443), Protocol: pulumi.String("HTTPS"),
			CertificateArn: pulumi.String(args.CertificateARN), SslPolicy: pulumi.String("ELBSecurityPolicy-TLS13-1-2-2021-06"),
			DefaultActions: forward,
		}, child); err != nil {
			return nil, err
		}
		httpAction = lb.ListenerDefaultActionArray{&lb.ListenerDefaultActionArgs{
			Type: pulumi.String("redirect"),
			Redirect: &lb.ListenerDefaultActionRedirectArgs{
				Port: pulumi.String("443"), Protocol: pulumi.String("HTTPS"), StatusCode: pulumi.String("HTTP_301"),
			},
		}}
	}
	if _, err := lb.NewListener(ctx, name+"-http", &lb.ListenerArgs{
		LoadBalancerArn: l.LoadBalancer.Arn, Port: pulumi.Int(80), Protocol: pulumi.String("HTTP"), DefaultActions: httpAction,
	}, child); err != nil {
		return nil, err
	}
	l.InstanceSGID = instanceSG.ID().ToStringOutput()
	l.LoadBalancerSGID = lbSG.ID().ToStringOutput()
	if err := ctx.RegisterResourceOutputs(l, pulumi.Map{"dnsName": l.LoadBalancer.DnsName, "targetGroupArn": l.TargetGroup.Arn}); err != nil {
		return nil, err
	}
	return l, nil
}

// allEgress lets instances reach S3, Redis, RabbitMQ and package mirrors through the NAT.
func allEgress() ec2.SecurityGroupEgressArray {
	return ec2.SecurityGroupEgressArray{&ec2.SecurityGroupEgressArgs{
		Protocol: pulumi.String("-1"), FromPort: pulumi.Int(0), ToPort: pulumi.Int(0),
		CidrBlocks: pulumi.StringArray{pulumi.String("0.0.0.0/0")},
	}}
}
