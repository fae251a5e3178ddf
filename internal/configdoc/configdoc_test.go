package configdoc

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config"
)

// TestConfigReferenceIsUpToDate fails when docs/config.md is not what the generator makes of the
// config structs and Defaults() now.
func TestConfigReferenceIsUpToDate(t *testing.T) {
	want, err := Generate()
	require.NoError(t, err)
	root, err := ModuleRoot()
	require.NoError(t, err)
	got, err := os.ReadFile(filepath.Join(root, OutputPath))
	require.NoError(t, err, "%s is missing: run `go generate ./...`", OutputPath)

	if !bytes.Equal(got, want) {
		gotLines, wantLines := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		line := 0
		for line < len(gotLines) && line < len(wantLines) && gotLines[line] == wantLines[line] {
			line++
		}
		var have, should string
		if line < len(gotLines) {
			have = gotLines[line]
		}
		if line < len(wantLines) {
			should = wantLines[line]
		}
		t.Errorf("%s is out of date with config/*.go and config.Defaults(): run `go generate ./...`\n"+
			"first difference at line %d:\n  file:      %s\n  generated: %s", OutputPath, line+1, have, should)
	}
}

// rowsByKey generates the reference of the real config and indexes its rows.
func rowsByKey(t *testing.T) map[string]row {
	t.Helper()
	root, err := ModuleRoot()
	require.NoError(t, err)
	docs, err := parseDocs(filepath.Join(root, "config"))
	require.NoError(t, err)
	sections, err := collect(docs, config.Defaults())
	require.NoError(t, err)
	out := map[string]row{}
	for _, s := range sections {
		for _, r := range s.rows {
			_, dup := out[r.key]
			require.False(t, dup, "key %s documented twice", r.key)
			out[r.key] = r
		}
	}
	return out
}

// TestSectionsInConfigOrder checks one heading per section, in config.Sections() order.
func TestSectionsInConfigOrder(t *testing.T) {
	out, err := Generate()
	require.NoError(t, err)
	var headings []string
	for line := range strings.SplitSeq(string(out), "\n") {
		if name, ok := strings.CutPrefix(line, "## "+config.Namespace+":"); ok {
			headings = append(headings, name)
		}
	}
	assert.Equal(t, config.Sections(), headings)
}

// TestEachKeyShowsItsOwnDefault: the api and worker sections, and ec2.api and ec2.worker, share
// Go types but not defaults; each key must show the value Defaults() gives it.
func TestEachKeyShowsItsOwnDefault(t *testing.T) {
	d := config.Defaults()
	pairs := []struct {
		api, worker       string
		apiWant, workWant int
	}{
		{"openwan:api.targets.cpuPercent", "openwan:worker.targets.cpuPercent", d.API.Targets.CPUPercent, d.Worker.Targets.CPUPercent},
		{"openwan:api.replicas.max", "openwan:worker.replicas.max", d.API.Replicas.Max, d.Worker.Replicas.Max},
		{"openwan:api.scaleDown.stabilizationSeconds", "openwan:worker.scaleDown.stabilizationSeconds", d.API.ScaleDown.StabilizationSeconds, d.Worker.ScaleDown.StabilizationSeconds},
		{"openwan:api.terminationGracePeriodSeconds", "openwan:worker.terminationGracePeriodSeconds", d.API.TerminationGracePeriodSeconds, d.Worker.TerminationGracePeriodSeconds},
		{"openwan:ec2.api.desired", "openwan:ec2.worker.desired", d.EC2.API.Desired, d.EC2.Worker.Desired},
		{"openwan:ec2.api.targets.cpuPercent", "openwan:ec2.worker.targets.cpuPercent", d.EC2.API.Targets.CPUPercent, d.EC2.Worker.Targets.CPUPercent},
		{"openwan:ec2.api.scaleIn.cooldownSeconds", "openwan:ec2.worker.scaleIn.cooldownSeconds", d.EC2.API.ScaleIn.CooldownSeconds, d.EC2.Worker.ScaleIn.CooldownSeconds},
		{"openwan:ec2.api.terminationHookSeconds", "openwan:ec2.worker.terminationHookSeconds", d.EC2.API.TerminationHookSeconds, d.EC2.Worker.TerminationHookSeconds},
	}
	rows := rowsByKey(t)
	for _, p := range pairs {
		require.NotEqual(t, p.apiWant, p.workWant, "%s and %s must differ for this check to mean anything", p.api, p.worker)
		assert.Equal(t, strconv.Itoa(p.apiWant), rows[p.api].def, p.api)
		assert.Equal(t, strconv.Itoa(p.workWant), rows[p.worker].def, p.worker)
	}
}

