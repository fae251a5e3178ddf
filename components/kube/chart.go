package kube

import (
	"fmt"
	"regexp"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Chart is what every add-on installed from a Helm chart is given: the chart's pinned version
// and where its pods run with what requests. Each add-on's Args embeds it, as pulumi-eks's node
// group options embed NodeGroupBaseOptions, so the fields are checked in one place.
type Chart struct {
	// ChartVersion pins the chart: one exact SemVer version such as "2.17.2" (an unpinned chart
	// changes under a running stack).
	ChartVersion string
	// Requests of each of the chart's pods (CPU millicores, memory MiB; both 1 or more: a pod
	// without requests is the first evicted). The add-on's Args say which pods.
	Requests Resources
	// NodeSelector is the node labels the pods require (nil: any node, as on a cluster this
	// program did not make and whose pools it does not know).
	NodeSelector map[string]string
}

// chartVersionPattern is one SemVer 2 version, the form of every chart's version (Helm's Chart.yaml
// reference), with the leading "v" Helm tolerates. Anything else Helm's --version reads as a
// constraint: a range, or the newest version when empty.
var chartVersionPattern = regexp.MustCompile(`^v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)

// Validate checks the chart's fields, naming each under prefix ("" for an Args that embeds the
// Chart, whose fields are then its own): one error per bad field.
func (c Chart) Validate(prefix string) []error {
	var errs []error
	if !chartVersionPattern.MatchString(c.ChartVersion) {
		errs = append(errs, fmt.Errorf("%s: %q is not one exact chart version like \"2.17.2\": Helm reads a range "+
			"such as \"^2.0.0\" as any version in it, and no version as the newest", fieldName(prefix, "ChartVersion"), c.ChartVersion))
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
