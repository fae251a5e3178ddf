// Command pulumi-resource-kubernetes is the provider's own main: the module ships schema.json and
// terraform-mapping.json, and the build script writes the versioned, compacted copies this
// embeds, as the module's generate.go does.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var schema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, schema, terraformMapping)
}
