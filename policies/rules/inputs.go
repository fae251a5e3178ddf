package rules

import (
	"strconv"
	"strings"

	"github.com/openwan/openwan-infra/internal/model"
)

// at returns the value at a dotted path ("spec.behavior.scaleDown"), numeric segments indexing
// arrays. A missing value and a value unknown before deployment both report false: a rule never
// judges what it cannot see.
func at(m map[string]any, path string) (any, bool) {
	v, err := model.Lookup(m, path)
	if err != nil || v == nil || v == model.Unknown {
		return nil, false
	}
	return v, true
}

// declared reports whether path holds a value, known or not.
func declared(m map[string]any, path string) bool {
	if _, ok := at(m, path); ok {
		return true
	}
	i := strings.LastIndex(path, ".")
	parent, key := map[string]any(m), path
	if i >= 0 {
		parent, key = object(m, path[:i]), path[i+1:]
	}
	return parent[key] == model.Unknown
}

// num reads a number; Pulumi sends every number as float64, and a few providers send numeric
// strings ("300"), which count too.
func num(m map[string]any, path string) (float64, bool) {
	v, ok := at(m, path)
	if !ok {
		return 0, false
	}
	switch n := v.(type) {
	case float64:
		return n, true
	case int:
		return float64(n), true
	case string:
		f, err := strconv.ParseFloat(n, 64)
		return f, err == nil
	}
	return 0, false
}

func str(m map[string]any, path string) (string, bool) {
	v, ok := at(m, path)
	if !ok {
		return "", false
	}
	s, ok := v.(string)
	return s, ok
}

// boolean reads a bool; the AWS provider sends a few tri-state flags as "true"/"false" strings.
func boolean(m map[string]any, path string) (value, ok bool) {
	v, ok := at(m, path)
	if !ok {
		return false, false
	}
	switch b := v.(type) {
	case bool:
		return b, true
	case string:
		parsed, err := strconv.ParseBool(b)
		return parsed, err == nil
	}
	return false, false
}

func list(m map[string]any, path string) []any {
	v, _ := at(m, path)
	l, _ := v.([]any)
	return l
}

func object(m map[string]any, path string) map[string]any {
	v, _ := at(m, path)
	o, _ := v.(map[string]any)
	return o
}

func objects(m map[string]any, path string) []map[string]any {
	var out []map[string]any
	for _, v := range list(m, path) {
		if o, ok := v.(map[string]any); ok {
			out = append(out, o)
		}
	}
	return out
}

func strs(m map[string]any, path string) []string {
	var out []string
	for _, v := range list(m, path) {
		if s, ok := v.(string); ok && s != model.Unknown {
			out = append(out, s)
		}
	}
	return out
}

// fmtNum prints a number without a trailing ".0" for whole values.
func fmtNum(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}
