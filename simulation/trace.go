package simulation

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
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
	// Description says what the trace is; a built-in's names the peak it was scaled to.
	Description string
	// PeakRequestsPerMinute is the peak a built-in trace was scaled to (requests/minute); 0 for
	// a trace read from a file, whose rates are as recorded.
	PeakRequestsPerMinute float64
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
