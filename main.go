// Command openwan-infra is the Pulumi program of the OpenWan autoscaling platform.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/openwan/openwan-infra/stacks"
)

func main() {
	pulumi.Run(stacks.Main)
}
