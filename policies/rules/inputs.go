package rules

import (
	"strconv"
	"strings"
)

// Unknown is how a value not known before deployment reads in Resource.Inputs.
const Unknown = "[unknown]"

// at returns the value at a dotted path ("spec.behavior.scaleDown"), numeric segments indexing
// arrays. A missing value and a value unknown before deployment both report false: a rule never
// judges what it cannot see.
func at(m map[string]any, path string) (any, bool) {
	var cur any = m
	for _, seg := range strings.Split(path, ".") {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[seg]
			if !ok {
				return nil, false
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(v) {
				return nil, false
			}
			cur = v[i]
		default:
			return nil, false
		}
	}
	if cur == nil || cur == Unknown {
		return nil, false
	}
	return cur, true
}

// num reads a number; Pulumi sends every number as float64, and a few providers send numeric
// strings ("300"), which count too.
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
	return parent[key] == Unknown
}

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
		if s, ok := v.(string); ok && s != Unknown {
			out = append(out, s)
		}
	}
	return out
}

// fmtNum prints a number without a trailing ".0" for whole values.
func fmtNum(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}
