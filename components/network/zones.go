package network

import (
	"fmt"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Zone is one availability zone, by its account-independent ID and its account's name for it.
type Zone struct {
	// ID is the zone ID, e.g. "use1-az4": the same physical zone in every account.
	ID string
	// Name is this account's name for it, e.g. "us-east-1a" (the mapping differs per account).
	Name string
}

// SelectZones returns the first count of the region's available zones whose ID is not in
// exclude, in the order AWS lists them. It is an invoke, not a resource: call it before declaring
// anything, so that a region with too few zones refuses the stack before any of it is made.
func SelectZones(ctx *pulumi.Context, exclude []string, count int) ([]Zone, error) {
	azs, err := aws.GetAvailabilityZones(ctx, &aws.GetAvailabilityZonesArgs{
		State:          pulumi.StringRef("available"),
		ExcludeZoneIds: exclude,
		// Availability Zones only: Local and Wavelength Zones an account opted into are listed
		// too, sort first by name, and host neither EKS nor NAT gateways.
		Filters: []aws.GetAvailabilityZonesFilter{{Name: "opt-in-status", Values: []string{"opt-in-not-required"}}},
	})
	if err != nil {
		return nil, fmt.Errorf("availability zones: %w", err)
	}
	var zones []Zone
	for i, id := range azs.ZoneIds {
		// The provider filters too; filtering again keeps the promise whatever answers the call.
		if i >= len(azs.Names) || slices.Contains(exclude, id) {
			continue
		}
		zones = append(zones, Zone{ID: id, Name: azs.Names[i]})
	}
	if len(zones) < count {
		return nil, fmt.Errorf("%d zones requested, but the region has %d available outside the excluded zone IDs %v: %v",
			count, len(zones), exclude, zones)
	}
	return zones[:count], nil
}
