package config

import (
	"fmt"
	"strings"
)

// problems collects every validation error of a config, each naming its full key.
type problems struct{ errs []error }

func (p *problems) addf(key, format string, args ...any) {
	p.errs = append(p.errs, fmt.Errorf("%s:%s: %s", Namespace, key, fmt.Sprintf(format, args...)))
}

func (p *problems) required(key, value string) {
	if strings.TrimSpace(value) == "" {
		p.addf(key, "must not be empty")
	}
}

func (p *problems) between(key string, value, lo, hi int) {
	if value < lo || value > hi {
		p.addf(key, "%d is outside [%d, %d]", value, lo, hi)
	}
}

func (p *problems) atLeast(key string, value, lo int) {
	if value < lo {
		p.addf(key, "%d is below the minimum %d", value, lo)
	}
}

func (p *problems) percent(key string, value int) {
	if value <= 0 || value > 100 {
		p.addf(key, "%d is outside (0, 100]", value)
	}
}

// bounds checks lo <= Min <= Max <= hi for a replica or instance range.
func (p *problems) bounds(key string, r Range, lo, hi int) {
	p.between(key+".min", r.Min, lo, hi)
	p.between(key+".max", r.Max, lo, hi)
	if r.Max < r.Min {
		p.addf(key+".max", "%d is below min %d", r.Max, r.Min)
	}
}

// within checks that a desired count lies in [r.Min, r.Max].
func (p *problems) within(key string, desired int, r Range) {
	if desired < r.Min || desired > r.Max {
		p.addf(key, "%d is outside [min %d, max %d]", desired, r.Min, r.Max)
	}
}
