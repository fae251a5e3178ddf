package config

import (
	"maps"
	"regexp"
)

// Cluster configures the EKS path: the control plane, the two node pools and what runs on every
// cluster (metrics-server, cluster-autoscaler).
type Cluster struct {
	// Enabled turns the Kubernetes path (cluster, node pools, Kubernetes services) on.
	Enabled bool `json:"enabled"`
	// Existing deploys the Kubernetes services onto a cluster that already runs instead of
	// creating EKS: everything AWS-only (VPC for the cluster, node pools, cluster-autoscaler) is
	// left out.
	Existing ExistingCluster `json:"existing"`
	// Version is the Kubernetes minor version of the control plane, written "1.NN".
	Version string `json:"version"`
	// EndpointPublicAccess exposes the API server endpoint outside the VPC, limited to
	// PublicAccessCIDRs, so that `pulumi up` can reach it from CI. The private endpoint is always
	// on.
	EndpointPublicAccess bool `json:"endpointPublicAccess"`
	// PublicAccessCIDRs are the only networks allowed to reach a public endpoint. Required, and
	// never 0.0.0.0/0, when EndpointPublicAccess is on.
	PublicAccessCIDRs []string `json:"publicAccessCidrs"`
	// LogTypes are the control-plane log types sent to CloudWatch, at least one of api, audit,
	// authenticator, controllerManager and scheduler: the audit trail is worth its CloudWatch cost.
	LogTypes []string `json:"logTypes"`
	// LogRetentionDays is how long the cluster's logs are kept: the control plane's and, with
	// Container Insights, every container's and node's (days, one of LogRetentionDays()). The
	// default keeps a quarter: an incident's review, an audit question about last month.
	LogRetentionDays int `json:"logRetentionDays"`
	// NodePools are the managed node groups, keyed "api" (on-demand) and "workers" (spot).
	NodePools NodePools `json:"nodePools"`
	// DaemonSets are the requests of the pods EKS's own add-ons run on every node, by DaemonSet
	// (vpc-cni's aws-node, kube-proxy): node fit takes them from every node before any pod of
	// ours. Container Insights' are containerInsights.daemonSets.
	DaemonSets map[string]Quantity `json:"daemonSets"`
	// MetricsServer is the metrics-server release every HPA depends on.
	MetricsServer MetricsServer `json:"metricsServer"`
	// ClusterAutoscaler is the cluster-autoscaler release that gives pending pods nodes.
	ClusterAutoscaler ClusterAutoscaler `json:"clusterAutoscaler"`
	// Addons are the EKS managed add-ons' versions.
	Addons Addons `json:"addons"`
	// ExternalSecrets materialises openwan:app.secretName from SSM Parameter Store on EKS.
	ExternalSecrets ExternalSecrets `json:"externalSecrets"`
	// Ingress is the API's way in from the internet: the AWS Load Balancer Controller and an
	// Ingress it turns into an Application Load Balancer.
	Ingress Ingress `json:"ingress"`
	// KEDA is the KEDA release that scales the workers on queue depth.
	KEDA KEDA `json:"keda"`
	// Headroom is spare room on the node pools, held by placeholder pods that any app pod
	// preempts (EKS only).
	Headroom Headroom `json:"headroom"`
	// Access are the people's and CI roles' access to the cluster's Kubernetes API, besides its
	// creator's (EKS only).
	Access ClusterAccess `json:"access"`
	// ContainerInsights sends the cluster's metrics to CloudWatch (EKS only): the dashboard's
	// pod graphs and the at-maximum alarms read them.
	ContainerInsights ContainerInsights `json:"containerInsights"`
}

// ContainerInsights configures the amazon-cloudwatch-observability EKS add-on.
type ContainerInsights struct {
	// Enabled installs the add-on.
	Enabled bool `json:"enabled"`
	// AddonVersion pins it ("vX.Y.Z-eksbuild.N"); empty takes the version EKS gives the
	// cluster's Kubernetes version at creation (`aws eks describe-addon-versions --addon-name
	// amazon-cloudwatch-observability --kubernetes-version 1.NN` lists them).
	AddonVersion string `json:"addonVersion"`
	// DaemonSets are the requests of the add-on's pods on every node, by DaemonSet, from its
	// chart (aws-observability/helm-charts, charts/amazon-cloudwatch-observability values.yaml):
	// the CloudWatch agent and Fluent Bit. Counted by node fit when the add-on is enabled.
	DaemonSets map[string]Quantity `json:"daemonSets"`
}

