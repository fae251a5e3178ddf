package capacity

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config/configtest"
)

// A worker instance's jobs keep their scratch on its root volume: prod's holds its four jobs'
// 8 GiB each beside the AMI and the images, and the API's its uploads in flight.
func TestShippedVolumesHoldTheScratch(t *testing.T) {
	for _, stack := range []string{"prod", "dev"} {
		cfg := configtest.Stack(t, stack)
		jobs, err := WorkerInstanceJobs(cfg)
		require.NoError(t, err)
		assert.GreaterOrEqual(t, cfg.EC2.Worker.RootVolumeGiB, RootVolumeNeedGiB(cfg, cfg.Worker, jobs), "%s: worker volume", stack)
		assert.GreaterOrEqual(t, cfg.EC2.API.RootVolumeGiB, RootVolumeNeedGiB(cfg, cfg.API, 1), "%s: API volume", stack)
		assert.NoError(t, CheckVolumes(cfg), stack)
	}
}

func TestScratchPerJobIsThePodsRequestPerJob(t *testing.T) {
	cfg := configtest.Prod(t)
	w := cfg.Worker
	require.Equal(t, 1, w.Concurrency, "precondition: a prod worker pod runs one job")
	assert.Equal(t, w.Resources.Requests.EphemeralGiB, ScratchGiBPerJob(w), "one job a pod: the pod's request")
	w.Concurrency, w.Resources.Requests.EphemeralGiB = 2, 15
	assert.Equal(t, 8, ScratchGiBPerJob(w), "two jobs share 15 GiB: 8 each, rounded up")
	assert.Equal(t, cfg.API.Resources.Requests.EphemeralGiB, ScratchGiBPerJob(cfg.API), "the API (concurrency 0) counts as one")

	jobs, err := WorkerInstanceJobs(cfg)
	require.NoError(t, err)
	require.Equal(t, 4, jobs, "precondition: four jobs on a c5.xlarge")
	assert.Equal(t, amiVolumeGiB+cfg.Capacity.NodeImageStoreGiB+4*cfg.Worker.Resources.Requests.EphemeralGiB,
		RootVolumeNeedGiB(cfg, cfg.Worker, jobs), "the AMI, the images and four jobs' scratch")
}

// The volume the worker fleet had before scratch moved to disk (30 GiB) cannot hold four jobs'
// 32 GiB: refused, naming the volume's key and the scratch's.
func TestSmallWorkerVolumeIsRefused(t *testing.T) {
	cfg := configtest.Prod(t)
	cfg.EC2.Worker.RootVolumeGiB = 30
	err := CheckVolumes(cfg)
	require.Error(t, err)
	assert.ErrorContains(t, err, "openwan:ec2.worker.rootVolumeGiB: 30 GiB cannot hold 4 jobs' scratch of 8 GiB each")
	assert.ErrorContains(t, err, "openwan:worker.resources.requests.ephemeralGiB 8")
	assert.ErrorContains(t, err, "need 50")
	assert.NotContains(t, err.Error(), "ec2.api", "the API's volume is fine")

	_, err = Check(cfg)
	assert.ErrorContains(t, err, "openwan:ec2.worker.rootVolumeGiB", "Check refuses it with the rest")

	cfg.Worker.Resources.Requests.EphemeralGiB = 3
	assert.NoError(t, CheckVolumes(cfg), "with 3 GiB a job, 30 GiB holds exactly 8 + 10 + 4 x 3")

	cfg = configtest.Prod(t)
	cfg.EC2.Enabled = false
	cfg.EC2.Worker.RootVolumeGiB = 8
	assert.NoError(t, CheckVolumes(cfg), "no EC2 path, no volume to check")
}
