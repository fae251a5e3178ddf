// Command preflight checks, with read-only AWS CLI calls, what a stack uses but does not create,
// before its first `pulumi up`: the media bucket, Redis, the RabbitMQ broker, PostgreSQL's
// max_connections, the app's SSM parameters, the cost allocation tag, and whether the data
// stores are in the VPC the stack runs in. One line per item, found, missing or wrong, with the
// command that fixes it (internal/preflight).
package main

import (
	"os"

	"github.com/openwan/openwan-infra/internal/preflight"
)

func main() {
	os.Exit(preflight.Command(os.Args[1:], os.Stdout, os.Stderr, preflight.CLI))
}