// TestEmbeddedFleetFlattens: APIFleet and WorkerFleet embed Fleet, whose fields decode from the
// fleet's own object, as encoding/json does.
func TestEmbeddedFleetFlattens(t *testing.T) {
	rows := rowsByKey(t)
	d := config.Defaults()
	assert.Equal(t, strconv.Itoa(d.EC2.API.Size.Max), rows["openwan:ec2.api.size.max"].def)
	assert.Equal(t, "integer", rows["openwan:ec2.api.size.max"].typ)
	assert.Contains(t, rows, "openwan:ec2.worker.healthCheckGraceSeconds")
	for key := range rows {
		assert.NotContains(t, strings.ToLower(key), ".fleet", "embedded struct leaked into a key")
	}
}

// TestSchedulesAreDocumentedPerName: a map of objects gets one row for the map, listing the
// default entries, and one per field of an entry under `<name>`.
func TestSchedulesAreDocumentedPerName(t *testing.T) {
	rows := rowsByKey(t)
	d := config.Defaults()
	require.NotEmpty(t, d.EC2.API.Schedules, "the API group has default schedules")

	schedules := rows["openwan:ec2.api.schedules"]
	assert.Equal(t, "map of string to object", schedules.typ)
	var names []string
	for _, e := range schedules.entries {
		names = append(names, e[0])
		assert.Contains(t, e[1], strconv.Quote(d.EC2.API.Schedules[e[0]].Recurrence), "entry %s shows its recurrence", e[0])
	}
	assert.Equal(t, slices.Sorted(maps.Keys(d.EC2.API.Schedules)), names)

	for _, field := range []string{"recurrence", "min", "max", "desired"} {
		assert.Contains(t, rows, "openwan:ec2.api.schedules.<name>."+field)
		assert.Contains(t, rows, "openwan:ec2.worker.schedules.<name>."+field)
	}
	assert.Equal(t, "string", rows["openwan:ec2.api.schedules.<name>.recurrence"].typ)
	assert.Len(t, rows["openwan:ec2.worker.schedules"].entries, len(d.EC2.Worker.Schedules))
}

// TestEveryJSONKeyHasARow checks the reference against encoding/json's own view of Defaults():
// every key a stack can set has a row with the same default, and no row names a key that does
// not exist.
func TestEveryJSONKeyHasARow(t *testing.T) {
	rows := rowsByKey(t)
	raw, err := json.Marshal(config.Defaults())
	require.NoError(t, err)
	var tree map[string]any
	require.NoError(t, json.Unmarshal(raw, &tree))

	seen := map[string]bool{}
	var visit func(key string, v any)
	visit = func(key string, v any) {
		seen[key] = true
		r, ok := rows[key]
		if !assert.True(t, ok, "%s has no row", key) {
			return
		}
		obj, isObject := v.(map[string]any)
		if isObject && r.typ == "object" {
			for _, name := range slices.Sorted(maps.Keys(obj)) {
				visit(key+"."+name, obj[name])
			}
			return
		}
		if v == nil { // a nil list or map: the reference shows it empty
			assert.Contains(t, []string{"[]", "{}"}, r.def, "default of %s", key)
			return
		}
		want, err := json.Marshal(v)
		require.NoError(t, err)
		assert.JSONEq(t, string(want), r.def, "default of %s", key)
	}
	for _, section := range config.Sections() {
		obj, ok := tree[section].(map[string]any)
		require.True(t, ok, "section %s is an object", section)
		seen[config.Namespace+":"+section] = true
		for _, name := range slices.Sorted(maps.Keys(obj)) {
			if only := onlyFor(t, section, name); only != "" && only != section {
				// A field of a shared type only another section takes (the API's concurrency):
				// no row, and Validate refuses a value (config's tests).
				assert.NotContains(t, rows, config.Namespace+":"+section+"."+name)
				continue
			}
			visit(config.Namespace+":"+section+"."+name, obj[name])
		}
	}
	for key := range rows {
		if strings.Contains(key, "[]") || strings.Contains(key, "<name>") {
			continue // the fields of list items and map entries, which have no default
		}
		assert.True(t, seen[key], "row %s is no key of the config", key)
	}
}

