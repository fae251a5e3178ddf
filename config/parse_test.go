package config

import (
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
	assert.ErrorContains(t, err, `openwan:api: json: unknown field "maximum"`, "a misspelt field never silently keeps a default")
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

func TestParseDoesNotShareDefaultsBetweenCalls(t *testing.T) {
	raw := completeRaw()
	raw["ec2"] = `{"api": {"image": "api:1", "schedules": {"extra": {"recurrence": "0 12 * * *", "min": 2, "max": 10, "desired": 4}}}, "worker": {"image": "w:1", "queue": {"dimensions": {"Queue": "q"}}}}`
	cfg, err := Parse(raw)
	require.NoError(t, err)
	require.Contains(t, cfg.EC2.API.Schedules, "extra", "the added schedule is parsed, or the check below proves nothing")
	assert.NotContains(t, Defaults().EC2.API.Schedules, "extra", "Defaults() holds a schedule added by an earlier Parse")
}
