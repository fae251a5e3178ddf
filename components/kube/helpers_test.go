package kube

// The type tokens the tests read.
const (
	deploymentType   = "kubernetes:apps/v1:Deployment"
	hpaType          = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
	releaseType      = "kubernetes:helm.sh/v3:Release"
	scaledObjectType = "kubernetes:keda.sh/v1alpha1:ScaledObject"
)