// Headroom is cluster-autoscaler's overprovisioning pattern: placeholder pods of the lowest
// priority reserve room on each pool, a new app pod preempts one at once instead of waiting for
// a node, and the evicted placeholder, pending, makes cluster-autoscaler add a node in the
// background. Each placeholder requests what one pod of its pool's service requests.
type Headroom struct {
	// APIPods is the room kept on the API pool, in API pods (pods, 0..100; 0 keeps none). The
	// default takes the 5x spike from the HPA's minimum (2 pods to the 10 that 2500
	// requests/minute need at the target) onto nodes that are already there.
	APIPods int `json:"apiPods"`
	// WorkerPods is the room kept on the worker pool, in worker pods (pods, 0..100). None by
	// default: a job waits in the queue anyway, a node's start is short against a job, and spot
	// headroom is paid whether a job comes or not.
	WorkerPods int `json:"workerPods"`
	// PauseImage is the placeholders' image, pinned by tag or digest: the pause container does
	// nothing and uses no CPU.
	PauseImage string `json:"pauseImage"`
}

// ExternalSecrets configures the External Secrets Operator, which makes the app's Secret from
// the SSM SecureString parameters under /openwan/<stack>/ (the ones the EC2 instances read).
type ExternalSecrets struct {
	// Enabled installs the operator and the app's ExternalSecret (EKS only). Off, the Secret
	// must already exist in the namespace (an existing cluster's own secret management).
	Enabled bool `json:"enabled"`
	// ChartVersion pins the external-secrets chart.
	ChartVersion string `json:"chartVersion"`
	// RefreshInterval is how often the parameters are read again, a duration like "1h" (a
	// rotated credential reaches the Secret within it; pods read it at their next start).
	RefreshInterval string `json:"refreshInterval"`
	// Requests of each of the operator's three pods (controller, webhook, cert controller).
	Requests Quantity `json:"requests"`
}

// Ingress configures the API's Application Load Balancer on EKS.
type Ingress struct {
	// Enabled installs the AWS Load Balancer Controller and the API's Ingress.
	Enabled bool `json:"enabled"`
	// CertificateARN is an ACM certificate for the API's host name: with it the ALB serves
	// HTTPS on 443 and redirects HTTP to it; without, it serves HTTP on 80 only.
	CertificateARN string `json:"certificateArn"`
	// DeregistrationDelaySeconds is how long the ALB lets a stopping pod's requests finish (s,
	// 0..3600); it must end before openwan:api.preStopSleepSeconds, while the pod still serves.
	DeregistrationDelaySeconds int `json:"deregistrationDelaySeconds"`
	// Controller is the AWS Load Balancer Controller release.
	Controller LoadBalancerController `json:"controller"`
}

// LoadBalancerController configures the AWS Load Balancer Controller's Helm release.
type LoadBalancerController struct {
	// ChartVersion pins the eks/aws-load-balancer-controller chart.
	ChartVersion string `json:"chartVersion"`
	// ImageTag is the controller's image, "v2.MM.P"; keep it at the chart's app version.
	ImageTag string `json:"imageTag"`
	// Replicas of the controller (pods, 1..10): one leads, the others take over.
	Replicas int `json:"replicas"`
	// Requests of one controller pod.
	Requests Quantity `json:"requests"`
}

// KEDA configures the KEDA Helm release (operator, metrics API server, admission webhooks).
type KEDA struct {
	// Enabled installs KEDA; openwan:worker.queueScaling needs it.
	Enabled bool `json:"enabled"`
	// ChartVersion pins the kedacore/keda chart. Each KEDA release supports a few Kubernetes minor
	// versions only: bump it with openwan:cluster.version.
	ChartVersion string `json:"chartVersion"`
	// Requests of each of KEDA's three pods (operator, metrics API server, admission webhooks).
	Requests Quantity `json:"requests"`
}

// ExistingCluster is a cluster given by a kubeconfig.
type ExistingCluster struct {
	// Enabled targets the existing cluster instead of creating EKS.
	Enabled bool `json:"enabled"`
	// Context is the kubeconfig context to use; empty means the current one. The kubeconfig is
	// found as kubectl finds it: $KUBECONFIG, else ~/.kube/config.
	Context string `json:"context"`
	// APISourceCIDRs are the networks the API pods admit their port from (IPv4 CIDRs, at least
	// one). Whatever fronts the API on a cluster this program did not make (an ingress
	// controller, a port-forward) is not known to it: list its addresses to narrow the default.
	// On EKS the load balancer's subnets are used instead.
	APISourceCIDRs []string `json:"apiSourceCidrs"`
}

// EKS reports whether the stack creates its EKS cluster (the Kubernetes path on, and not onto
// an existing cluster).
func (c Cluster) EKS() bool { return c.Enabled && !c.Existing.Enabled }

// NodePools holds the two managed node groups of the cluster.
type NodePools struct {
	// API is the on-demand pool the API pods and the cluster add-ons run on.
	API NodePool `json:"api"`
	// Workers is the spot pool only worker pods tolerate.
	Workers NodePool `json:"workers"`
}

