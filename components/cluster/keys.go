package cluster

import (
	"maps"
	"slices"
)

// sortedKeys gives map keys in a stable order so resources are declared deterministically.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
