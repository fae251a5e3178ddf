package config

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Cron is a parsed five-field cron expression in the dialect EC2 Auto Scaling scheduled actions
// accept, traditional Unix cron: minute, hour, day of month, month, day of week, each a "*", a
// number, a range "a-b", a step "*/n", "a-b/n" or "a/n" (a to the field's end), or a
// comma-separated list of them; months and weekdays also by name (JAN..DEC, SUN..SAT, 0 and 7
// both Sunday).
//
// github.com/robfig/cron/v3 parses it. Where robfig's dialect is wider than Unix cron's, ParseCron
// refuses what EC2 would (TestParseCronRejects shows each): "?" (robfig reads it as "*"), "*-n"
// (robfig ignores the "-n"), empty list items ("1,,2", robfig skips them) and a leading "TZ=zone"
// (robfig's time zone prefix; a schedule's zone is openwan:ec2.timeZone). Where it is narrower,
// ParseCron rewrites the field for robfig: a day of week 7 is Sunday (TestCronMatches, "0 0 1 * 7").
// L, W and # are Quartz's, not Unix cron's: refused by both as not a number.
//
// Two readings follow robfig where the hand-written parser this replaced differed (both in
// TestCronMatches): "a/1" runs from a to the field's end as "a/n" does for any n (it was a
// alone), and a day field whose list holds a "*" or "*/1" is unrestricted for the either-day
// rule of Matches (it was so only when the field was exactly "*").
type Cron struct {
	spec *cron.SpecSchedule
}

// cronBounds is one field of the expression: its name in errors and the values it takes.
type cronBounds struct {
	name     string
	min, max int
}

// cronFields are the five fields in order.
var cronFields = [5]cronBounds{
	{"minute", 0, 59},
	{"hour", 0, 23},
	{"day of month", 1, 31},
	{"month", 1, 12},
	{"day of week", 0, 7},
}

const (
	dayOfWeekField = 4
	// cronOptions are the five traditional fields, without robfig's seconds and descriptors
	// ("@daily"), which EC2 does not take.
	cronOptions = cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow
	// cronStar is robfig's mark on a day field that holds a "*" (its spec.go starBit):
	// TestMatchesAgreesWithRobfigNext checks Matches against robfig's own Next.
	cronStar = 1 << 63
)

// ParseCron parses a five-field cron expression, or says which field is wrong and why.
func ParseCron(expr string) (Cron, error) {
	fields := strings.Fields(expr)
	if len(fields) != 5 {
		return Cron{}, fmt.Errorf("want 5 fields (minute hour day-of-month month day-of-week), got %d", len(fields))
	}
	for i, f := range fields {
		parts, err := checkCronField(i, f)
		if err != nil {
			return Cron{}, fmt.Errorf("%s field %q: %w", cronFields[i].name, f, err)
		}
		fields[i] = strings.Join(parts, ",")
	}
	s, err := cron.NewParser(cronOptions).Parse(strings.Join(fields, " "))
	if err != nil {
		return Cron{}, err // not expected: checkCronField had robfig parse every part
	}
	return Cron{spec: s.(*cron.SpecSchedule)}, nil
}

// checkCronField checks field i part by part, and returns its parts as robfig is to read them.
// robfig parses each piece of a part alone (its step, its start, its end, its range), in that
// order, so that an error names the piece and says what is wrong with it.
func checkCronField(i int, field string) ([]string, error) {
	f := cronFields[i]
	var out []string
	for _, part := range strings.Split(field, ",") {
		rng, step, hasStep := strings.Cut(part, "/")
		lo, hi, isRange := strings.Cut(rng, "-")
		if hasStep && !robfigTakes(i, "*/"+step) {
			return nil, fmt.Errorf("step %q is not a positive number", step)
		}
		if (lo != "*" || isRange) && !robfigValue(i, lo) {
			return nil, f.badValue(lo)
		}
		if isRange {
			if !robfigValue(i, hi) {
				return nil, f.badValue(hi)
			}
			if !robfigTakes(i, rng) && !(i == dayOfWeekField && isSeven(hi)) {
				return nil, fmt.Errorf("range %q runs backwards", rng)
			}
		}
		if i == dayOfWeekField {
			out = append(out, sundayAsZero(part)...)
		} else {
			out = append(out, part)
		}
	}
	return out, nil
}

// badValue says why robfig refused a single value of the field.
func (f cronBounds) badValue(s string) error {
	v, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("%q is not a number", s)
	}
	return fmt.Errorf("%d is outside [%d, %d]", v, f.min, f.max)
}

// robfigValue reports whether s is one value of field i: a number or a name robfig takes, not
// "*" or robfig's "?" for it, nor a range. Refusing them here also refuses "*-n" (robfig reads
// it as "*"), and an empty part (robfig skips empty list items).
func robfigValue(i int, s string) bool {
	return s != "*" && s != "?" && !strings.Contains(s, "-") && robfigTakes(i, s)
}

// robfigTakes reports whether robfig parses text as field i of an expression whose other fields
// are "*". A minute field "TZ=zone" (robfig's time zone prefix) leaves robfig four fields: refused.
func robfigTakes(i int, text string) bool {
	fields := []string{"*", "*", "*", "*", "*"}
	fields[i] = text
	if i == dayOfWeekField && isSeven(text) {
		fields[i] = "0"
	}
	_, err := cron.NewParser(cronOptions).Parse(strings.Join(fields, " "))
	return err == nil
}

// sundayAsZero rewrites a checked day-of-week part for robfig, whose week ends at 6: a 7 (Sunday,
// as in Unix cron) becomes 0. "7" and "7/n" (7 to the end of the week) are Sunday; "a-7/n" and
// "a/n" are a-6/n, plus Sunday when the step lands on 7.
func sundayAsZero(part string) []string {
	rng, step, hasStep := strings.Cut(part, "/")
	lo, hi, isRange := strings.Cut(rng, "-")
	if hasStep && !isRange && lo != "*" {
		hi, isRange = "7", true
	}
	switch {
	case isSeven(lo) && (!isRange || isSeven(hi)):
		return []string{"0"}
	case !isRange || !isSeven(hi):
		return []string{part}
	}
	n := 1
	sixth := lo + "-6"
	if hasStep {
		n, _ = strconv.Atoi(step) // a positive number: checkCronField checked it
		sixth += "/" + step
	}
	if start, ok := weekday(lo); ok && (7-start)%n == 0 {
		return []string{sixth, "0"}
	}
	return []string{sixth}
}

// weekday is the value of a checked day-of-week name or number below 7, as robfig reads it.
func weekday(s string) (int, bool) {
	sched, err := cron.NewParser(cron.Dow).Parse(s)
	if err != nil {
		return 0, false
	}
	return bits.TrailingZeros64(sched.(*cron.SpecSchedule).Dow), true
}

func isSeven(s string) bool {
	v, err := strconv.Atoi(s)
	return err == nil && v == 7
}

// Matches reports whether the expression fires in the minute that holds t, read in t's location.
// As in cron, when both day fields are restricted either one matching is enough.
func (c Cron) Matches(t time.Time) bool {
	s := c.spec
	if s == nil {
		return false // the zero Cron never fires
	}
	if s.Minute&(1<<t.Minute()) == 0 || s.Hour&(1<<t.Hour()) == 0 || s.Month&(1<<int(t.Month())) == 0 {
		return false
	}
	dom := s.Dom&(1<<t.Day()) != 0
	dow := s.Dow&(1<<int(t.Weekday())) != 0
	if s.Dom&cronStar != 0 || s.Dow&cronStar != 0 {
		return dom && dow
	}
	return dom || dow
}
