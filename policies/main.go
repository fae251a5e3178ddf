// Command policies is the openwan policy pack: every rule of policies/rules as a Pulumi policy,
// served over the analyzer protocol by the SDK's policyx package. The Pulumi CLI builds and
// starts it for `pulumi preview --policy-pack policies`.
package main

import (
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/openwan/openwan-infra/policies/pack"
)

func main() {
	if err := policyx.Main(pack.NewPack); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
