package model

// Type tokens of the provider resources the program's readers look for: the policy rules, the
// offline AWS judge (internal/awsmodel), the recording mocks (internal/plan), the model of
// pulumi-eks's children (internal/pulumieks) and synth's summary. They are declared here once;
// TestTypeTokensAreDeclaredOnce keeps another package from spelling one again.
//
// The components declare these resources through the SDKs' constructors and the tests name the
// tokens they expect, so neither reads this list.
const (
	// TypeAutoscalingGroup is an EC2 Auto Scaling group.
	TypeAutoscalingGroup = "aws:autoscaling/group:Group"
	// TypeAutoscalingLifecycleHook is a group's lifecycle hook.
	TypeAutoscalingLifecycleHook = "aws:autoscaling/lifecycleHook:LifecycleHook"
	// TypeAutoscalingNotification is a group's launch and terminate notifications to a topic.
	TypeAutoscalingNotification = "aws:autoscaling/notification:Notification"
	// TypeAutoscalingPolicy is a group's scaling policy (target tracking or step).
	TypeAutoscalingPolicy = "aws:autoscaling/policy:Policy"
	// TypeAutoscalingSchedule is a group's scheduled action.
	TypeAutoscalingSchedule = "aws:autoscaling/schedule:Schedule"

	// TypeBudget is an AWS Budgets budget.
	TypeBudget = "aws:budgets/budget:Budget"

	// TypeCloudWatchDashboard is a CloudWatch dashboard.
	TypeCloudWatchDashboard = "aws:cloudwatch/dashboard:Dashboard"
	// TypeCloudWatchEventRule is an EventBridge rule.
	TypeCloudWatchEventRule = "aws:cloudwatch/eventRule:EventRule"
	// TypeCloudWatchEventTarget is an EventBridge rule's target.
	TypeCloudWatchEventTarget = "aws:cloudwatch/eventTarget:EventTarget"
	// TypeCloudWatchLogGroup is a CloudWatch Logs log group.
	TypeCloudWatchLogGroup = "aws:cloudwatch/logGroup:LogGroup"
	// TypeCloudWatchMetricAlarm is a CloudWatch metric alarm.
	TypeCloudWatchMetricAlarm = "aws:cloudwatch/metricAlarm:MetricAlarm"

	// TypeEC2EIP is an Elastic IP address.
	TypeEC2EIP = "aws:ec2/eip:Eip"
	// TypeEC2InternetGateway is a VPC's internet gateway.
	TypeEC2InternetGateway = "aws:ec2/internetGateway:InternetGateway"
	// TypeEC2LaunchTemplate is an EC2 launch template.
	TypeEC2LaunchTemplate = "aws:ec2/launchTemplate:LaunchTemplate"
	// TypeEC2NATGateway is a NAT gateway.
	TypeEC2NATGateway = "aws:ec2/natGateway:NatGateway"
	// TypeEC2RouteTable is a VPC route table.
	TypeEC2RouteTable = "aws:ec2/routeTable:RouteTable"
	// TypeEC2RouteTableAssociation ties a subnet to a route table.
	TypeEC2RouteTableAssociation = "aws:ec2/routeTableAssociation:RouteTableAssociation"
	// TypeEC2SecurityGroup is a security group.
	TypeEC2SecurityGroup = "aws:ec2/securityGroup:SecurityGroup"
	// TypeEC2SecurityGroupRule is one rule of a security group (the EC2 module's form).
	TypeEC2SecurityGroupRule = "aws:ec2/securityGroupRule:SecurityGroupRule"
	// TypeEC2Subnet is a VPC subnet.
	TypeEC2Subnet = "aws:ec2/subnet:Subnet"
	// TypeEC2VPC is a VPC.
	TypeEC2VPC = "aws:ec2/vpc:Vpc"
	// TypeEC2VPCEndpoint is a VPC endpoint.
	TypeEC2VPCEndpoint = "aws:ec2/vpcEndpoint:VpcEndpoint"
	// TypeVPCSecurityGroupIngressRule is one ingress rule of a security group (the VPC module's
	// form).
	TypeVPCSecurityGroupIngressRule = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"

	// TypeEKSAccessEntry is an EKS access entry.
	TypeEKSAccessEntry = "aws:eks/accessEntry:AccessEntry"
	// TypeEKSAccessPolicyAssociation grants an access entry an EKS access policy.
	TypeEKSAccessPolicyAssociation = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"
	// TypeEKSAddon is an EKS add-on.
	TypeEKSAddon = "aws:eks/addon:Addon"
	// TypeEKSCluster is the EKS control plane itself (pulumi-eks creates it inside
	// TypePulumiEKSCluster).
	TypeEKSCluster = "aws:eks/cluster:Cluster"
	// TypeEKSNodeGroup is an EKS managed node group.
	TypeEKSNodeGroup = "aws:eks/nodeGroup:NodeGroup"

	// TypeIAMInstanceProfile is an IAM instance profile.
	TypeIAMInstanceProfile = "aws:iam/instanceProfile:InstanceProfile"
	// TypeIAMOIDCProvider is an IAM OpenID Connect provider (a cluster's, for IRSA).
	TypeIAMOIDCProvider = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
	// TypeIAMRole is an IAM role.
	TypeIAMRole = "aws:iam/role:Role"
	// TypeIAMRolePolicy is a role's inline policy.
	TypeIAMRolePolicy = "aws:iam/rolePolicy:RolePolicy"
	// TypeIAMRolePolicyAttachment attaches a managed policy to a role.
	TypeIAMRolePolicyAttachment = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"

	// TypeKMSKey is a customer-managed KMS key.
	TypeKMSKey = "aws:kms/key:Key"

	// TypeLBListener is a load balancer's listener.
	TypeLBListener = "aws:lb/listener:Listener"
	// TypeLBLoadBalancer is an Elastic Load Balancing v2 load balancer.
	TypeLBLoadBalancer = "aws:lb/loadBalancer:LoadBalancer"
	// TypeLBTargetGroup is a load balancer's target group.
	TypeLBTargetGroup = "aws:lb/targetGroup:TargetGroup"

	// TypeSNSTopic is an SNS topic.
	TypeSNSTopic = "aws:sns/topic:Topic"
	// TypeSNSTopicPolicy is an SNS topic's access policy.
	TypeSNSTopicPolicy = "aws:sns/topicPolicy:TopicPolicy"
	// TypeSNSTopicSubscription is a subscription to an SNS topic.
	TypeSNSTopicSubscription = "aws:sns/topicSubscription:TopicSubscription"

	// TypePulumiEKSCluster is pulumi-eks's cluster, a remote component whose children the eks
	// plugin registers at deploy time.
	TypePulumiEKSCluster = "eks:index:Cluster"
	// TypePulumiEKSManagedNodeGroup is pulumi-eks's managed node group component.
	TypePulumiEKSManagedNodeGroup = "eks:index:ManagedNodeGroup"
	// TypePulumiEKSServiceRole is the local component pulumi-eks makes the cluster's role in.
	TypePulumiEKSServiceRole = "eks:index:ServiceRole"

	// TypeK8sConfigMap is a Kubernetes ConfigMap.
	TypeK8sConfigMap = "kubernetes:core/v1:ConfigMap"
	// TypeK8sDaemonSet is a Kubernetes DaemonSet.
	TypeK8sDaemonSet = "kubernetes:apps/v1:DaemonSet"
	// TypeK8sDeployment is a Kubernetes Deployment.
	TypeK8sDeployment = "kubernetes:apps/v1:Deployment"
	// TypeK8sHPA is a Kubernetes HorizontalPodAutoscaler (autoscaling/v2).
	TypeK8sHPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
	// TypeK8sIngress is a Kubernetes Ingress.
	TypeK8sIngress = "kubernetes:networking.k8s.io/v1:Ingress"
	// TypeK8sJob is a Kubernetes Job.
	TypeK8sJob = "kubernetes:batch/v1:Job"
	// TypeK8sNetworkPolicy is a Kubernetes NetworkPolicy.
	TypeK8sNetworkPolicy = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
	// TypeK8sPodDisruptionBudget is a Kubernetes PodDisruptionBudget.
	TypeK8sPodDisruptionBudget = "kubernetes:policy/v1:PodDisruptionBudget"
	// TypeK8sStatefulSet is a Kubernetes StatefulSet.
	TypeK8sStatefulSet = "kubernetes:apps/v1:StatefulSet"
	// TypeKEDAScaledObject is KEDA's ScaledObject, which scales a Deployment on a queue.
	TypeKEDAScaledObject = "kubernetes:keda.sh/v1alpha1:ScaledObject"

	// TypeKubernetesProvider is a Kubernetes provider instance.
	TypeKubernetesProvider = "pulumi:providers:kubernetes"
)
