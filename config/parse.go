package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Sections returns the config keys of the `openwan` namespace, each one JSON object, in the
// order they are decoded and documented.
func Sections() []string {
	return []string{"network", "cluster", "app", "api", "worker", "ec2", "alerts", "capacity"}
}

// CheckKeys refuses each key of the `openwan` namespace that names no section, among keys, full
// config keys as a stack holds them ("openwan:api", "aws:region"; other namespaces belong to
// the providers and the policy pack). It is the one check of a stack's key names: the program
// runs it on every key of its stack (stacks.Load), Parse on the sections it is given.
func CheckKeys(keys []string) error {
	var errs []error
	for _, key := range slices.Sorted(slices.Values(keys)) {
		if namespace, _, _ := strings.Cut(key, ":"); !slices.Contains(Namespaces(), namespace) {
			// A misspelt namespace ("openwn:alerts") is read by no one: its values would
			// silently not apply.
			errs = append(errs, fmt.Errorf("%s: unknown config namespace %q (known: %s); is it a misspelling of %s?",
				key, namespace, strings.Join(Namespaces(), ", "), Namespace))
			continue
		}
		name, ours := strings.CutPrefix(key, Namespace+":")
		if !ours || slices.Contains(Sections(), name) {
			continue
		}
		err := fmt.Errorf("%s: unknown config key (known sections: %s)", key, strings.Join(Sections(), ", "))
		if section, _, dotted := strings.Cut(name, "."); dotted && slices.Contains(Sections(), section) {
			// `pulumi config set openwan:api.replicas.max 30` without --path sets a key so named.
			err = fmt.Errorf("%w; a field of %s:%s is set with pulumi config set --path", err, Namespace, section)
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Namespaces are the config namespaces a stack may hold: the program's, its policy pack's
// (openwan-policy:<rule>), and the providers' and engine's.
func Namespaces() []string {
	return []string{Namespace, "openwan-policy", "aws", "kubernetes", "pulumi"}
}

// CheckRegion refuses an AWS provider region (aws:region; "" when the stack sets none) other
// than openwan:app.region on a stack that creates AWS resources: the provider would create them
// in one region while the app, its endpoints and its cost figures assume another.
func CheckRegion(c Config, awsRegion string) error {
	if !c.Cluster.EKS() && !c.EC2.Enabled {
		return nil // nothing of AWS to create
	}
	switch awsRegion {
	case c.App.Region:
		return nil
	case "":
		return fmt.Errorf("aws:region: must be set to openwan:app.region %q: pulumi config set aws:region %s", c.App.Region, c.App.Region)
	}
	return fmt.Errorf("aws:region: %q differs from openwan:app.region %q: set both to the region the stack runs in", awsRegion, c.App.Region)
}

// Parse decodes the raw JSON of each present section (keyed by section name, e.g. "api") over
// Defaults(), strictly: a value of the wrong type, an unknown field or an unknown section is an
// error, so a typo never silently keeps a default. Then it fills the values that follow others
// and validates the whole. Every problem is reported at once, by its full key.
func Parse(raw map[string]string) (Config, error) {
	cfg, err := Effective(raw)
	if err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// Effective is Parse that also returns the config when it is refused: the defaults with every
// value that decoded over them (a value of the wrong type keeps its default), the followed values
// filled, with all the problems. It is what a person fixing a stack needs to see next to them
// (synth --show-config); nothing may deploy from a config returned with an error.
func Effective(raw map[string]string) (Config, error) {
	cfg := Defaults()
	targets := map[string]any{
		"network": &cfg.Network, "cluster": &cfg.Cluster, "app": &cfg.App, "api": &cfg.API,
		"worker": &cfg.Worker, "ec2": &cfg.EC2, "alerts": &cfg.Alerts, "capacity": &cfg.Capacity,
	}
	var errs []error
	for _, section := range Sections() {
		if text, ok := raw[section]; ok {
			errs = append(errs, decode(section, text, targets[section]))
		}
	}
	var keys []string
	for name := range raw {
		keys = append(keys, Namespace+":"+name)
	}
	errs = append(errs, CheckKeys(keys))
	dropNullSchedules(cfg.EC2.API.Schedules)
	dropNullSchedules(cfg.EC2.Worker.Schedules)
	cfg.follow()
	if err := errors.Join(errs...); err != nil {
		// A section that did not decode holds its defaults: validating them would report
		// problems the stack does not have.
		return cfg, err
	}
	return cfg, cfg.Validate()
}

// dropNullSchedules removes the actions a stack set to null or enabled: false, its ways to drop
// a default action.
func dropNullSchedules(m map[string]*ScheduledAction) {
	for name, a := range m {
		if a == nil || (a.Enabled != nil && !*a.Enabled) {
			delete(m, name)
		}
	}
}

// follow fills the values that default to another key rather than to a number of their own, so
// a stack states each value once: the cluster's add-ons and autoscaler follow its Kubernetes
// version through the release table, the EC2 fleets run the services' images (the API fleet on
// the API's port, checked on its readiness path), and a scheduled action's bounds are its
// group's size, unless a stack says otherwise. After it every action has its Min and Max.
func (c *Config) follow() {
	c.Cluster.followRelease()
	if c.EC2.API.Image == "" {
		c.EC2.API.Image = c.API.Image
	}
	if c.EC2.Worker.Image == "" {
		c.EC2.Worker.Image = c.Worker.Image
	}
	if c.EC2.API.Port == 0 {
		c.EC2.API.Port = c.API.Port
	}
	if c.EC2.API.HealthPath == "" {
		c.EC2.API.HealthPath = c.API.ReadinessPath
	}
	for _, f := range []*Fleet{&c.EC2.API.Fleet, &c.EC2.Worker.Fleet} {
		for _, a := range f.Schedules {
			b := a.Bounds(f.Size)
			a.Min, a.Max = &b.Min, &b.Max
		}
	}
}
