package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Cron is a parsed five-field cron expression in the dialect EC2 Auto Scaling scheduled actions
// accept: minute, hour, day of month, month, day of week, each a "*", a number, a range "a-b", a
// step "*/n" or "a-b/n", or a comma-separated list of them; months and weekdays also by name
// (JAN..DEC, SUN..SAT, 0 and 7 both Sunday).
type Cron struct {
	minute, hour, dayOfMonth, month, dayOfWeek uint64 // bit i set: value i matches
	anyDayOfMonth, anyDayOfWeek                bool
}

type cronField struct {
	name     string
	min, max int
	names    []string // names[i] stands for min+i
}

var cronFields = [5]cronField{
	{name: "minute", min: 0, max: 59},
	{name: "hour", min: 0, max: 23},
	{name: "day of month", min: 1, max: 31},
	{name: "month", min: 1, max: 12, names: []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
	{name: "day of week", min: 0, max: 7, names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}},
}

// ParseCron parses a five-field cron expression, or says which field is wrong and why.
func ParseCron(expr string) (Cron, error) {
	fields := strings.Fields(expr)
	if len(fields) != 5 {
		return Cron{}, fmt.Errorf("want 5 fields (minute hour day-of-month month day-of-week), got %d", len(fields))
	}
	var bits [5]uint64
	for i, f := range fields {
		b, err := cronFields[i].parse(f)
		if err != nil {
			return Cron{}, fmt.Errorf("%s field %q: %w", cronFields[i].name, f, err)
		}
		bits[i] = b
	}
	// Sunday is both 0 and 7.
	if bits[4]&(1<<7) != 0 {
		bits[4] |= 1
	}
	return Cron{
		minute: bits[0], hour: bits[1], dayOfMonth: bits[2], month: bits[3], dayOfWeek: bits[4] &^ (1 << 7),
		anyDayOfMonth: fields[2] == "*", anyDayOfWeek: fields[4] == "*",
	}, nil
}

func (f cronField) parse(s string) (uint64, error) {
	var bits uint64
	for _, part := range strings.Split(s, ",") {
		lo, hi, step := f.min, f.max, 1
		rng := part
		if i := strings.IndexByte(part, '/'); i >= 0 {
			n, err := strconv.Atoi(part[i+1:])
			if err != nil || n < 1 {
				return 0, fmt.Errorf("step %q is not a positive number", part[i+1:])
			}
			step, rng = n, part[:i]
		}
		if rng != "*" {
			a, b, isRange := strings.Cut(rng, "-")
			var err error
			if lo, err = f.value(a); err != nil {
				return 0, err
			}
			hi = lo
			if isRange {
				if hi, err = f.value(b); err != nil {
					return 0, err
				}
				if hi < lo {
					return 0, fmt.Errorf("range %q runs backwards", rng)
				}
			} else if step > 1 {
				hi = f.max
			}
		}
		for v := lo; v <= hi; v += step {
			bits |= 1 << v
		}
	}
	return bits, nil
}

func (f cronField) value(s string) (int, error) {
	for i, n := range f.names {
		if strings.EqualFold(s, n) {
			return f.min + i, nil
		}
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if v < f.min || v > f.max {
		return 0, fmt.Errorf("%d is outside [%d, %d]", v, f.min, f.max)
	}
	return v, nil
}

// Matches reports whether the expression fires in the minute that holds t, read in t's location.
// As in cron, when both day fields are restricted either one matching is enough.
func (c Cron) Matches(t time.Time) bool {
	if c.minute&(1<<t.Minute()) == 0 || c.hour&(1<<t.Hour()) == 0 || c.month&(1<<int(t.Month())) == 0 {
		return false
	}
	dom := c.dayOfMonth&(1<<t.Day()) != 0
	dow := c.dayOfWeek&(1<<int(t.Weekday())) != 0
	switch {
	case c.anyDayOfMonth && c.anyDayOfWeek:
		return true
	case c.anyDayOfMonth:
		return dow
	case c.anyDayOfWeek:
		return dom
	default:
		return dom || dow
	}
}
