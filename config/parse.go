package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Sections returns the config keys of the `openwan` namespace, each one JSON object, in the
// order they are decoded and documented.
func Sections() []string {
	return []string{"network", "cluster", "app", "api", "worker", "ec2", "alerts", "capacity"}
}

// Parse decodes the raw JSON of each present section (keyed by section name, e.g. "api") over
// Defaults(), strictly: an unknown field is an error, so a typo never silently keeps a default.
// Then it validates the whole. Every problem is reported at once.
func Parse(raw map[string]string) (Config, error) {
	cfg := Defaults()
	targets := map[string]any{
		"network": &cfg.Network, "cluster": &cfg.Cluster, "app": &cfg.App, "api": &cfg.API,
		"worker": &cfg.Worker, "ec2": &cfg.EC2, "alerts": &cfg.Alerts, "capacity": &cfg.Capacity,
	}
	var errs []error
	for _, section := range Sections() {
		text, ok := raw[section]
		if !ok {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader([]byte(text)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(targets[section]); err != nil {
			errs = append(errs, fmt.Errorf("%s:%s: %w", Namespace, section, err))
		}
	}
	for key := range raw {
		if _, known := targets[key]; !known {
			errs = append(errs, fmt.Errorf("%s:%s: unknown config key (known: %v)", Namespace, key, Sections()))
		}
	}
	if len(errs) > 0 {
		return Config{}, errors.Join(errs...)
	}
	dropNullSchedules(cfg.EC2.API.Schedules)
	dropNullSchedules(cfg.EC2.Worker.Schedules)
	cfg.follow()
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// dropNullSchedules removes the actions a stack set to null, its way to drop a default action.
func dropNullSchedules(m map[string]*ScheduledAction) {
	for name, a := range m {
		if a == nil {
			delete(m, name)
		}
	}
}

// follow fills the values that default to another key rather than to a number of their own, so
// a stack states each value once: the EC2 fleets run the services' images unless a stack says
// otherwise.
func (c *Config) follow() {
	if c.EC2.API.Image == "" {
		c.EC2.API.Image = c.API.Image
	}
	if c.EC2.Worker.Image == "" {
		c.EC2.Worker.Image = c.Worker.Image
	}
}
