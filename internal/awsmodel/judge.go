package awsmodel

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/openwan/openwan-infra/internal/model"
)

// Check judges an API call's input against the operation's input shape: required members present,
// no member the API does not know, enums, numeric ranges, lengths and patterns. Values the plan
// does not know yet (model.Unknown, model.Secret) pass: the deployment fills them. Each finding
// names the path of the field, the value and what the model allows.
func (s *Service) Check(operation string, input map[string]any) []string {
	shape, err := s.InputShape(operation)
	if err != nil {
		return []string{err.Error()}
	}
	var out []string
	s.check(shape, input, operation, &out)
	return out
}

func (s *Service) check(shapeName string, v any, path string, out *[]string) {
	if isPlaceholder(v) {
		return
	}
	shape, ok := s.Shapes[shapeName]
	if !ok {
		*out = append(*out, fmt.Sprintf("%s: shape %s is not in the %s model", path, shapeName, s.Name))
		return
	}
	bad := func(format string, args ...any) { *out = append(*out, path+": "+fmt.Sprintf(format, args...)) }
	switch shape.Type {
	case "structure":
		m, ok := v.(map[string]any)
		if !ok {
			bad("%v is not a %s structure", v, shapeName)
			return
		}
		for _, req := range shape.Required {
			if _, ok := m[req]; !ok {
				bad("required member %s is missing", req)
			}
		}
		for _, k := range sortedKeys(m) {
			member, ok := shape.Members[k]
			if !ok {
				bad("member %s is unknown to %s (it has %s)", k, shapeName, strings.Join(sortedKeys(shape.Members), ", "))
				continue
			}
			s.check(member.Shape, m[k], path+"."+k, out)
		}
	case "list":
		l, ok := v.([]any)
		if !ok {
			bad("%v is not a list", v)
			return
		}
		s.checkRange(shape, float64(len(l)), "length", bad)
		for i, e := range l {
			s.check(shape.Member.Shape, e, fmt.Sprintf("%s[%d]", path, i), out)
		}
	case "map":
		m, ok := v.(map[string]any)
		if !ok {
			bad("%v is not a map", v)
			return
		}
		s.checkRange(shape, float64(len(m)), "entries", bad)
		for _, k := range sortedKeys(m) {
			s.check(shape.Key.Shape, k, path+" key "+strconv.Quote(k), out)
			s.check(shape.Value.Shape, m[k], path+"["+strconv.Quote(k)+"]", out)
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			bad("%v (%T) is not a string", v, v)
			return
		}
		if len(shape.Enum) > 0 && !slices.Contains(shape.Enum, str) {
			bad("%q is not one of %s", str, strings.Join(shape.Enum, ", "))
		}
		s.checkRange(shape, float64(len([]rune(str))), "length", bad)
		if re := pattern(shape.Pattern); re != nil && !re.MatchString(str) {
			bad("%q does not match the pattern %s", str, shape.Pattern)
		}
	case "integer", "long", "double", "float":
		f, ok := v.(float64)
		if !ok {
			bad("%v (%T) is not a number", v, v)
			return
		}
		if shape.Type != "double" && shape.Type != "float" && f != math.Trunc(f) {
			bad("%v is not a whole number", f)
		}
		s.checkRange(shape, f, "value", bad)
	case "boolean":
		if _, ok := v.(bool); !ok {
			bad("%v (%T) is not a boolean", v, v)
		}
	case "timestamp", "blob":
		// Not produced by the plan's mappings.
	default:
		bad("shape %s has type %s, which the judge does not know", shapeName, shape.Type)
	}
}

func (s *Service) checkRange(shape Shape, f float64, what string, bad func(string, ...any)) {
	if shape.Min != nil && f < *shape.Min {
		bad("%s %v is below the minimum %v", what, f, *shape.Min)
	}
	if shape.Max != nil && f > *shape.Max {
		bad("%s %v is above the maximum %v", what, f, *shape.Max)
	}
}

// isPlaceholder is a value only the deployment knows.
func isPlaceholder(v any) bool {
	s, ok := v.(string)
	return ok && (s == model.Unknown || s == model.Secret)
}

var (
	patterns   = map[string]*regexp.Regexp{}
	patternsMu sync.Mutex
	javaEscape = regexp.MustCompile(`\\u([0-9A-Fa-f]{4})`)
)

// pattern compiles a model's pattern for Go: Java's \uXXXX escapes become \x{XXXX}, and the
// surrogate ranges Java needs for characters beyond the BMP (D800-DFFF, which Go's UTF-8 strings
// never hold) are dropped with the range they sit in. Smithy's patterns are not anchored. A
// pattern Go cannot compile is not checked (nil); PatternsSkipped counts them.
func pattern(p string) *regexp.Regexp {
	if p == "" {
		return nil
	}
	patternsMu.Lock()
	defer patternsMu.Unlock()
	if re, ok := patterns[p]; ok {
		return re
	}
	goPattern := javaEscape.ReplaceAllStringFunc(p, func(esc string) string {
		return `\x{` + esc[2:] + `}`
	})
	// A surrogate pair range (\x{D800}\x{DC00}-\x{DBFF}\x{DFFF}) means "every supplementary
	// character": Go says \x{10000}-\x{10FFFF}.
	goPattern = strings.ReplaceAll(goPattern, `\x{D800}\x{DC00}-\x{DBFF}\x{DFFF}`, `\x{10000}-\x{10FFFF}`)
	re, err := regexp.Compile(goPattern)
	if err != nil {
		re = nil
		patternsSkipped++
	}
	patterns[p] = re
	return re
}

// patternsSkipped counts the distinct patterns Go's regexp could not compile.
var patternsSkipped int

// PatternsSkipped is how many distinct patterns met so far Go could not compile (they are not
// checked).
func PatternsSkipped() int {
	patternsMu.Lock()
	defer patternsMu.Unlock()
	return patternsSkipped
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
