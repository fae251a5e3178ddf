package configdoc

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
)

// A generated block of a Markdown file lies between blockBegin(name) and blockEnd(name), HTML
// comments that do not render: `go generate ./...` rewrites what lies between them, and a test
// fails when it drifts from the code.
func blockBegin(name string) string {
	return fmt.Sprintf("<!-- generated: %s (go generate ./...); do not edit -->", name)
}

func blockEnd(name string) string { return fmt.Sprintf("<!-- /generated: %s -->", name) }

// anyBlock matches every generated block, whatever its name.
var anyBlock = regexp.MustCompile(`(?s)<!-- generated: ([^ ]+) \(go generate \./\.\.\.\); do not edit -->.*?<!-- /generated: ([^ ]+) -->`)

// Block is the generated block called name in doc, its markers included, as BlockText makes it.
func Block(doc []byte, name string) (string, error) {
	begin, end := []byte(blockBegin(name)), []byte(blockEnd(name))
	i, j := bytes.Index(doc, begin), bytes.Index(doc, end)
	if i < 0 || j < i {
		return "", fmt.Errorf("no generated block %q (%s ... %s)", name, begin, end)
	}
	return string(doc[i : j+len(end)]), nil
}

// BlockText wraps text, a generated block's content, in its markers.
func BlockText(name, text string) string {
	return blockBegin(name) + "\n" + text + blockEnd(name)
}

// WriteBlock replaces the generated block called name in the file at path with block (markers
// included).
func WriteBlock(path, name, block string) error {
	doc, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	old, err := Block(doc, name)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, bytes.Replace(doc, []byte(old), []byte(block), 1), 0o644)
}

// withoutBlocks is doc without its generated blocks.
func withoutBlocks(doc []byte) []byte {
	return anyBlock.ReplaceAll(doc, nil)
}
