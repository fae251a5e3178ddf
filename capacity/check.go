package capacity

import (
	"errors"

	"github.com/openwan/openwan-infra/config"
)

// Plan is the computed capacity of a stack, as its outputs show it.
type Plan struct {
	// API is what the API fleets serve at their maxima.
	API APIThroughput `json:"api"`
	// Database is the connection budget at every fleet's maximum.
	Database ConnectionBudget `json:"database"`
	// Cost is what the stack's instances cost a month.
	Cost StackCost `json:"cost"`
}

// Check computes the stack's capacity plan and refuses a stack whose numbers cannot work: node
// pools too small for the HPAs' maxima, API maxima below the peak load, more database
// connections than the database takes, an instance type without a price, a transcoding job
// larger than a worker instance, an EC2 root volume too small for its jobs' scratch. Every
// problem is
// reported at once, each naming its keys and numbers.
func Check(cfg config.Config) (Plan, error) {
	var p Plan
	var errs []error
	errs = append(errs, CheckNodeFit(cfg))
	var err error
	p.API, err = Throughput(cfg)
	errs = append(errs, err)
	p.Database = DatabaseBudget(cfg)
	errs = append(errs, p.Database.Check(cfg.Capacity.Database))
	p.Cost, err = Cost(cfg)
	errs = append(errs, err)
	if cfg.EC2.Enabled {
		_, err = WorkerInstanceJobs(cfg)
		errs = append(errs, err)
		errs = append(errs, CheckVolumes(cfg))
	}
	return p, errors.Join(errs...)
}
