// Package configdoc generates docs/config.md, the reference of every key of the `openwan` config
// namespace: each key's type from the config structs, its default from config.Defaults() (read by
// reflection, so the API and worker sections, which share a Go type, each show their own) and its
// description from the field's doc comment (parsed from config/*.go).
//
// It imports no Pulumi, AWS or Kubernetes package. `go generate ./...` rewrites the file; a test
// fails when the file and the config drift apart.
package configdoc

//go:generate go run ./gen

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"unicode"

	"github.com/openwan/openwan-infra/config"
)

// Module is the module path whose root holds go.mod, config/ and docs/.
const Module = "github.com/openwan/openwan-infra"

// OutputPath is where the reference is written, relative to the module root.
const OutputPath = "docs/config.md"

// Generate renders docs/config.md from the config package of the module the working directory
// is in (as under `go generate` and `go test`).
func Generate() ([]byte, error) {
	root, err := ModuleRoot()
	if err != nil {
		return nil, err
	}
	return generate(filepath.Join(root, "config"), config.Defaults())
}

// ModuleRoot is the directory of the module's go.mod, found from the working directory upwards.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if modulePath(filepath.Join(dir, "go.mod")) == Module {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod of module %s above the working directory", Module)
		}
		dir = parent
	}
}

// modulePath is the module line of a go.mod file, or "" when there is none.
func modulePath(gomod string) string {
	f, err := os.Open(gomod)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}

// row is one key of the reference.
type row struct {
	// key is the full dotted key, "openwan:ec2.api.size.max"; "[]" stands for each item of a
	// list, "<name>" for each key of a map.
	key string
	// typ is the key's type in the config's words ("integer", "list of strings", "object").
	typ string
	// def is the default as compact JSON; "" when the key has no default of its own (an object,
	// or a field of a list item or map entry).
	def string
	// entries are a non-empty map default's entries, "name" to compact JSON, shown one a line.
	entries [][2]string
	// doc is the field's doc comment on one line.
	doc string
}

// section is one key of the namespace, `openwan:<name>`.
type section struct {
	name string
	// docs are the Config field's doc comment and the section type's doc comment.
	docs []string
	rows []row
}

// generate renders the reference of defaults, documented by the Go sources in configDir.
func generate(configDir string, defaults config.Config) ([]byte, error) {
	docs, err := parseDocs(configDir)
	if err != nil {
		return nil, err
	}
	sections, err := collect(docs, defaults)
	if err != nil {
		return nil, err
	}
	return render(sections), nil
}

// typeDocs are the doc comments of one struct type: the type's own and each field's.
type typeDocs struct {
	doc    string
	fields map[string]string
}

// parseDocs reads the doc comments of every struct type declared in the Go files of dir (tests
// left out), keyed by type name.
func parseDocs(dir string) (map[string]typeDocs, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	out := map[string]typeDocs{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				doc := ts.Doc
				if doc == nil && len(gd.Specs) == 1 {
					doc = gd.Doc
				}
				td := typeDocs{doc: oneLine(doc), fields: map[string]string{}}
				for _, field := range st.Fields.List {
					for _, n := range field.Names {
						td.fields[n.Name] = oneLine(field.Doc)
					}
				}
				out[ts.Name.Name] = td
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no struct types in %s", dir)
	}
	return out, nil
}

// oneLine is a comment's text with its lines joined.
func oneLine(cg *ast.CommentGroup) string {
	if cg == nil {
		return ""
	}
	return strings.Join(strings.Fields(cg.Text()), " ")
}

// collect walks each section of the namespace, in config.Sections() order.
func collect(docs map[string]typeDocs, defaults config.Config) ([]section, error) {
	v := reflect.ValueOf(defaults)
	t := v.Type()
	byName := map[string]int{}
	for i := range t.NumField() {
		byName[jsonName(t.Field(i))] = i
	}
	var out []section
	var errs []error
	for _, name := range config.Sections() {
		i, ok := byName[name]
		if !ok {
			errs = append(errs, fmt.Errorf("config.Sections() names %q, which no field of config.Config decodes", name))
			continue
		}
		delete(byName, name)
		f := t.Field(i)
		s := section{name: name, docs: sectionDocs(docs[t.Name()].fields[f.Name], docs[f.Type.Name()].doc, name)}
		w := walker{docs: docs}
		w.walk(config.Namespace+":"+name, f.Type, v.Field(i))
		s.rows = w.rows
		errs = append(errs, w.errs...)
		out = append(out, s)
	}
	for _, name := range slices.Sorted(maps.Keys(byName)) {
		errs = append(errs, fmt.Errorf("config.Config field %q is not in config.Sections()", name))
	}
	return out, errors.Join(errs...)
}

