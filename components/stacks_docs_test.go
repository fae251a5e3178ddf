package components_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config/configtest"
	"github.com/openwan/openwan-infra/internal/configdoc"
	"github.com/openwan/openwan-infra/internal/plan"
)

// TestComponentsDocDrawsTheProdPlan: docs/components.md's component tree is prod's plan as the
// mocks record it (before, a hand-drawn tree named 14 of the plan's 24 component types); `go
// generate ./...` redraws it.
func TestComponentsDocDrawsTheProdPlan(t *testing.T) {
	root := configtest.Root(t)
	doc, err := os.ReadFile(filepath.Join(root, plan.TreeDoc))
	require.NoError(t, err)
	have, err := configdoc.Block(doc, plan.TreeBlock)
	require.NoError(t, err)
	p := runStack(t, plan.TreeStack, true)
	assert.Equal(t, plan.TreeBlockText(p), have, "%s's tree drifted from the plan: run go generate ./...", plan.TreeDoc)
	for _, r := range p.Resources {
		if !r.Custom {
			assert.Contains(t, have, r.Type+" "+r.Name, "every component of the plan is in the tree")
		}
	}
}
