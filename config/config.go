// Package config is the typed stack configuration of openwan-infra: one struct per config section
// of the `openwan` namespace, the defaults taken from the autoscaling guide, strict parsing and a
// Validate that reports every problem at once.
//
// It imports no Pulumi or AWS package, so capacity math, simulations and policy thresholds can read
// the very structs that are deployed, and its tests run in well under a second.
package config

// Namespace is the Pulumi config namespace every key of this program lives under.
const Namespace = "openwan"

// Config is the whole configuration of one stack. Each field is one config key of the `openwan`
// namespace holding a JSON object (for example `openwan:api`), decoded over Defaults().
type Config struct {
	// Network is `openwan:network`: the VPC the cluster and the fleets run in.
	Network Network `json:"network"`
	// Cluster is `openwan:cluster`: the EKS path (control plane, node pools, node autoscaling).
	Cluster Cluster `json:"cluster"`
	// App is `openwan:app`: what the services share (namespace, endpoints, secret).
	App App `json:"app"`
	// API is `openwan:api`: the API Deployment and its HPA.
	API Service `json:"api"`
	// Worker is `openwan:worker`: the transcoding worker Deployment and its HPA.
	Worker Service `json:"worker"`
	// EC2 is `openwan:ec2`: the EC2 Auto Scaling path (launch templates, groups, policies, alarms).
	EC2 EC2 `json:"ec2"`
	// Alerts is `openwan:alerts`: where alarms and scaling notifications go.
	Alerts Alerts `json:"alerts"`
	// Capacity is `openwan:capacity`: the capacity plan, database budget and prices.
	Capacity Capacity `json:"capacity"`
}

// Range is an inclusive [Min, Max] replica or instance count.
type Range struct {
	// Min is the lower bound (count).
	Min int `json:"min"`
	// Max is the upper bound (count).
	Max int `json:"max"`
}

// Network selects an existing VPC or describes the one to create.
type Network struct {
	// VPCID is an existing VPC to use; empty creates a VPC. The stack's pods and instances reach
	// Redis, the broker and PostgreSQL only inside their VPC: set it to the data stores' VPC, or
	// leave it empty and peer the new VPC with theirs (docs/runbook.md; the preflight says which
	// VPC each store is in).
	VPCID string `json:"vpcId"`
	// PublicSubnetIDs are the existing public subnets (load balancers). Required with VPCID, at
	// least two (one per availability zone).
	PublicSubnetIDs []string `json:"publicSubnetIds"`
	// PrivateSubnetIDs are the existing private subnets (nodes, instances). Required with VPCID,
	// at least two (one per availability zone).
	PrivateSubnetIDs []string `json:"privateSubnetIds"`
	// CIDR is the IPv4 block of a created VPC, between /16 and /20.
	CIDR string `json:"cidr"`
	// AvailabilityZones is how many zones a created VPC spans (zones, 2..6), chosen by zone ID
	// among the region's available zones outside ExcludeZoneIDs.
	AvailabilityZones int `json:"availabilityZones"`
	// ExcludeZoneIDs are zone IDs (e.g. "use1-az3") a created VPC never uses. Zone IDs name the
	// same physical zone in every account, unlike zone names. The default lists the zones where
	// EKS cannot create a control plane, which a stack on the EKS path never uses even when its
	// own list leaves them out.
	ExcludeZoneIDs []string `json:"excludeZoneIds"`
	// SingleNATGateway puts one NAT gateway in the first zone instead of one per zone: cheaper,
	// but a zone outage cuts the others' egress.
	SingleNATGateway bool `json:"singleNatGateway"`
}

// CreatesVPC reports whether the stack creates its own VPC (no VPCID given).
func (n Network) CreatesVPC() bool { return n.VPCID == "" }
