package components_test

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/openwan/openwan-infra/components/kube"
	"github.com/openwan/openwan-infra/internal/componenttest"
	"github.com/openwan/openwan-infra/internal/model"
)

func kubeValidAutoscaling() kube.Autoscaling {
	return kube.Autoscaling{MinReplicas: 2, MaxReplicas: 10, CPUPercent: 75, MemoryPercent: 85,
		ScaleUp: kube.Behavior{StabilizationSeconds: 60, SelectPolicy: "Max", Policies: []kube.Policy{{Type: "Pods", Value: 2, PeriodSeconds: 30}}},
		ScaleDown: kube.Behavior{StabilizationSeconds: 600, SelectPolicy: "Min",
			Policies: []kube.Policy{{Type: "Percent", Value: 10, PeriodSeconds: 60}, {Type: "Pods", Value: 1, PeriodSeconds: 120}}}}
}

// TestAutoscalingRefusals: every bad bound, target and behavior is reported at once, each error
// naming the field under the caller's prefix, its value and what it may be. The caller is a
// ScalableService, which checks its HPA under "HPA" before it declares anything.
func TestAutoscalingRefusals(t *testing.T) {
	validate := func(t *testing.T, a kube.Autoscaling) error {
		t.Helper()
		args := kubeValidServiceArgs()
		args.HPA = &a
		return kubeValidation(t, kube.NewScalableService, "scalable service", "openwan-api")(args)
	}
	assert.NoError(t, validate(t, kubeValidAutoscaling()), "the valid value of these tests")
	tests := []struct {
		name   string
		change func(a *kube.Autoscaling)
		want   []string
	}{
		{"no pods at the minimum", func(a *kube.Autoscaling) { a.MinReplicas = 0 }, []string{"HPA.MinReplicas: 0 is below 1"}},
		{"max below min", func(a *kube.Autoscaling) { a.MinReplicas, a.MaxReplicas = 3, 2 },
			[]string{"HPA.MaxReplicas: 2 is below HPA.MinReplicas 3"}},
		{"targets outside (0, 100]", func(a *kube.Autoscaling) { a.CPUPercent, a.MemoryPercent = 0, 101 },
			[]string{"HPA.CPUPercent: 0 is outside (0, 100]", "HPA.MemoryPercent: 101 is outside (0, 100]"}},
		{"behaviors named by direction", func(a *kube.Autoscaling) {
			a.ScaleUp.StabilizationSeconds, a.ScaleDown.Policies[1].Value = 3601, 0
		}, []string{"HPA.ScaleUp.StabilizationSeconds: 3601 is outside [0, 3600]", "HPA.ScaleDown.Policies[1].Value: 0 is below 1"}},
		{"every field at once, in order", func(a *kube.Autoscaling) {
			*a = kube.Autoscaling{MinReplicas: 0, MaxReplicas: -1, CPUPercent: 0, MemoryPercent: 0}
		}, []string{
			"HPA.MinReplicas: 0 is below 1", "HPA.MaxReplicas: -1 is below HPA.MinReplicas 0",
			"HPA.CPUPercent: 0 is outside (0, 100]", "HPA.MemoryPercent: 0 is outside (0, 100]",
			`HPA.ScaleUp.SelectPolicy: "" is not one of ["Max" "Min" "Disabled"]`, "HPA.ScaleUp.Policies: must hold at least one policy",
			`HPA.ScaleDown.SelectPolicy: "" is not one of ["Max" "Min" "Disabled"]`, "HPA.ScaleDown.Policies: must hold at least one policy",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := kubeValidAutoscaling()
			tt.change(&a)
			var got []string
			for _, err := range componenttest.Errors(validate(t, a)) {
				got = append(got, err.Error())
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestHPAAndScaledObjectDeclareOneAutoscaling: one Autoscaling value means the same scaling
// whichever autoscaler takes it: the ScaledObject hands KEDA's HPA the bounds, targets and
// behavior a plain HPA would declare.
func TestHPAAndScaledObjectDeclareOneAutoscaling(t *testing.T) {
	a := kubeValidAutoscaling()
	svc := kubeValidServiceArgs()
	svc.HPA = &a
	hpaPlan := componenttest.Declare(t, kube.NewScalableService, "openwan-worker", svc)
	hpa := func(path string) any {
		return componenttest.Input(t, hpaPlan, model.TypeK8sHPA, "openwan-worker-hpa", "spec."+path)
	}

	qs := kubeValidQueueScalerArgs()
	qs.Autoscaling = a
	soPlan := componenttest.Declare(t, kube.NewQueueScaler, "openwan-worker", qs)
	so := func(path string) any {
		return componenttest.Input(t, soPlan, model.TypeKEDAScaledObject, "openwan-worker", "spec."+path)
	}

	assert.EqualValues(t, a.MinReplicas, hpa("minReplicas"), "the HPA's minimum")
	assert.EqualValues(t, a.MinReplicas, so("minReplicaCount"), "the ScaledObject's minimum")
	assert.EqualValues(t, a.MaxReplicas, hpa("maxReplicas"), "the HPA's maximum")
	assert.EqualValues(t, a.MaxReplicas, so("maxReplicaCount"), "the ScaledObject's maximum")
	for i, target := range []int{a.CPUPercent, a.MemoryPercent} {
		assert.EqualValues(t, target, hpa("metrics."+strconv.Itoa(i)+".resource.target.averageUtilization"), "the HPA's metric %d", i)
		assert.Equal(t, strconv.Itoa(target), so("triggers."+strconv.Itoa(i)+".metadata.value"), "the ScaledObject's trigger %d", i)
	}
	assert.Equal(t, hpa("behavior"), so("advanced.horizontalPodAutoscalerConfig.behavior"),
		"KEDA's HPA behaves as the plain HPA would: both directions, every policy")
}
