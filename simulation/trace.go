package simulation

import (
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Point is the load at one moment: the API's requests per minute and the transcoding jobs'
// arrivals per minute (or, in a trace of measured data, the queue's depth).
type Point struct {
	// At is the offset from the trace's start.
	At time.Duration
	// RequestsPerMinute is the load on the API.
	RequestsPerMinute float64
	// JobsPerMinute is the rate transcoding jobs are queued at (jobs/minute); the simulator
	// queues and runs them. Unused when the trace's MeasuredDepth is set.
	JobsPerMinute float64
	// QueueDepth is the number of transcoding jobs waiting, measured; only read when the trace's
	// MeasuredDepth is set.
	QueueDepth float64
}

// Trace is a load over time: each point holds until the next one.
type Trace struct {
	// Name identifies the trace in summaries and file names.
	Name string
	// Start is the wall-clock time of the first point, which scheduled actions are matched
	// against. A Monday 00:00 UTC unless the trace says otherwise.
	Start time.Time
	// Points are in time order, the first at 0.
	Points []Point
	// MeasuredDepth says the points give the queue's depth, as measured, instead of the jobs'
	// arrivals: the worker fleets read it as it is, and no job is queued or drained.
	MeasuredDepth bool
}

// Duration is the offset of the last point plus one minute.
func (t Trace) Duration() time.Duration {
	if len(t.Points) == 0 {
		return 0
	}
	return t.Points[len(t.Points)-1].At + time.Minute
}

// cursor walks a trace forward in time without searching it again at every step.
type cursor struct {
	points []Point
	i      int
}

func (c *cursor) at(d time.Duration) Point {
	for c.i+1 < len(c.points) && c.points[c.i+1].At <= d {
		c.i++
	}
	return c.points[c.i]
}

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

// Jobs per minute of the built-in traces. The prod workers' minimum (2 pods, one job each, of
// the default 5 minutes) finishes 0.4 a minute: nights and weekends stay under it, business
// hours need about five workers busy.
const (
	quietJobsPerMinute    = 0.2
	weekendJobsPerMinute  = 0.3
	businessJobsPerMinute = 1.0
)

// BurstJobs is the queue-burst trace's batch: jobs queued within one minute (a day's archive
// ingested at once).
const BurstJobs = 1000

// builtins are the guide's scenarios by name.
var builtins = map[string]func() Trace{
	// The guide's load test: 1000 concurrent users, 2500 requests/minute, after a 10-minute
	// ramp from 250, held for an hour; uploads at the business-hours rate.
	"load-test": func() Trace {
		return perMinute("load-test", 90, func(m int) (float64, float64) {
			switch {
			case m < 10:
				return 250, businessJobsPerMinute
			case m < 20:
				return 250 + 2250*float64(m-10)/10, businessJobsPerMinute
			}
			return 2500, businessJobsPerMinute
		})
	},
	// A business week: nights at 300 requests/minute, the 8:00 ramp to 2500 by 10:00 on
	// weekdays, a lunch dip, the evening decline to the night trough at 22:00; weekends at 600.
	// Jobs follow uploads: the business-hours rate from 8:00 to 18:00 on weekdays.
	"business-week": func() Trace {
		return perMinute("business-week", 7*24*60, func(m int) (float64, float64) {
			day, minute := m/(24*60), m%(24*60)
			hour := float64(minute) / 60
			if day >= 5 {
				return 600 + 200*math.Sin(math.Pi*math.Max(0, math.Min(1, (hour-9)/12))), weekendJobsPerMinute
			}
			switch {
			case hour < 7.5 || hour >= 22:
				return 300, quietJobsPerMinute
			case hour < 8:
				return 300 + 400*(hour-7.5)/0.5, quietJobsPerMinute
			case hour < 10:
				return 700 + 1800*(hour-8)/2, businessJobsPerMinute
			case hour >= 12 && hour < 13:
				return 1900, businessJobsPerMinute
			case hour < 18:
				return 2500, businessJobsPerMinute
			}
			return 2500 - 2200*(hour-18)/4, quietJobsPerMinute
		})
	},
	// A 5x spike: 500 requests/minute jump to 2500 within one minute, held for 40 minutes;
	// uploads jump five-fold with them.
	"spike": func() Trace {
		return perMinute("spike", 90, func(m int) (float64, float64) {
			if m >= 15 && m < 55 {
				return 2500, 5 * quietJobsPerMinute
			}
			return 500, quietJobsPerMinute
		})
	},
	// A noisy flat load: 1400 requests/minute and the business-hours uploads, each +-20 % every
	// 15 s (deterministic noise), for four hours: the flapping check.
	"noisy": func() Trace {
		r := rand.New(rand.NewPCG(1, 2))
		t := Trace{Name: "noisy", Start: monday}
		for s := 0; s < 4*3600; s += 15 {
			t.Points = append(t.Points, Point{At: time.Duration(s) * time.Second,
				RequestsPerMinute: 1400 * (0.8 + 0.4*r.Float64()), JobsPerMinute: businessJobsPerMinute * (0.8 + 0.4*r.Float64())})
		}
		return t
	},
	// A queue burst: BurstJobs queued in the tenth minute over the quiet rate, then twelve hours
	// for the workers to drain them.
	"queue-burst": func() Trace {
		return perMinute("queue-burst", 12*60, func(m int) (float64, float64) {
			if m == 10 {
				return 800, BurstJobs + quietJobsPerMinute
			}
			return 800, quietJobsPerMinute
		})
	},
}

// Builtin returns the built-in trace of that name, freshly built, and whether there is one.
func Builtin(name string) (Trace, bool) {
	build, ok := builtins[name]
	if !ok {
		return Trace{}, false
	}
	return build(), true
}

// BuiltinNames lists the built-in traces.
func BuiltinNames() []string {
	return slices.Sorted(maps.Keys(builtins))
}

// CSV headers of a trace file: arrivals, or a measured queue depth.
var (
	csvHeader         = []string{"seconds", "requests_per_minute", "jobs_per_minute"}
	csvMeasuredHeader = []string{"seconds", "requests_per_minute", "queue_depth"}
)

// ReadCSV reads a trace: a header "seconds,requests_per_minute,jobs_per_minute" (or, for a
// measured queue, "seconds,requests_per_minute,queue_depth"), then one row per point, seconds
// from the start in increasing order (the third column may be left empty: zero).
func ReadCSV(name string, r io.Reader) (Trace, error) {
	want := strings.Join(csvHeader, ",") + `" or "` + strings.Join(csvMeasuredHeader, ",")
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return Trace{}, fmt.Errorf("trace %s: %w", name, err)
	}
	if len(rows) == 0 {
		return Trace{}, fmt.Errorf("trace %s: empty; want the header \"%s\" and at least one row", name, want)
	}
	header := csvHeader
	t := Trace{Name: name, Start: monday}
	switch found := strings.Join(rows[0], ","); found {
	case strings.Join(csvHeader, ","):
	case strings.Join(csvMeasuredHeader, ","):
		header, t.MeasuredDepth = csvMeasuredHeader, true
	default:
		return Trace{}, fmt.Errorf("trace %s: the header is %q; want \"%s\"", name, found, want)
	}
	if len(rows) < 2 {
		return Trace{}, fmt.Errorf("trace %s: a header and no row; want at least one row", name)
	}
	for i, row := range rows[1:] {
		line := i + 2
		if len(row) != 3 {
			return Trace{}, fmt.Errorf("trace %s line %d: want 3 fields, got %d", name, line, len(row))
		}
		var vals [3]float64
		for j, field := range row {
			if j == 2 && strings.TrimSpace(field) == "" {
				continue
			}
			v, err := strconv.ParseFloat(strings.TrimSpace(field), 64)
			if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
				return Trace{}, fmt.Errorf("trace %s line %d: %s %q is not a number >= 0", name, line, header[j], field)
			}
			vals[j] = v
		}
		at := time.Duration(vals[0] * float64(time.Second))
		if i == 0 && at != 0 {
			return Trace{}, fmt.Errorf("trace %s line %d: the first row must be at 0 seconds", name, line)
		}
		if i > 0 && at <= t.Points[i-1].At {
			return Trace{}, fmt.Errorf("trace %s line %d: %v s is not after the previous row", name, line, vals[0])
		}
		p := Point{At: at, RequestsPerMinute: vals[1], JobsPerMinute: vals[2]}
		if t.MeasuredDepth {
			p.JobsPerMinute, p.QueueDepth = 0, vals[2]
		}
		t.Points = append(t.Points, p)
	}
	return t, nil
}

// WriteCSV writes a trace in the format ReadCSV reads.
func WriteCSV(w io.Writer, t Trace) error {
	cw := csv.NewWriter(w)
	header := csvHeader
	if t.MeasuredDepth {
		header = csvMeasuredHeader
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, p := range t.Points {
		third := p.JobsPerMinute
		if t.MeasuredDepth {
			third = p.QueueDepth
		}
		if err := cw.Write([]string{
			strconv.FormatFloat(p.At.Seconds(), 'f', -1, 64),
			strconv.FormatFloat(p.RequestsPerMinute, 'f', -1, 64),
			strconv.FormatFloat(third, 'f', -1, 64),
		}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
