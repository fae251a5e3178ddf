package config

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// completeRaw are the sections that complete the defaults: the values that have none.
func completeRaw() map[string]string {
	return map[string]string{
		"cluster":  `{"publicAccessCidrs": ["203.0.113.0/24"]}`,
		"app":      `{"redisAddress": "redis:6379", "s3Bucket": "media"}`,
		"api":      `{"image": "api:1"}`,
		"worker":   `{"image": "worker:1"}`,
		"ec2":      `{"api": {"image": "api:1"}, "worker": {"image": "worker:1", "queue": {"dimensions": {"Queue": "transcode"}}}}`,
		"capacity": `{"database": {"maxConnections": 2000}}`,
	}
}

func TestParseKeepsDefaultsUnderPartialSections(t *testing.T) {
	raw := completeRaw()
	raw["api"] = `{"image": "api:2", "replicas": {"max": 30}}`
	cfg, err := Parse(raw)
	require.NoError(t, err, "Parse of completed sections")
	defaults := Defaults().API
	assert.Equal(t, Range{Min: defaults.Replicas.Min, Max: 30}, cfg.API.Replicas,
		"openwan:api.replicas.max is the section's 30, its min is kept from the defaults")
	assert.Equal(t, 70, cfg.API.Targets.CPUPercent, "openwan:api.targets.cpuPercent keeps the guide's default 70")
	assert.Equal(t, "api:2", cfg.API.Image, "openwan:api.image is the section's")
}

func TestParseRejectsUnknownFieldsAndKeys(t *testing.T) {
	raw := completeRaw()
	raw["api"] = `{"image": "api:1", "replicas": {"maximum": 30}}`
	raw["apii"] = `{}`
	_, err := Parse(raw)
	require.Error(t, err, "Parse with a misspelt field and key must fail")
	assert.ErrorContains(t, err, "openwan:api.replicas.maximum: unknown field (known: max, min)", "a misspelt field never silently keeps a default")
	assert.ErrorContains(t, err, "openwan:apii: unknown config key", "a misspelt section is named")
}

func TestParseDropsSchedulesSetToNull(t *testing.T) {
	raw := completeRaw()
	raw["ec2"] = `{"api": {"image": "api:1", "schedules": {"scale-down-night": null}}, "worker": {"image": "w:1", "queue": {"dimensions": {"Queue": "q"}}}}`
	cfg, err := Parse(raw)
	require.NoError(t, err)
	assert.NotContains(t, cfg.EC2.API.Schedules, "scale-down-night", "a schedule set to null is dropped")
	assert.Contains(t, cfg.EC2.API.Schedules, "scale-up-business-hours", "the other default schedule is kept")
}

// TestParseSaysASetDefaultActionReplacesIt: `pulumi config set --path
// 'openwan:ec2.api.schedules.scale-up-business-hours.desired' 6` writes an action of one field,
// which replaces the default whole; the refusal says so and shows the default to copy (before:
// `recurrence: "": ...`, an empty cron with no hint of why).
func TestParseSaysASetDefaultActionReplacesIt(t *testing.T) {
	raw := completeRaw()
	raw["ec2"] = `{"api": {"image": "api:1", "schedules": {"scale-up-business-hours": {"desired": 6}}}, "worker": {"image": "w:1", "queue": {"dimensions": {"Queue": "q"}}}}`
	_, err := Parse(raw)
	require.Error(t, err)
	d := Defaults().EC2.API.Schedules["scale-up-business-hours"]
	assert.EqualError(t, err, "openwan:ec2.api.schedules.scale-up-business-hours.recurrence: is empty: setting any field of the default "+
		`action "scale-up-business-hours" replaces it whole, so the action needs its recurrence again; the default is `+
		fmt.Sprintf(`{recurrence: %q, min: %d, desired: %d}`, d.Recurrence, *d.Min, d.Desired)+
		"; e.g. pulumi config set --path 'openwan:ec2.api.schedules.scale-up-business-hours.recurrence' '"+d.Recurrence+"'")

	raw["ec2"] = `{"api": {"image": "api:1", "schedules": {"my-action": {"desired": 6}}}, "worker": {"image": "w:1", "queue": {"dimensions": {"Queue": "q"}}}}`
	_, err = Parse(raw)
	assert.ErrorContains(t, err, `openwan:ec2.api.schedules.my-action.recurrence: "": `, "an action of its own has no default to show")
	assert.NotContains(t, err.Error(), "replaces it whole")
}

func TestParseDoesNotShareDefaultsBetweenCalls(t *testing.T) {
	raw := completeRaw()
	raw["ec2"] = `{"api": {"image": "api:1", "schedules": {"extra": {"recurrence": "0 12 * * *", "min": 2, "max": 10, "desired": 4}}}, "worker": {"image": "w:1", "queue": {"dimensions": {"Queue": "q"}}}}`
	cfg, err := Parse(raw)
	require.NoError(t, err)
	require.Contains(t, cfg.EC2.API.Schedules, "extra", "the added schedule is parsed, or the check below proves nothing")
	assert.NotContains(t, Defaults().EC2.API.Schedules, "extra", "Defaults() holds a schedule added by an earlier Parse")
}

