package capacity

import (
	"errors"
	"fmt"

	"github.com/openwan/openwan-infra/config"
)

// amiVolumeGiB is what Amazon Linux 2023's root volume holds before anything is installed: the
// size of the AMI's snapshot, the smallest root volume it boots from (GiB). The launch template
// component refuses less (fleet.LaunchTemplateArgs); config's ec2.<fleet>.rootVolumeGiB floor
// is the same figure.
const amiVolumeGiB = 8

// ScratchGiBPerJob is the local disk one job's scratch takes (GiB): the service pod's
// ephemeral-storage request spread over the jobs the pod runs at once (openwan:<service>.
// concurrency; the API's requests count as one). The pod's request is the one source of the
// number: the EC2 instances size their volumes from it too.
func ScratchGiBPerJob(svc config.Service) int {
	return ceilDiv(svc.Resources.Requests.EphemeralGiB, max(svc.Concurrency, 1))
}

// RootVolumeNeedGiB is the root volume an EC2 instance running jobs jobs at once needs (GiB): the
// AMI's own files, the image store (openwan:capacity.nodeImageStoreGiB, the app's image and a
// release's next one beside it) and every job's scratch, which the app's container keeps on the
// volume (/var/lib/openwan/scratch mounted at /tmp), not in memory.
func RootVolumeNeedGiB(c config.Config, svc config.Service, jobs int) int {
	return amiVolumeGiB + c.Capacity.NodeImageStoreGiB + jobs*ScratchGiBPerJob(svc)
}

// CheckVolumes refuses an EC2 fleet whose root volume cannot hold its jobs' scratch beside the
// AMI and the images, naming the volume's key and the scratch's. Nil when the EC2 path is off.
func CheckVolumes(c config.Config) error {
	if !c.EC2.Enabled {
		return nil
	}
	var errs []error
	errs = append(errs, checkVolume("ec2.api", c.EC2.API.RootVolumeGiB, "api", c.API, 1, c))
	if jobs, err := WorkerInstanceJobs(c); err == nil {
		errs = append(errs, checkVolume("ec2.worker", c.EC2.Worker.RootVolumeGiB, "worker", c.Worker, jobs, c))
	}
	return errors.Join(errs...)
}

func checkVolume(fleetKey string, volumeGiB int, serviceKey string, svc config.Service, jobs int, c config.Config) error {
	need := RootVolumeNeedGiB(c, svc, jobs)
	if volumeGiB >= need {
		return nil
	}
	return fmt.Errorf("openwan:%s.rootVolumeGiB: %d GiB cannot hold %d jobs' scratch of %d GiB each "+
		"(openwan:%s.resources.requests.ephemeralGiB %d over openwan:%s.concurrency %d), the AMI's %d GiB and "+
		"openwan:capacity.nodeImageStoreGiB %d; need %d",
		fleetKey, volumeGiB, jobs, ScratchGiBPerJob(svc), serviceKey, svc.Resources.Requests.EphemeralGiB, serviceKey, max(svc.Concurrency, 1),
		amiVolumeGiB, c.Capacity.NodeImageStoreGiB, need)
}
