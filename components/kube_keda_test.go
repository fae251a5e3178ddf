package components_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/openwan/openwan-infra/components/kube"
	"github.com/openwan/openwan-infra/internal/componenttest"
)

func TestKEDAArgsRefusals(t *testing.T) {
	valid := func() *kube.KEDAArgs {
		return &kube.KEDAArgs{Chart: kube.Chart{ChartVersion: "2.17.2", Requests: kube.Resources{CPUMillis: 100, MemoryMiB: 128}}}
	}
	componenttest.Refusals(t, valid, kubeValidation(t, kube.NewKEDA, "keda", "keda"), []componenttest.Refusal[kube.KEDAArgs]{
		{Name: "unpinned chart without a CPU request", Change: func(a *kube.KEDAArgs) { a.ChartVersion, a.Requests.CPUMillis = "", 0 },
			Fields: []string{"ChartVersion", "Requests.CPUMillis"}},
	})
}

func TestKEDADeclares(t *testing.T) {
	args := &kube.KEDAArgs{Chart: kube.Chart{ChartVersion: "2.17.2", Requests: kube.Resources{CPUMillis: 120, MemoryMiB: 160}}}
	p := componenttest.Declare(t, kube.NewKEDA, "keda", args)
	assert.Equal(t, args.ChartVersion, componenttest.Input(t, p, kubeReleaseType, "keda-release", "version"), "the pinned chart")
	for _, pod := range []string{"operator", "metricServer", "webhooks"} {
		assert.Equal(t, fmt.Sprintf("%dm", args.Requests.CPUMillis),
			componenttest.Input(t, p, kubeReleaseType, "keda-release", "values.resources."+pod+".requests.cpu"), "%s requests Requests", pod)
	}
}
