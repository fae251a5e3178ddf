package kube

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/openwan/openwan-infra/config"
)

// The components refuse an HPA behavior at the Kubernetes API's limits exactly where the config
// does: what a stack may set, a component declares; one step beyond, both refuse.
func TestBehaviorLimitsAreTheConfigs(t *testing.T) {
	at := func(stabilization, period int) Behavior {
		return Behavior{StabilizationSeconds: stabilization, SelectPolicy: "Max",
			Policies: []Policy{{Type: "Pods", Value: 1, PeriodSeconds: period}}}
	}
	assert.Empty(t, at(config.MaxHPAStabilizationSeconds, config.MaxHPAPolicyPeriodSeconds).validate("ScaleDown"),
		"the longest window and period the config accepts")
	assert.EqualError(t, errors.Join(at(config.MaxHPAStabilizationSeconds+1, config.MaxHPAPolicyPeriodSeconds+1).validate("ScaleDown")...),
		"ScaleDown.StabilizationSeconds: 3601 is outside [0, 3600]\nScaleDown.Policies[0].PeriodSeconds: 1801 is outside [1, 1800]",
		"one second beyond either is refused, naming the field and the API's range")
}
