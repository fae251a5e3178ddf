package configdoc

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// markdownLink matches [text](target) and ![alt](target), with an optional "title".
var markdownLink = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)

// codeSpan matches inline code, where brackets are no links.
var codeSpan = regexp.MustCompile("`[^`\n]*`")

// docFiles are README.md and docs/*.md, relative to the module root.
func docFiles(t *testing.T) (root string, files []string) {
	t.Helper()
	root, err := ModuleRoot()
	require.NoError(t, err)
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	require.NoError(t, err)
	require.NotEmpty(t, docs, "docs/*.md")
	files = []string{"README.md"}
	for _, d := range docs {
		rel, err := filepath.Rel(root, d)
		require.NoError(t, err)
		files = append(files, rel)
	}
	return root, files
}

// outsideFences are a markdown file's lines outside fenced code blocks.
func outsideFences(text string) []string {
	var out []string
	inFence := false
	for line := range strings.SplitSeq(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inFence = !inFence
			continue
		}
		if !inFence {
			out = append(out, line)
		}
	}
	return out
}

// prose is a markdown file's lines without fenced code blocks and inline code.
func prose(text string) []string {
	lines := outsideFences(text)
	for i, line := range lines {
		lines[i] = codeSpan.ReplaceAllString(line, "``")
	}
	return lines
}

// anchors are the heading anchors GitHub gives a markdown file.
func anchors(text string) map[string]bool {
	out := map[string]bool{}
	count := map[string]int{}
	for _, line := range outsideFences(text) {
		trimmed := strings.TrimLeft(line, "#")
		if trimmed == line || !strings.HasPrefix(trimmed, " ") {
			continue
		}
		s := slug(strings.TrimSpace(strings.ReplaceAll(trimmed, "`", "")))
		if n := count[s]; n > 0 {
			out[fmt.Sprintf("%s-%d", s, n)] = true
		} else {
			out[s] = true
		}
		count[s]++
	}
	return out
}

// TestMarkdownLinksResolve: every relative link of README.md and docs/*.md names a file or
// directory of the repository, and every anchor a heading of its file.
func TestMarkdownLinksResolve(t *testing.T) {
	root, files := docFiles(t)
	for _, file := range files {
		text, err := os.ReadFile(filepath.Join(root, file))
		require.NoError(t, err)
		links := 0
		for _, line := range prose(string(text)) {
			for _, m := range markdownLink.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				links++
				path, fragment, _ := strings.Cut(target, "#")
				resolved := filepath.Join(root, file) // an anchor-only link points into its own file
				if path != "" {
					resolved = filepath.Join(root, filepath.Dir(file), filepath.FromSlash(path))
				}
				if _, err := os.Stat(resolved); err != nil {
					t.Errorf("%s: link %q: no such file", file, target)
					continue
				}
				if fragment == "" || !strings.HasSuffix(resolved, ".md") {
					continue
				}
				linked, err := os.ReadFile(resolved)
				require.NoError(t, err)
				assert.True(t, anchors(string(linked))[fragment], "%s: link %q: no heading with that anchor", file, target)
			}
		}
		assert.NotZero(t, links, "%s has no relative link: is the link pattern still right?", file)
	}
}

// TestREADMEKeepsTheFirstCommands: CI runs the test command README.md gives a new user.
func TestREADMEKeepsTheFirstCommands(t *testing.T) {
	root, err := ModuleRoot()
	require.NoError(t, err)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	assert.Contains(t, string(readme), "\ngo run ./cmd/synth --stack prod ")
	assert.Contains(t, string(readme), "\ngo test ./... ")
}

func TestAnchors(t *testing.T) {
	got := anchors("# Title\n\n## `openwan:api`\n\n```\n# not a heading\n```\n\n## Usage\n## Usage\n#hashtag\n")
	assert.Equal(t, map[string]bool{"title": true, "openwanapi": true, "usage": true, "usage-1": true}, got)
}
