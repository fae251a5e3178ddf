package components_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/openwan/openwan-infra/components/kube"
	"github.com/openwan/openwan-infra/config"
)

// The components refuse an HPA behavior at the Kubernetes API's limits exactly where the config
// does: what a stack may set, a component declares; one step beyond, both refuse. The component
// is a ScalableService whose HPA scales down so.
func TestBehaviorLimitsAreTheConfigs(t *testing.T) {
	validate := kubeValidation(t, kube.NewScalableService, "scalable service", "openwan-api")
	at := func(stabilization, period int) *kube.ScalableServiceArgs {
		args := kubeValidServiceArgs()
		args.HPA.ScaleDown = kube.Behavior{StabilizationSeconds: stabilization, SelectPolicy: "Max",
			Policies: []kube.Policy{{Type: "Pods", Value: 1, PeriodSeconds: period}}}
		return args
	}
	assert.NoError(t, validate(at(config.MaxHPAStabilizationSeconds, config.MaxHPAPolicyPeriodSeconds)),
		"the longest window and period the config accepts")
	assert.EqualError(t, validate(at(config.MaxHPAStabilizationSeconds+1, config.MaxHPAPolicyPeriodSeconds+1)),
		"HPA.ScaleDown.StabilizationSeconds: 3601 is outside [0, 3600]\nHPA.ScaleDown.Policies[0].PeriodSeconds: 1801 is outside [1, 1800]",
		"one second beyond either is refused, naming the field and the API's range")
}
