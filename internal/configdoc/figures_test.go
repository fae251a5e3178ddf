package configdoc

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFiguresAreUpToDate: the figures block of docs/capacity-and-simulation.md is what the stack
// files and the code make of them now; `go generate ./internal/configdoc` rewrites it.
func TestFiguresAreUpToDate(t *testing.T) {
	root, err := ModuleRoot()
	require.NoError(t, err)
	doc, err := os.ReadFile(filepath.Join(root, FiguresPath))
	require.NoError(t, err)
	have, err := Block(doc, FiguresBlockName)
	require.NoError(t, err)
	want, err := Figures(root)
	require.NoError(t, err)
	assert.Equal(t, want, have, "%s's figures drifted from the code: run go generate ./internal/configdoc", FiguresPath)
}

// TestDocsQuoteMoneyOnlyFromFigures: a dollar figure typed into README.md or docs/ goes stale when
// a price or a default changes (docs/capacity-and-simulation.md quoted prod at $431.72 while
// synth printed $522.83); every one lives in the generated block.
func TestDocsQuoteMoneyOnlyFromFigures(t *testing.T) {
	root, files := docFiles(t)
	for _, f := range files {
		doc, err := os.ReadFile(filepath.Join(root, f))
		require.NoError(t, err)
		assert.Empty(t, QuotedMoneyOutsideFigures(doc), "%s: money figures outside %s's generated block", f, FiguresPath)
	}
}

// TestQuotedMoneyOutsideFigures: the check finds a typed figure and skips the block.
func TestQuotedMoneyOutsideFigures(t *testing.T) {
	doc := []byte("costs $12.50 a month, or $1,200 a year; $(date) is a shell\n" + BlockText("figures", "| $99.99 |\n") +
		"\nand $3\n" + BlockText("other", "$5\n"))
	assert.Equal(t, []string{"$12.50", "$1,200", "$3"}, QuotedMoneyOutsideFigures(doc))
}
