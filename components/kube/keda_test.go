package kube

import (
	"fmt"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"

	"github.com/openwan/openwan-infra/components/internal/componenttest"
)

func TestKEDAArgsRefusals(t *testing.T) {
	var nilArgs *KEDAArgs
	assert.EqualError(t, nilArgs.validate(), "args are required")
	assert.NoError(t, (&KEDAArgs{ChartVersion: "2.17.2", Requests: Resources{CPUMillis: 100, MemoryMiB: 128}}).validate())
	componenttest.AssertFields(t, (&KEDAArgs{Requests: Resources{MemoryMiB: 128}}).validate(), "ChartVersion", "Requests.CPUMillis")
}

func TestKEDADeclares(t *testing.T) {
	args := &KEDAArgs{ChartVersion: "2.17.2", Requests: Resources{CPUMillis: 120, MemoryMiB: 160}}
	p := componenttest.Run(t, func(ctx *pulumi.Context) error {
		_, err := NewKEDA(ctx, "keda", args)
		return err
	})
	assert.Equal(t, args.ChartVersion, componenttest.Input(t, p, releaseType, "keda-release", "version"), "the pinned chart")
	for _, pod := range []string{"operator", "metricServer", "webhooks"} {
		assert.Equal(t, fmt.Sprintf("%dm", args.Requests.CPUMillis),
			componenttest.Input(t, p, releaseType, "keda-release", "values.resources."+pod+".requests.cpu"), "%s requests Requests", pod)
	}
}
