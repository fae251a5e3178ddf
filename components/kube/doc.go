// Package kube holds the Kubernetes components of openwan-infra. They need only a Kubernetes
// provider, so they work on EKS and on an existing cluster alike.
//
// Its components, each typed openwan:k8s:<Name>:
//   - [ScalableService] (openwan:k8s:ScalableService): a stateless workload an HPA scales on CPU
//     and memory, with its Service, PodDisruptionBudget and ServiceAccount.
//   - [QueueScaler] (openwan:k8s:QueueScaler): a KEDA ScaledObject that scales a Deployment on
//     CPU, memory and a RabbitMQ queue's length.
//   - [Headroom] (openwan:k8s:Headroom): low-priority placeholder pods that keep spare room on
//     the node pools.
//   - [MetricsServer] (openwan:k8s:MetricsServer): metrics-server, which every HPA reads.
//   - [KEDA] (openwan:k8s:KEDA): KEDA, the operator behind the ScaledObjects.
//   - [Ingress] (openwan:k8s:Ingress): a Service exposed through an Application Load Balancer.
//   - [NetworkPolicies] (openwan:k8s:NetworkPolicies): the app namespace's isolation.
//   - [AppSecret] (openwan:k8s:AppSecret): the app's Secret, from SSM Parameter Store through the
//     External Secrets Operator.
package kube