// sectionDocs are the paragraphs that introduce a section: the Config field's doc comment, which
// tells sections of one type apart (api and worker), and the section type's, unless the type's
// names the section itself and so says it all.
func sectionDocs(fieldDoc, typeDoc, name string) []string {
	if strings.Contains(typeDoc, "`"+config.Namespace+":"+name+"`") {
		return []string{typeDoc}
	}
	return []string{fieldDoc, typeDoc}
}

// walker collects the rows of one section.
type walker struct {
	docs map[string]typeDocs
	rows []row
	errs []error
}

// walk adds a row for each field of the struct type t under prefix, v its default (invalid
// when the fields have none of their own: list items, map entries). Embedded structs flatten
// into the parent key, as encoding/json decodes them.
func (w *walker) walk(prefix string, t reflect.Type, v reflect.Value) {
	if t.PkgPath() != reflect.TypeFor[config.Config]().PkgPath() {
		w.errs = append(w.errs, fmt.Errorf("%s: type %s is not declared in package config", prefix, t))
		return
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name := jsonName(f)
		if !f.IsExported() || name == "-" {
			continue
		}
		if only := f.Tag.Get("only"); only != "" && !strings.HasPrefix(prefix+".", config.Namespace+":"+only+".") {
			continue // a field of a shared type that only one section's key takes (config.Service)
		}
		var fv reflect.Value
		if v.IsValid() {
			fv = v.Field(i)
		}
		for fv.IsValid() && fv.Kind() == reflect.Pointer { // a nil pointer has no default
			fv = fv.Elem()
		}
		if f.Anonymous && f.Tag.Get("json") == "" && f.Type.Kind() == reflect.Struct {
			w.walk(prefix, f.Type, fv)
			continue
		}
		key := prefix + "." + name
		doc := w.docs[t.Name()].fields[f.Name]
		if doc == "" {
			w.errs = append(w.errs, fmt.Errorf("%s: config.%s.%s has no doc comment", key, t.Name(), f.Name))
		}
		r := row{key: key, typ: typeWords(f.Type), doc: withoutSubject(doc, f.Name)}
		if err := r.setDefault(fv); err != nil {
			w.errs = append(w.errs, fmt.Errorf("%s: default: %w", key, err))
		}
		w.rows = append(w.rows, r)
		switch elem := deref(f.Type); {
		case elem.Kind() == reflect.Struct:
			w.walk(key, elem, fv)
		case (f.Type.Kind() == reflect.Slice || f.Type.Kind() == reflect.Array) && deref(elem.Elem()).Kind() == reflect.Struct:
			w.walk(key+"[]", deref(elem.Elem()), reflect.Value{})
		case f.Type.Kind() == reflect.Map && deref(elem.Elem()).Kind() == reflect.Struct:
			w.walk(key+".<name>", deref(elem.Elem()), reflect.Value{})
		}
	}
}

// setDefault records v as the row's default, and a map's entries one by one; an invalid v or an
// object leaves the row without a default of its own (its fields have theirs).
func (r *row) setDefault(v reflect.Value) error {
	if !v.IsValid() || v.Kind() == reflect.Struct {
		return nil
	}
	def, err := compactJSON(v)
	if err != nil {
		return err
	}
	r.def = def
	if v.Kind() != reflect.Map {
		return nil
	}
	keys := v.MapKeys()
	slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
	for _, k := range keys {
		entry, err := compactJSON(v.MapIndex(k))
		if err != nil {
			return err
		}
		r.entries = append(r.entries, [2]string{k.String(), entry})
	}
	return nil
}

// jsonName is the key encoding/json decodes a field from.
func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "" {
		return f.Name
	}
	return name
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// typeWords names a Go type as the config's reader knows it: config.KindWords, with what a list
// or a map holds.
func typeWords(t reflect.Type) string {
	t = deref(t)
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "list of " + plural(typeWords(t.Elem()))
	case reflect.Map:
		return "map of " + typeWords(t.Key()) + " to " + typeWords(t.Elem())
	}
	return config.KindWords(t)
}

func plural(word string) string {
	if strings.Contains(word, " ") { // "list of lists of strings" reads worse than this
		return "(" + word + ")"
	}
	return word + "s"
}

