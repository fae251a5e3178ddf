package config

import (
	"strings"
	"testing"
)

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
	if err != nil {
		t.Fatalf("Parse() error = %v", err)
	}
	if cfg.API.Replicas != (Range{Min: 2, Max: 30}) {
		t.Errorf("Parse().API.Replicas = %+v, want {Min:2 Max:30} (min kept from defaults)", cfg.API.Replicas)
	}
	if cfg.API.Targets.CPUPercent != 70 {
		t.Errorf("Parse().API.Targets.CPUPercent = %d, want the default 70", cfg.API.Targets.CPUPercent)
	}
}

func TestParseRejectsUnknownFieldsAndKeys(t *testing.T) {
	raw := completeRaw()
	raw["api"] = `{"image": "api:1", "replicas": {"maximum": 30}}`
	raw["apii"] = `{}`
	_, err := Parse(raw)
	if err == nil {
		t.Fatal("Parse() with a misspelt field = nil error, want one")
	}
	for _, want := range []string{`openwan:api: json: unknown field "maximum"`, "openwan:apii: unknown config key"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Parse() error = %q, want it to contain %q", err, want)
		}
	}
}

func TestParseDropsSchedulesSetToNull(t *testing.T) {
	raw := completeRaw()
	raw["ec2"] = `{"api": {"image": "api:1", "schedules": {"scale-down-night": null}}, "worker": {"image": "w:1", "queue": {"dimensions": {"Queue": "q"}}}}`
	cfg, err := Parse(raw)
	if err != nil {
		t.Fatalf("Parse() error = %v", err)
	}
	if _, kept := cfg.EC2.API.Schedules["scale-down-night"]; kept {
		t.Error("Parse() kept scale-down-night, want it dropped by null")
	}
	if _, kept := cfg.EC2.API.Schedules["scale-up-business-hours"]; !kept {
		t.Error("Parse() dropped scale-up-business-hours, want it kept")
	}
}

func TestParseDoesNotShareDefaultsBetweenCalls(t *testing.T) {
	raw := completeRaw()
	raw["ec2"] = `{"api": {"image": "api:1", "schedules": {"extra": {"recurrence": "0 12 * * *", "min": 2, "max": 10, "desired": 4}}}, "worker": {"image": "w:1", "queue": {"dimensions": {"Queue": "q"}}}}`
	if _, err := Parse(raw); err != nil {
		t.Fatalf("Parse() error = %v", err)
	}
	if _, leaked := Defaults().EC2.API.Schedules["extra"]; leaked {
		t.Error("Defaults() holds a schedule added by an earlier Parse")
	}
}