// onlyFor is the section named by the `only` tag of the field under config.Config's section with
// that JSON name, or "" when the field applies everywhere its type is used.
func onlyFor(t *testing.T, section, name string) string {
	t.Helper()
	c := reflect.TypeFor[config.Config]()
	for i := range c.NumField() {
		if jsonName(c.Field(i)) != section {
			continue
		}
		st := c.Field(i).Type
		for j := range st.NumField() {
			if jsonName(st.Field(j)) == name {
				return st.Field(j).Tag.Get("only")
			}
		}
	}
	return ""
}

// TestNumericKeysStateAUnit: every number a stack sets says what it counts, in parentheses.
func TestNumericKeysStateAUnit(t *testing.T) {
	for key, r := range rowsByKey(t) {
		if r.typ == "integer" || r.typ == "number" {
			assert.Contains(t, r.doc, "(", "%s: the doc comment states no unit", key)
		}
	}
}

// TestUndocumentedFieldIsAnError: a field without a doc comment stops the generator, naming it.
func TestUndocumentedFieldIsAnError(t *testing.T) {
	root, err := ModuleRoot()
	require.NoError(t, err)
	docs, err := parseDocs(filepath.Join(root, "config"))
	require.NoError(t, err)
	require.NotEmpty(t, docs["Service"].fields["Port"])
	delete(docs["Service"].fields, "Port")

	_, err = collect(docs, config.Defaults())
	require.Error(t, err)
	assert.ErrorContains(t, err, "openwan:api.port: config.Service.Port has no doc comment")
	assert.ErrorContains(t, err, "openwan:worker.port: config.Service.Port has no doc comment")
}

func TestTypeWords(t *testing.T) {
	d := config.Defaults()
	rows := rowsByKey(t)
	for key, want := range map[string]string{
		"openwan:network.vpcId":               "string",
		"openwan:network.availabilityZones":   "integer",
		"openwan:alerts.errorRatePercent":     "number",
		"openwan:ec2.enabled":                 "boolean",
		"openwan:alerts.emails":               "list of strings",
		"openwan:ec2.worker.queue.dimensions": "map of string to string",
		"openwan:capacity.prices":             "map of string to number",
		"openwan:api.scaleUp.policies":        "list of objects",
		"openwan:api.replicas":                "object",
	} {
		assert.Equal(t, want, rows[key].typ, key)
	}
	assert.Len(t, rows["openwan:capacity.prices"].entries, len(d.Capacity.Prices))
}

func TestSpaced(t *testing.T) {
	assert.Equal(t, `{"a": [1, 2], "b:c": "x,y\"z:"}`, spaced(`{"a":[1,2],"b:c":"x,y\"z:"}`))
}

func TestSlug(t *testing.T) {
	assert.Equal(t, "openwanec2", slug("openwan:ec2"))
	assert.Equal(t, "the-local-stack-on-a-real-control-plane", slug("The local stack on a real control plane"))
	assert.Equal(t, "capacity-and-cost", slug("Capacity and cost"))
	assert.Equal(t, "ci-stages-and-their-times", slug("CI stages and their times"))
}
