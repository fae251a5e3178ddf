package kube

import (
	"errors"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Chart is what every add-on installed from a Helm chart is given: the chart's pinned version
// and where its pods run with what requests. Each add-on's Args embeds it, as pulumi-eks's node
// group options embed NodeGroupBaseOptions, so the fields are checked in one place.
type Chart struct {
	// ChartVersion pins the chart (required: an unpinned chart changes under a running stack).
	ChartVersion string
	// Requests of each of the chart's pods (CPU millicores, memory MiB; both 1 or more: a pod
	// without requests is the first evicted). The add-on's Args say which pods.
	Requests Resources
	// NodeSelector is the node labels the pods require (nil: any node, as on a cluster this
	// program did not make and whose pools it does not know).
	NodeSelector map[string]string
}

// Validate checks the chart's fields, naming each under prefix ("" for an Args that embeds the
// Chart, whose fields are then its own): one error per bad field.
func (c Chart) Validate(prefix string) []error {
	var errs []error
	if c.ChartVersion == "" {
		errs = append(errs, errors.New(fieldName(prefix, "ChartVersion")+": must not be empty"))
	}
	return append(errs, c.Requests.Validate(fieldName(prefix, "Requests"))...)
}

// PodValues are the values most charts read for their main pod: "nodeSelector" and
// "resources.requests".
func (c Chart) PodValues() pulumi.Map {
	return pulumi.Map{
		"nodeSelector": pulumi.ToStringMap(c.NodeSelector),
		"resources":    pulumi.Map{"requests": Quantities(c.Requests)},
	}
}

// fieldName is field under prefix, or field alone without one.
func fieldName(prefix, field string) string {
	if prefix == "" {
		return field
	}
	return prefix + "." + field
}
