package kube

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/openwan/openwan-infra/components/internal/componenttest"
)

func TestKEDAArgsRefusals(t *testing.T) {
	valid := func() *KEDAArgs {
		return &KEDAArgs{Chart{ChartVersion: "2.17.2", Requests: Resources{CPUMillis: 100, MemoryMiB: 128}}}
	}
	componenttest.Refusals(t, valid, (*KEDAArgs).validate, []componenttest.Refusal[KEDAArgs]{
		{Name: "unpinned chart without a CPU request", Change: func(a *KEDAArgs) { a.ChartVersion, a.Requests.CPUMillis = "", 0 },
			Fields: []string{"ChartVersion", "Requests.CPUMillis"}},
	})
}

func TestKEDADeclares(t *testing.T) {
	args := &KEDAArgs{Chart{ChartVersion: "2.17.2", Requests: Resources{CPUMillis: 120, MemoryMiB: 160}}}
	p := componenttest.Declare(t, NewKEDA, "keda", args)
	assert.Equal(t, args.ChartVersion, componenttest.Input(t, p, releaseType, "keda-release", "version"), "the pinned chart")
	for _, pod := range []string{"operator", "metricServer", "webhooks"} {
		assert.Equal(t, fmt.Sprintf("%dm", args.Requests.CPUMillis),
			componenttest.Input(t, p, releaseType, "keda-release", "values.resources."+pod+".requests.cpu"), "%s requests Requests", pod)
	}
}