// NodePool is one EKS managed node group.
type NodePool struct {
	// InstanceTypes are interchangeable instance types; the first is the preferred one. Node fit is
	// computed on the smallest of them. Spot pools need at least two. Each must be known to
	// capacity/instances.go and priced in openwan:capacity.prices.
	InstanceTypes []string `json:"instanceTypes"`
	// Spot selects SPOT capacity (true) or ON_DEMAND (false).
	Spot bool `json:"spot"`
	// Size bounds the node count (nodes, min at least 1). Cluster-autoscaler moves within it.
	Size Range `json:"size"`
	// Desired is the node count at creation (nodes, within Size); cluster-autoscaler owns it
	// afterwards.
	Desired int `json:"desired"`
	// DiskGiB is the encrypted root volume size (GiB, 20..16384).
	DiskGiB int `json:"diskGiB"`
	// MaxUnavailable is how many nodes a rolling node replacement (a new launch template or
	// Kubernetes version) takes down at once (nodes, 1..size.max).
	MaxUnavailable int `json:"maxUnavailable"`
}

// Addons pins the EKS managed add-ons. Each empty version takes the release table's entry for
// openwan:cluster.version (config/eks_releases.go).
type Addons struct {
	// VPCCNI is the vpc-cni add-on's version, "vX.Y.Z-eksbuild.N"; its network policy agent is
	// always on.
	VPCCNI string `json:"vpcCni"`
	// CoreDNS is the coredns add-on's version.
	CoreDNS string `json:"coreDns"`
	// KubeProxy is the kube-proxy add-on's version; its minor must be the cluster's.
	KubeProxy string `json:"kubeProxy"`
}

// MetricsServer configures the metrics-server Helm release.
type MetricsServer struct {
	// ChartVersion pins the metrics-server chart.
	ChartVersion string `json:"chartVersion"`
	// Replicas of metrics-server (pods, 1..10); two or more, with the PDB, keep a node drain from
	// blinding the HPAs.
	Replicas int `json:"replicas"`
	// Requests of one metrics-server pod.
	Requests Quantity `json:"requests"`
	// Source is how it is installed: "chart" (the Helm chart from its repository) or "manifests"
	// (the same objects declared by this program, for clusters that cannot reach the chart
	// repository).
	Source string `json:"source"`
	// Image is the metrics-server image the manifests run; keep it at the chart's own app version,
	// so both sources run the same server.
	Image string `json:"image"`
}

// ClusterAutoscaler configures the cluster-autoscaler Helm release and its IRSA role.
type ClusterAutoscaler struct {
	// Enabled installs cluster-autoscaler.
	Enabled bool `json:"enabled"`
	// ChartVersion pins the cluster-autoscaler chart. Empty takes the chart of
	// openwan:cluster.version from the release table (config/eks_releases.go).
	ChartVersion string `json:"chartVersion"`
	// ImageTag is the cluster-autoscaler image, "v1.MM.P", whose minor must be the cluster's (the
	// project supports each release on its own Kubernetes minor only). Empty takes the table's.
	ImageTag string `json:"imageTag"`
	// ScaleDownUnneededSeconds is how long a node must be unneeded before removal (s, 60..3600).
	ScaleDownUnneededSeconds int `json:"scaleDownUnneededSeconds"`
	// Requests of the cluster-autoscaler pod.
	Requests Quantity `json:"requests"`
}

// LogRetentionDays are the retention periods CloudWatch Logs accepts (days), as its
// PutRetentionPolicy lists them. A function, not a variable: callers cannot change them.
func LogRetentionDays() []int {
	return []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
}

// NodeDaemonSets are the requests of every pod each node of the cluster runs before any of ours,
// by DaemonSet: EKS's add-ons' and, when enabled, Container Insights'.
func (c Cluster) NodeDaemonSets() map[string]Quantity {
	out := maps.Clone(c.DaemonSets)
	if out == nil {
		out = map[string]Quantity{}
	}
	if c.ContainerInsights.Enabled {
		maps.Copy(out, c.ContainerInsights.DaemonSets)
	}
	return out
}

// ClusterAccess lists the IAM roles and users that get an EKS access entry: without one, only the
// identity that created the cluster can use kubectl on it. Leave out the identity that runs the
// first `pulumi up`: it is the creator, has admin access already, and EKS refuses a second entry
// for it.
type ClusterAccess struct {
	// Admins get AmazonEKSClusterAdminPolicy, cluster-wide (IAM role or user ARNs: operators, the
	// CI role that deploys when it is not the creator).
	Admins []string `json:"admins"`
	// Viewers get AmazonEKSViewPolicy, cluster-wide (IAM role or user ARNs: on-call readers).
	Viewers []string `json:"viewers"`
}

// iamPrincipalPattern is an IAM role or user ARN, the principals EKS access entries take.
var iamPrincipalPattern = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/[\w+=,.@/-]+$`)

// IsIAMPrincipal reports whether arn names an IAM role or user.
func IsIAMPrincipal(arn string) bool { return iamPrincipalPattern.MatchString(arn) }
