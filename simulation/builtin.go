package simulation

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// GuidePeakRequestsPerMinute is the peak the guide's scenarios are written at
// (requests/minute): its load test's 1000 users. Every request rate of a built-in trace is a
// share of it, replayed as that share of the stack's own peak
// (openwan:capacity.api.peakRequestsPerMinute): a stack sized for 1000 meets a spike to 1000, not
// to prod's 2500.
const GuidePeakRequestsPerMinute = 2500

// monday is the Monday 00:00 UTC the built-in traces start on.
var monday = time.Date(2026, time.November, 30, 0, 0, 0, 0, time.UTC)

// perMinute builds a trace from a function of the minute: requests and jobs per minute.
func perMinute(name string, minutes int, f func(minute int) (rpm, jobs float64)) Trace {
	t := Trace{Name: name, Start: monday, Points: make([]Point, minutes)}
	for m := range minutes {
		rpm, jobs := f(m)
		t.Points[m] = Point{At: time.Duration(m) * time.Minute, RequestsPerMinute: rpm, JobsPerMinute: jobs}
	}
	return t
}

// Jobs per minute of the built-in traces at the guide's peak. The prod workers' minimum (2 pods,
// one job each, of the default 5 minutes) finishes 0.4 a minute: nights and weekends stay under
// it, business hours need about five workers busy. Uploads come from the same users as the
// requests, so they are scaled with them: a stack sized for 1000 requests a minute meets 0.4 of
// these.
const (
	quietJobsPerMinute    = 0.2
	weekendJobsPerMinute  = 0.3
	businessJobsPerMinute = 1.0
)

// BurstJobs is the queue-burst trace's batch: jobs queued within one minute (a day's archive
// ingested at once).
const BurstJobs = 1000

// builtin is one of the guide's scenarios: what it is, and its points with every request rate
// written at the guide's peak and multiplied by scale, the stack's peak over the guide's (so
// that prod's 2500 replays the guide's figures exactly).
type builtin struct {
	shape string
	build func(scale float64) Trace
}

// builtins are the guide's scenarios by name.
var builtins = map[string]builtin{
	// The guide's load test: 1000 concurrent users, 2500 requests/minute, after a 10-minute
	// ramp from 250, held for an hour; uploads at the business-hours rate.
	"load-test": {"the guide's load test: 10 % of the peak for 10 minutes, a 10-minute ramp to the peak, " +
		"held for an hour; 1 job a minute", func(scale float64) Trace {
		return perMinute("load-test", 90, func(m int) (float64, float64) {
			switch {
			case m < 10:
				return scale * 250, businessJobsPerMinute
			case m < 20:
				return scale * (250 + 2250*float64(m-10)/10), businessJobsPerMinute
			}
			return scale * 2500, businessJobsPerMinute
		})
	}},
	// A business week: nights at 300 requests/minute, the 8:00 ramp to 2500 by 10:00 on
	// weekdays, a lunch dip, the evening decline to the night trough at 22:00; weekends at 600.
	// Jobs follow uploads: the business-hours rate from 8:00 to 18:00 on weekdays.
	"business-week": {"a business week: nights at 12 % of the peak, the 8:00 ramp to the peak by 10:00 on weekdays, " +
		"a lunch dip to 76 %, the evening decline to 12 % by 22:00, weekends at 24 to 32 %; 1 job a minute " +
		"from 8:00 to 18:00 on weekdays, 0.2 at night, 0.3 at weekends", func(scale float64) Trace {
		return perMinute("business-week", 7*24*60, func(m int) (float64, float64) {
			day, minute := m/(24*60), m%(24*60)
			hour := float64(minute) / 60
			if day >= 5 {
				return scale * (600 + 200*math.Sin(math.Pi*math.Max(0, math.Min(1, (hour-9)/12)))), weekendJobsPerMinute
			}
			switch {
			case hour < 7.5 || hour >= 22:
				return scale * 300, quietJobsPerMinute
			case hour < 8:
				return scale * (300 + 400*(hour-7.5)/0.5), quietJobsPerMinute
			case hour < 10:
				return scale * (700 + 1800*(hour-8)/2), businessJobsPerMinute
			case hour >= 12 && hour < 13:
				return scale * 1900, businessJobsPerMinute
			case hour < 18:
				return scale * 2500, businessJobsPerMinute
			}
			return scale * (2500 - 2200*(hour-18)/4), quietJobsPerMinute
		})
	}},
	// A 5x spike: 500 requests/minute jump to 2500 within one minute, held for 40 minutes;
	// uploads jump five-fold with them.
	"spike": {"a 5x spike: 20 % of the peak jumps to the peak within one minute, held for 40 minutes; " +
		"jobs jump five-fold with it, 0.2 to 1 a minute", func(scale float64) Trace {
		return perMinute("spike", 90, func(m int) (float64, float64) {
			if m >= 15 && m < 55 {
				return scale * 2500, 5 * quietJobsPerMinute
			}
			return scale * 500, quietJobsPerMinute
		})
	}},
	// A noisy flat load: 1400 requests/minute and the business-hours uploads, each +-20 % every
	// 15 s (deterministic noise), for four hours: the flapping check.
	"noisy": {"a noisy flat load for four hours: 56 % of the peak and 1 job a minute, each +-20 % every 15 s " +
		"(the flapping check)", func(scale float64) Trace {
		r := rand.New(rand.NewPCG(1, 2))
		t := Trace{Name: "noisy", Start: monday}
		for s := 0; s < 4*3600; s += 15 {
			t.Points = append(t.Points, Point{At: time.Duration(s) * time.Second,
				RequestsPerMinute: scale * 1400 * (0.8 + 0.4*r.Float64()), JobsPerMinute: businessJobsPerMinute * (0.8 + 0.4*r.Float64())})
		}
		return t
	}},
	// A queue burst: BurstJobs queued in the tenth minute over the quiet rate, then twelve hours
	// for the workers to drain them.
	"queue-burst": {fmt.Sprintf("a queue burst: %d jobs in the tenth minute over 0.2 a minute, then twelve hours to drain "+
		"them; requests at 32 %% of the peak", BurstJobs), func(scale float64) Trace {
		return perMinute("queue-burst", 12*60, func(m int) (float64, float64) {
			if m == 10 {
				return scale * 800, BurstJobs + quietJobsPerMinute
			}
			return scale * 800, quietJobsPerMinute
		})
	}},
}

// Builtin returns the built-in trace of that name, freshly built with its request and job rates
// scaled to peakRequestsPerMinute (requests/minute, > 0: the stack's
// openwan:capacity.api.peakRequestsPerMinute), and whether there is one.
func Builtin(name string, peakRequestsPerMinute float64) (Trace, bool) {
	b, ok := builtins[name]
	if !ok || !(peakRequestsPerMinute > 0) {
		return Trace{}, false
	}
	scale := peakRequestsPerMinute / GuidePeakRequestsPerMinute
	t := b.build(scale)
	for i := range t.Points {
		t.Points[i].JobsPerMinute *= scale
	}
	t.PeakRequestsPerMinute = peakRequestsPerMinute
	t.Description = fmt.Sprintf("%s. Peak: %s requests/minute (openwan:capacity.api.peakRequestsPerMinute); jobs as written at %d, times %s",
		b.shape, formatRate(peakRequestsPerMinute), GuidePeakRequestsPerMinute, formatRate(scale))
	return t, true
}

func formatRate(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%g", v)
}

// BuiltinNames lists the built-in traces.
func BuiltinNames() []string {
	return slices.Sorted(maps.Keys(builtins))
}
