// Package cluster holds the EKS components: the cluster with its managed node pools, and what
// runs on it with an IAM role of its own (IRSA).
//
// Its components, each typed openwan:eks:<Name>:
//   - [Cluster] (openwan:eks:Cluster): the EKS cluster, its managed node pools, add-ons and a
//     Kubernetes provider for everything deployed on it.
//   - [ClusterAccess] (openwan:eks:ClusterAccess): access entries for the people and CI roles
//     other than the cluster's creator.
//   - [ClusterAutoscaler] (openwan:eks:ClusterAutoscaler): cluster-autoscaler, which sizes the
//     node pools.
//   - [LoadBalancerController] (openwan:eks:LoadBalancerController): the AWS Load Balancer
//     Controller, which turns Ingresses into Application Load Balancers.
//   - [ExternalSecretsOperator] (openwan:eks:ExternalSecretsOperator): the External Secrets
//     Operator.
//   - [ContainerInsights] (openwan:eks:ContainerInsights): the CloudWatch observability add-on
//     and its log groups.
//   - [PodRole] (openwan:eks:PodRole): an IAM role one ServiceAccount may assume.
package cluster
