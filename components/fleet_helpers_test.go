package components_test

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// fleetTopicARN is the alerts topic the fleet tests wire in.
var fleetTopicARN = pulumi.String("arn:aws:sns:us-east-1:123456789012:alerts")
