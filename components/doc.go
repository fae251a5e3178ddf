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
//
// # The one test binary that links the SDKs
//
// This directory's external tests (package components_test) are every test that runs the program
// or a component on the recording mocks, named for the package they test: the components'
// (<package>_*_test.go), the stacks' (stacks_*_test.go), synth's, localstack's and the policy
// pack's. Linking the Pulumi AWS, Kubernetes and EKS SDKs costs 10 to 13 s on two cores, so they
// share one binary. That binary is here, not in stacks/, because `go test ./...` links and runs
// the packages in path order, and no package's tests start before every earlier package's binary
// is linked. Among the first paths, the SDK link runs beside the pure packages' links instead of
// after them (docs/ci.md, "The test loop against its floor").
package components
