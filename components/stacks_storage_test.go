package components_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/openwan/openwan-infra/config/configtest"
)

// TestContainersSizeTheirScratch pins, for every stack, each container's ephemeral storage to
// its config, the /tmp emptyDir to the request, and the pull policy.
func TestContainersSizeTheirScratch(t *testing.T) {
	for _, stack := range shippedStacks(t) {
		t.Run(stack, func(t *testing.T) {
			cfg := configtest.Stack(t, stack)
			p := runStack(t, stack, false)
			for name, res := range map[string]struct{ req, limit int }{
				"openwan-api-deployment":    {cfg.API.Resources.Requests.EphemeralGiB, cfg.API.Resources.Limits.EphemeralGiB},
				"openwan-worker-deployment": {cfg.Worker.Resources.Requests.EphemeralGiB, cfg.Worker.Resources.Limits.EphemeralGiB},
			} {
				runChecks(t, p, []check{
					{deploymentType, name, "spec.template.spec.containers.0.resources.requests.ephemeral-storage", fmt.Sprintf("%dGi", res.req)},
					{deploymentType, name, "spec.template.spec.containers.0.resources.limits.ephemeral-storage", fmt.Sprintf("%dGi", res.limit)},
					{deploymentType, name, "spec.template.spec.volumes.0.emptyDir.sizeLimit", fmt.Sprintf("%dGi", res.req)},
					{deploymentType, name, "spec.template.spec.containers.0.imagePullPolicy", "IfNotPresent"},
				})
			}
		})
	}
	prod := configtest.Prod(t)
	assert.Equal(t, 8, prod.Worker.Resources.Requests.EphemeralGiB, "prod's workers hold one transcode: source and rendition of an hour of 1080p")
	assert.Equal(t, 1, prod.API.Resources.Requests.EphemeralGiB, "prod's API pods buffer uploads in flight")
}

// TestWorkerScratchBeyondItsPoolsDiskIsRefused: the scratch must fit the pool's disk after the
// image store and the kubelet's share; the refusal names both keys.
func TestWorkerScratchBeyondItsPoolsDiskIsRefused(t *testing.T) {
	raw := withConfig(t, configtest.Raw(t, "prod"), "openwan:worker", "resources.requests.ephemeralGiB", 80)
	raw = withConfig(t, raw, "openwan:worker", "resources.limits.ephemeralGiB", 80)
	assert.ErrorContains(t, refuse(t, raw),
		"openwan:worker.resources.requests.ephemeralGiB: 80 GiB of scratch does not fit a node of openwan:cluster.nodePools.workers.diskGiB 100")
}
