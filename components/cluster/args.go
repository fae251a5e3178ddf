package cluster

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// field is an input of an Args struct, by its field name.
type field struct {
	name  string
	value pulumi.StringInput
}

// unset reports each field that is not set, by name.
func unset(fields ...field) []error {
	var errs []error
	for _, f := range fields {
		if f.value == nil {
			errs = append(errs, fmt.Errorf("%s: must be set", f.name))
		}
	}
	return errs
}
