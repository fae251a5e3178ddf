package synth

import (
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"
)

// diffContext is how many unchanged lines a hunk shows around a change, as `diff -U2` does: enough
// to find the place in the script, few enough that a one-word change reads as one.
const diffContext = 2

// decodedScript is the text a launch template's userData holds: AWS takes it base64-encoded, and
// a reviewer reads the script. It is not a script when it does not decode to UTF-8 text.
func decodedScript(v any) (string, bool) {
	s, ok := v.(string)
	if !ok {
		return "", false
	}
	text, err := base64.StdEncoding.DecodeString(s)
	if err != nil || !utf8.Valid(text) {
		return "", false
	}
	return string(text), true
}

// LineDiff is the change from old to new as hunks of lines: "- " removed, "+ " added, "  "
// context, each hunk headed by the line numbers it starts at ("@@ -12 +12").
func LineDiff(old, new string) []string {
	a, b := strings.Split(old, "\n"), strings.Split(new, "\n")
	// lcs[i][j] is the longest common subsequence of a[i:] and b[j:]; scripts are a few hundred
	// lines, so the table stays small.
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type edit struct {
		mark       byte // ' ', '-' or '+'
		text       string
		oldN, newN int // 1-based line numbers before the edit
	}
	var edits []edit
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			edits = append(edits, edit{' ', a[i], i + 1, j + 1})
			i, j = i+1, j+1
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			// Removals before additions, as diff prints a changed line.
			edits = append(edits, edit{'-', a[i], i + 1, j + 1})
			i++
		default:
			edits = append(edits, edit{'+', b[j], i + 1, j + 1})
			j++
		}
	}
	var out []string
	last := -1 // the last edit already printed
	for k, e := range edits {
		if e.mark == ' ' || k <= last {
			continue
		}
		from := max(k-diffContext, last+1)
		if from > last+1 || last < 0 {
			out = append(out, fmt.Sprintf("@@ -%d +%d", edits[from].oldN, edits[from].newN))
		}
		// Through the change and its trailing context, merging hunks that touch.
		to := k
		for n := k; n < len(edits) && n <= to+diffContext; n++ {
			if edits[n].mark != ' ' {
				to = n
			}
		}
		to = min(to+diffContext, len(edits)-1)
		for n := from; n <= to; n++ {
			if n > last {
				out = append(out, string(edits[n].mark)+" "+edits[n].text)
			}
		}
		last = to
	}
	return out
}