// TestParseNamesTheKeyOfEachTypeMismatch: a value of the wrong JSON type is refused by its full
// key, with the type the key takes in the config reference's words and the value as written.
func TestParseNamesTheKeyOfEachTypeMismatch(t *testing.T) {
	tests := []struct {
		name, section, text, want string
	}{
		{"number for a string", "app", `{"redisAddress": 12345, "s3Bucket": "media"}`,
			"openwan:app.redisAddress: expected a string, got 12345"},
		{"string for an integer", "api", `{"image": "api:1", "replicas": {"max": "30"}}`,
			`openwan:api.replicas.max: expected an integer, got "30"`},
		{"fraction for an integer", "api", `{"image": "api:1", "replicas": {"max": 1.5}}`,
			"openwan:api.replicas.max: expected an integer, got 1.5"},
		{"string for a boolean", "cluster", `{"publicAccessCidrs": ["203.0.113.0/24"], "keda": {"enabled": "yes"}}`,
			`openwan:cluster.keda.enabled: expected a boolean, got "yes"`},
		{"string for a number", "alerts", `{"errorRatePercent": "1"}`,
			`openwan:alerts.errorRatePercent: expected a number, got "1"`},
		{"object for a list", "alerts", `{"emails": {"oncall": "oncall@example.com"}}`,
			"openwan:alerts.emails: expected a list, got an object"},
		{"in a list item", "ec2", `{"api": {"image": "api:1", "requests": {"steps": [{"breachPercent": 0, "addPercent": 10}, {"breachPercent": 10, "addPercent": true}]}}, "worker": {"image": "w:1", "queue": {"dimensions": {"Queue": "q"}}}}`,
			"openwan:ec2.api.requests.steps[1].addPercent: expected an integer, got true"},
		{"in a map entry", "ec2", `{"api": {"image": "api:1", "schedules": {"extra": {"recurrence": "0 12 * * *", "max": "ten", "desired": 4}}}, "worker": {"image": "w:1", "queue": {"dimensions": {"Queue": "q"}}}}`,
			`openwan:ec2.api.schedules.extra.max: expected an integer, got "ten"`},
		{"in a map of strings", "ec2", `{"api": {"image": "api:1"}, "worker": {"image": "w:1", "queue": {"dimensions": {"Queue": 7}}}}`,
			"openwan:ec2.worker.queue.dimensions.Queue: expected a string, got 7"},
		{"a section that is no object", "capacity", `2000`,
			"openwan:capacity: expected an object, got 2000"},
		{"a syntax error names the section", "api", `{"image": "api:1",}`,
			`openwan:api: not valid JSON at byte 19: invalid character '}' looking for beginning of object key string`},
		{"text after the object", "api", `{"image": "api:1"} {}`,
			"openwan:api: not valid JSON: more after the value, at byte 20"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := completeRaw()
			raw[tt.section] = tt.text
			_, err := Parse(raw)
			assert.EqualError(t, err, tt.want, "Parse() refuses the one mistake by its full key")
		})
	}
}

func TestParseReportsEveryTypeMismatchAtOnce(t *testing.T) {
	raw := completeRaw()
	raw["app"] = `{"redisAddress": 6379, "s3Bucket": ["media"]}`
	raw["api"] = `{"image": "api:1", "port": "8080", "replicaz": 3}`
	_, err := Parse(raw)
	require.Error(t, err)
	assert.Equal(t, []string{
		"openwan:app.redisAddress: expected a string, got 6379",
		"openwan:app.s3Bucket: expected a string, got a list",
		`openwan:api.port: expected an integer, got "8080"`,
		"openwan:api.replicaz: unknown field (known: concurrency, dbPoolSize, image, livenessPath, port, preStopSleepSeconds, " +
			"queueScaling, readinessPath, replicas, resources, scaleDown, scaleUp, targets, terminationGracePeriodSeconds)",
	}, strings.Split(err.Error(), "\n"), "every mistake, by section in the order of the config and by key within one")
}

func TestParseAcceptsNullAndFieldNamesInAnyCase(t *testing.T) {
	raw := completeRaw()
	// encoding/json matches field names ignoring case, and null keeps the default: the shape
	// check agrees with it, so it refuses nothing the decoder takes.
	raw["api"] = `{"Image": "api:2", "port": null}`
	cfg, err := Parse(raw)
	require.NoError(t, err)
	assert.Equal(t, "api:2", cfg.API.Image, "openwan:api.Image sets the image")
	assert.Equal(t, Defaults().API.Port, cfg.API.Port, "a null port keeps the default")
}

// TestCheckKeys: the one check of a stack's key names, which the program, synth and Parse share.
func TestCheckKeys(t *testing.T) {
	known := "(known sections: network, cluster, app, api, worker, ec2, alerts, capacity)"
	assert.NoError(t, CheckKeys([]string{"aws:region", "openwan:api", "openwan:ec2", "openwan-policy:min-capacity", "kubernetes:context"}),
		"every section of the namespace, and any key of another namespace, is accepted")
	err := CheckKeys([]string{"openwan:wroker", "aws:region", "openwan:api.replicas.max", "openwan:api"})
	assert.EqualError(t, err, "openwan:api.replicas.max: unknown config key "+known+"; a field of openwan:api is set with pulumi config set --path\n"+
		"openwan:wroker: unknown config key "+known, "each unknown key of the namespace, sorted, with the known sections")
	assert.NoError(t, CheckKeys(nil), "a stack without config")
}
