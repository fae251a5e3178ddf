package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// decode decodes text, the raw value of the section `openwan:<section>`, into target (a pointer
// to the section's struct, holding its defaults), strictly. Every value of the wrong JSON type
// and every unknown field is reported at once, by its full key and in the config's own words:
// `openwan:app.redisAddress: expected a string, got 12345`.
func decode(section, text string, target any) error {
	key := Namespace + ":" + section
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		if syntax := (*json.SyntaxError)(nil); errors.As(err, &syntax) {
			return fmt.Errorf("%s: not valid JSON at byte %d: %w", key, syntax.Offset, err)
		}
		return fmt.Errorf("%s: not valid JSON: %w", key, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: not valid JSON: more after the value, at byte %d", key, dec.InputOffset())
	}
	var p problems
	checkShape(&p, section, doc, reflect.TypeOf(target).Elem())
	if len(p.errs) > 0 {
		return errors.Join(p.errs...)
	}
	dec = json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(target); err != nil {
		// checkShape has found every mismatch encoding/json knows of; should one slip through,
		// it still names the key (without map keys and list indices, which the error lacks).
		if mismatch := (*json.UnmarshalTypeError)(nil); errors.As(err, &mismatch) && mismatch.Field != "" {
			return fmt.Errorf("%s.%s: expected %s, got %s", key, mismatch.Field, kindWords(mismatch.Type), mismatch.Value)
		}
		return fmt.Errorf("%s: %w", key, err)
	}
	return nil
}

// checkShape reports each value of doc (JSON decoded with UseNumber) that encoding/json could
// not decode into a t, and each object key that names no field of a struct, under key. A null
// is always accepted: it leaves the default in place (and drops a scheduled action).
func checkShape(p *problems, key string, doc any, t reflect.Type) {
	if doc == nil {
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	ok := true
	switch t.Kind() {
	case reflect.String:
		_, ok = doc.(string)
	case reflect.Bool:
		_, ok = doc.(bool)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, isNumber := doc.(json.Number)
		_, err := strconv.ParseInt(string(n), 10, t.Bits())
		ok = isNumber && err == nil
	case reflect.Float32, reflect.Float64:
		n, isNumber := doc.(json.Number)
		_, err := strconv.ParseFloat(string(n), t.Bits())
		ok = isNumber && err == nil
	case reflect.Slice:
		var items []any
		if items, ok = doc.([]any); ok {
			for i, item := range items {
				checkShape(p, fmt.Sprintf("%s[%d]", key, i), item, t.Elem())
			}
		}
	case reflect.Map:
		var entries map[string]any
		if entries, ok = doc.(map[string]any); ok {
			for _, name := range slices.Sorted(maps.Keys(entries)) {
				checkShape(p, key+"."+name, entries[name], t.Elem())
			}
		}
	case reflect.Struct:
		var entries map[string]any
		if entries, ok = doc.(map[string]any); ok {
			checkFields(p, key, entries, t)
		}
	}
	if !ok {
		p.addf(key, "expected %s, got %s", kindWords(t), literal(doc))
	}
}

// checkFields checks an object's entries against the fields of the struct type t, as
// encoding/json matches them: by json name, an exact match first, else ignoring case; the
// fields of an embedded struct count as the parent's.
func checkFields(p *problems, key string, entries map[string]any, t reflect.Type) {
	fields := map[string]reflect.Type{}
	for _, f := range reflect.VisibleFields(t) {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" || f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = f.Type
	}
	for _, name := range slices.Sorted(maps.Keys(entries)) {
		ft, found := fields[name]
		if !found {
			for field, typ := range fields {
				if strings.EqualFold(field, name) {
					ft, found = typ, true
					break
				}
			}
		}
		if !found {
			p.addf(key+"."+name, "unknown field (known: %s)", strings.Join(slices.Sorted(maps.Keys(fields)), ", "))
			continue
		}
		checkShape(p, key+"."+name, entries[name], ft)
	}
}

// KindWords names what a Go type decodes from in the config's own words: string, boolean,
// integer, number, list or object. The decoder's messages and the generated reference share it.
func KindWords(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "list"
	case reflect.Map, reflect.Struct:
		return "object"
	}
	return t.Kind().String()
}

// kindWords is KindWords with its article, for "expected an integer".
func kindWords(t reflect.Type) string {
	k := KindWords(t)
	if strings.ContainsRune("aeiou", rune(k[0])) {
		return "an " + k
	}
	return "a " + k
}

// literal shows a JSON value as the stack file has it: a scalar as written, a list or an object
// by its kind.
func literal(doc any) string {
	switch v := doc.(type) {
	case string:
		return strconv.Quote(v)
	case json.Number:
		return string(v)
	case bool:
		return strconv.FormatBool(v)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprint(doc)
}
