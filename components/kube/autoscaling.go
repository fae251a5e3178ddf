package kube

// Autoscaling is what an autoscaler of a Deployment declares, whichever autoscaler it is: the
// replica bounds, the CPU and memory utilization targets and the behavior of each direction.
// The HPA of a ScalableService (ScalableServiceArgs.HPA) and a QueueScaler's ScaledObject (which
// hands it to the HPA KEDA makes) both take it, and it is checked in one place.
type Autoscaling struct {
	// MinReplicas and MaxReplicas bound the Deployment's replica count (pods,
	// 1 <= MinReplicas <= MaxReplicas).
	MinReplicas, MaxReplicas int
	// CPUPercent and MemoryPercent are the average utilization targets (percent of the pods'
	// requests, in (0, 100]).
	CPUPercent, MemoryPercent int
	// ScaleUp and ScaleDown are the HPA behavior of each direction.
	ScaleUp, ScaleDown Behavior
}

// validate checks the bounds, the targets and both behaviors as the Kubernetes API will, naming
// each field under field (e.g. "HPA.MaxReplicas"), one error per bad field.
func (a Autoscaling) validate(field string) []error {
	errs := checkReplicas(field+".MinReplicas", a.MinReplicas, field+".MaxReplicas", a.MaxReplicas)
	errs = append(errs, checkPercent(field+".CPUPercent", a.CPUPercent)...)
	errs = append(errs, checkPercent(field+".MemoryPercent", a.MemoryPercent)...)
	errs = append(errs, a.ScaleUp.validate(field+".ScaleUp")...)
	return append(errs, a.ScaleDown.validate(field+".ScaleDown")...)
}