// compactJSON is v as encoding/json writes it, without HTML escaping and spaced; a nil list or
// map shows as empty, which is how the program treats it.
func compactJSON(v reflect.Value) (string, error) {
	switch {
	case v.Kind() == reflect.Slice && v.IsNil():
		return "[]", nil
	case v.Kind() == reflect.Map && v.IsNil():
		return "{}", nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v.Interface()); err != nil {
		return "", err
	}
	return spaced(strings.TrimSpace(b.String())), nil
}

// spaced puts a space after each comma and colon of compact JSON outside strings, so a long
// value can wrap in a table cell.
func spaced(compact string) string {
	var b strings.Builder
	inString, escaped := false, false
	for _, r := range compact {
		b.WriteRune(r)
		switch {
		case escaped:
			escaped = false
		case inString && r == '\\':
			escaped = true
		case r == '"':
			inString = !inString
		case !inString && (r == ',' || r == ':'):
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// render writes the markdown.
func render(sections []section) []byte {
	var b bytes.Buffer
	b.WriteString(`<!-- Code generated by go generate ./... (internal/configdoc) from config/*.go and config.Defaults(); DO NOT EDIT. -->

# Config reference

Every key of the program lives in the ` + "`openwan`" + ` namespace, one key per section, each holding an
object. A stack file sets only what differs from the defaults below, for example:

` + "```yaml" + `
config:
  openwan:api:
    image: ghcr.io/openwan/openwan-api:1.8.2
    replicas:
      max: 30
` + "```" + `

Each section is decoded strictly over the defaults (an unknown field or section, or a value of
the wrong type, is an error, under ` + "`pulumi up`" + ` as under ` + "`cmd/synth`" + `) and the whole config is
validated before anything is declared. Errors name the full key, the value and the allowed range,
all at once: ` + "`openwan:api.replicas.max: 1 is below min 2`" + `,
` + "`openwan:app.redisAddress: expected a string, got 12345`" + `. The defaults are ` + "`config.Defaults()`" + ` in
[config/defaults.go](../config/defaults.go), the autoscaling guide's production numbers; the
checks are in [config/validate.go](../config/validate.go).

In a key, ` + "`[]`" + ` stands for each item of a list and ` + "`<name>`" + ` for each key of a map; a map's
default lists its entries. An object's fields follow it.

Sections:`)
	b.WriteString("\n\n")
	for _, s := range sections {
		fmt.Fprintf(&b, "- [`%s:%s`](#%s)\n", config.Namespace, s.name, slug(config.Namespace+":"+s.name))
	}
	for _, s := range sections {
		fmt.Fprintf(&b, "\n## %s:%s\n\n", config.Namespace, s.name)
		for _, d := range s.docs {
			if d != "" {
				b.WriteString(wrap(d, 100))
				b.WriteString("\n\n")
			}
		}
		b.WriteString("| key | type | default | description |\n|---|---|---|---|\n")
		for _, r := range s.rows {
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", cell(r.key), r.typ, defaultCell(r), cell(r.doc))
		}
	}
	return b.Bytes()
}

// defaultCell is a row's default: its JSON, or a map's entries one a line.
func defaultCell(r row) string {
	if len(r.entries) == 0 {
		if r.def == "" {
			return ""
		}
		return "`" + cell(r.def) + "`"
	}
	lines := make([]string, len(r.entries))
	for i, e := range r.entries {
		lines[i] = "`" + cell(e[0]) + "`: `" + cell(e[1]) + "`"
	}
	return strings.Join(lines, "<br>")
}

// cell escapes what would end a table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// slug is the anchor GitHub gives a heading: lower case, punctuation other than "-" and "_"
// dropped, spaces turned into "-".
func slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// wrap breaks text into lines of at most width characters, at spaces.
func wrap(text string, width int) string {
	var b strings.Builder
	n := 0
	for _, word := range strings.Fields(text) {
		switch {
		case n == 0:
		case n+1+len(word) > width:
			b.WriteByte('\n')
			n = 0
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += len(word)
	}
	return b.String()
}

// withoutSubject drops the Go field name that starts a doc comment ("MaxConnections is the
// database's max_connections" reads as "The database's max_connections"): the table's key column
// already names the field, in the config's own spelling.
func withoutSubject(doc, field string) string {
	rest, ok := strings.CutPrefix(doc, field+" ")
	if !ok {
		return doc
	}
	for _, verb := range []string{"is ", "are "} {
		if r, ok := strings.CutPrefix(rest, verb); ok {
			rest = r
			break
		}
	}
	if rest == "" {
		return doc
	}
	return strings.ToUpper(rest[:1]) + rest[1:]
}
