// Command localstack deploys the local stack (Pulumi.local.yaml) onto the test environment's
// cluster with the real Pulumi engine, and prints the HPAs the cluster then holds. testenv/local.sh
// builds and starts what it needs and calls it:
//
//	go run ./cmd/localstack --cache ~/.cache/openwan-testenv --kubeconfig <path> up|preview|destroy
//
// State is kept under <cache>/local-state. Exit 0 on success, 1 on an error, 2 on bad usage.
package main

import (
	"os"

	"github.com/openwan/openwan-infra/internal/localstack"
)

func main() {
	os.Exit(localstack.Command(os.Args[1:], os.Stdout, os.Stderr))
}
