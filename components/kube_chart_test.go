package components_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/openwan/openwan-infra/components/kube"
	"github.com/openwan/openwan-infra/internal/componenttest"
)

func TestChartValidate(t *testing.T) {
	valid := kube.Chart{ChartVersion: "2.17.2", Requests: kube.Resources{CPUMillis: 100, MemoryMiB: 128}}
	tests := []struct {
		name   string
		prefix string
		change func(c *kube.Chart)
		fields []string // nil: valid
	}{
		{name: "pinned, with requests", change: func(*kube.Chart) {}},
		{name: "on any node", change: func(c *kube.Chart) { c.NodeSelector = nil }},
		{name: "on a pool", change: func(c *kube.Chart) { c.NodeSelector = map[string]string{"openwan.io/pool": "api"} }},
		{name: "a pre-release", change: func(c *kube.Chart) { c.ChartVersion = "2.18.0-rc.1" }},
		{name: "with Helm's tolerated v", change: func(c *kube.Chart) { c.ChartVersion = "v2.17.2" }},
		{name: "unpinned", change: func(c *kube.Chart) { c.ChartVersion = "" }, fields: []string{"ChartVersion"}},
		{name: "a range", change: func(c *kube.Chart) { c.ChartVersion = "^2.17.0" }, fields: []string{"ChartVersion"}},
		{name: "a minor", change: func(c *kube.Chart) { c.ChartVersion = "2.17" }, fields: []string{"ChartVersion"}},
		{name: "a wildcard", change: func(c *kube.Chart) { c.ChartVersion = "2.17.x" }, fields: []string{"ChartVersion"}},
		{name: "a tag", change: func(c *kube.Chart) { c.ChartVersion = "latest" }, fields: []string{"ChartVersion"}},
		{name: "padded", change: func(c *kube.Chart) { c.ChartVersion = " 2.17.2" }, fields: []string{"ChartVersion"}},
		{name: "no CPU request", change: func(c *kube.Chart) { c.Requests.CPUMillis = 0 }, fields: []string{"Requests.CPUMillis"}},
		{name: "no memory request", change: func(c *kube.Chart) { c.Requests.MemoryMiB = -1 }, fields: []string{"Requests.MemoryMiB"}},
		{name: "nothing set", change: func(c *kube.Chart) { *c = kube.Chart{} },
			fields: []string{"ChartVersion", "Requests.CPUMillis", "Requests.MemoryMiB"}},
		{name: "nothing set, under a prefix", prefix: "Addons[1]", change: func(c *kube.Chart) { *c = kube.Chart{} },
			fields: []string{"Addons[1].ChartVersion", "Addons[1].Requests.CPUMillis", "Addons[1].Requests.MemoryMiB"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid
			tt.change(&c)
			errs := c.Validate(tt.prefix)
			if tt.fields == nil {
				assert.Empty(t, errs)
				return
			}
			componenttest.AssertFields(t, errors.Join(errs...), tt.fields...)
		})
	}
}

func TestChartVersionErrorSaysWhy(t *testing.T) {
	errs := kube.Chart{ChartVersion: ">=2.0.0", Requests: kube.Resources{CPUMillis: 1, MemoryMiB: 1}}.Validate("KEDA")
	assert.EqualError(t, errors.Join(errs...), `KEDA.ChartVersion: ">=2.0.0" is not one exact chart version like "2.17.2": `+
		`Helm reads a range such as "^2.0.0" as any version in it, and no version as the newest`,
		"the field, the value and what is allowed")
}
