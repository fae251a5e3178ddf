package capacity

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config"
)

// instance is the named instance type, which the test requires to be known.
func instance(t *testing.T, name string) InstanceType {
	t.Helper()
	it, err := Lookup("test", name)
	require.NoError(t, err, "the test needs %s in the instance table", name)
	return it
}

// node is a node of the type with a root disk of diskGiB, the default image store and the
// default DaemonSets.
func node(t *testing.T, name string, diskGiB int) Node {
	t.Helper()
	ds, pods := DaemonSetLoad(config.Defaults())
	return Node{Type: instance(t, name), EphemeralGiB: EphemeralAllocatableGiB(diskGiB, config.Defaults().Capacity.NodeImageStoreGiB), DaemonSets: ds, DaemonSetPods: pods}
}

// rate is RequestsPerMinute, which the test requires to succeed.
func rate(t *testing.T, c config.Capacity, cpuMillis, targetPercent int) float64 {
	t.Helper()
	r, err := RequestsPerMinute(c, cpuMillis, targetPercent)
	require.NoError(t, err, "RequestsPerMinute(%dm, %d %%)", cpuMillis, targetPercent)
	return r
}

// withAPIMax is cfg with the EC2 API group's size.max set to n, and with it the max of every
// scheduled action, as Parse has them follow the group's size (prod's actions set no max).
func withAPIMax(cfg config.Config, n int) config.Config {
	cfg.EC2.API.Size.Max = n
	for _, a := range cfg.EC2.API.Schedules {
		a.Max = &n
	}
	return cfg
}
