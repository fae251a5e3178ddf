// Package components is the parent of the reusable ComponentResources, one per file, each
// knowing only its Args. Each package's doc.go lists its components with their type tokens,
// openwan:<area>:<Name>, whose area is the package's:
//   - kube: k8s (Kubernetes objects, on EKS or an existing cluster);
//   - cluster: eks (the EKS cluster and what runs on it with an IAM role);
//   - fleet: ec2 (the EC2 Auto Scaling path);
//   - network: aws (the VPC);
//   - monitoring: monitoring (alarms, dashboard, budget; its alerts topic keeps the ec2 token it
//     landed with in fleet).
//
// A landed token never changes: it is in every child's URN.
package components
