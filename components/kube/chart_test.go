package kube

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/openwan/openwan-infra/components/internal/componenttest"
)

func TestChartValidate(t *testing.T) {
	valid := Chart{ChartVersion: "2.17.2", Requests: Resources{CPUMillis: 100, MemoryMiB: 128}}
	tests := []struct {
		name   string
		prefix string
		change func(c *Chart)
		fields []string // nil: valid
	}{
		{name: "pinned, with requests", change: func(*Chart) {}},
		{name: "on any node", change: func(c *Chart) { c.NodeSelector = nil }},
		{name: "on a pool", change: func(c *Chart) { c.NodeSelector = map[string]string{"openwan.io/pool": "api"} }},
		{name: "unpinned", change: func(c *Chart) { c.ChartVersion = "" }, fields: []string{"ChartVersion"}},
		{name: "no CPU request", change: func(c *Chart) { c.Requests.CPUMillis = 0 }, fields: []string{"Requests.CPUMillis"}},
		{name: "no memory request", change: func(c *Chart) { c.Requests.MemoryMiB = -1 }, fields: []string{"Requests.MemoryMiB"}},
		{name: "nothing set", change: func(c *Chart) { *c = Chart{} },
			fields: []string{"ChartVersion", "Requests.CPUMillis", "Requests.MemoryMiB"}},
		{name: "nothing set, under a prefix", prefix: "Addons[1]", change: func(c *Chart) { *c = Chart{} },
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
