package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseCronRejects(t *testing.T) {
	tests := []struct {
		name, expr, want string
	}{
		{"four fields", "0 8 * *", "want 5 fields (minute hour day-of-month month day-of-week), got 4"},
		{"robfig's descriptors are not EC2's", "@daily", "want 5 fields (minute hour day-of-month month day-of-week), got 1"},
		{"minute 60", "60 8 * * *", `minute field "60": 60 is outside [0, 59]`},
		{"hour 24", "0 24 * * *", `hour field "24": 24 is outside [0, 23]`},
		{"day of month 0", "0 8 0 * *", `day of month field "0": 0 is outside [1, 31]`},
		{"month 13", "0 8 * 13 *", `month field "13": 13 is outside [1, 12]`},
		{"day of week 8", "0 8 * * 8", `day of week field "8": 8 is outside [0, 7]`},
		{"unknown weekday", "0 8 * * FUN", `day of week field "FUN": "FUN" is not a number`},
		{"weekday name in the month", "0 8 * MON *", `month field "MON": "MON" is not a number`},
		{"backwards names", "0 8 * * FRI-MON", `day of week field "FRI-MON": range "FRI-MON" runs backwards`},
		{"backwards from Sunday 7", "0 8 * * 7-5", `day of week field "7-5": range "7-5" runs backwards`},
		{"range end out of bounds", "0 8 5-0 * *", `day of month field "5-0": 0 is outside [1, 31]`},
		{"range start out of bounds", "70-5 8 * * *", `minute field "70-5": 70 is outside [0, 59]`},
		{"step zero", "*/0 8 * * *", `minute field "*/0": step "0" is not a positive number`},
		{"negative step", "*/-1 8 * * *", `minute field "*/-1": step "-1" is not a positive number`},
		{"two steps", "*/2/3 8 * * *", `minute field "*/2/3": step "2/3" is not a positive number`},
		{"step zero before a Sunday 7", "0 8 * * 3-7/0", `day of week field "3-7/0": step "0" is not a positive number`},
		{"two hyphens", "1-2-3 8 * * *", `minute field "1-2-3": "2-3" is not a number`},
		{"star as a range end", "1-* 8 * * *", `minute field "1-*": "*" is not a number`},
		// robfig reads these as "*" (or skips them); Unix cron, and so EC2, takes none of them.
		{"? is Quartz's", "0 8 ? * MON", `day of month field "?": "?" is not a number`},
		{"*-n", "*-5 8 * * *", `minute field "*-5": "*" is not a number`},
		{"empty list item", "1,,2 8 * * *", `minute field "1,,2": "" is not a number`},
		{"robfig's time zone prefix", "TZ=UTC 8 * * *", `minute field "TZ=UTC": "TZ=UTC" is not a number`},
		// Quartz's L, W and # are not Unix cron's either.
		{"last day L", "0 8 L * *", `day of month field "L": "L" is not a number`},
		{"weekday W", "0 8 15W * *", `day of month field "15W": "15W" is not a number`},
		{"nth weekday #", "0 8 * * 5#3", `day of week field "5#3": "5#3" is not a number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCron(tt.expr)
			require.Error(t, err, "ParseCron(%q) must refuse it", tt.expr)
			assert.Equal(t, tt.want, err.Error(), "ParseCron(%q) names the field, its text and what is wrong", tt.expr)
		})
	}
}

func TestCronMatches(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err, "the test reads times in Europe/Berlin")
	// 2026-11-30 is a Monday, 2026-11-29 a Sunday.
	tests := []struct {
		expr string
		at   string
		want bool
		why  string
	}{
		{"0 8 * * MON-FRI", "2026-11-30 08:00", true, "Monday is in MON-FRI"},
		{"0 8 * * MON-FRI", "2026-11-28 08:00", false, "Saturday is not in MON-FRI"},
		{"0 8 * * MON-FRI", "2026-11-30 08:01", false, "only minute 0"},
		{"0 8 * * mon-fri", "2026-11-30 08:00", true, "names in any case"},
		{"0 22 * * *", "2026-11-29 22:00", true, "every day at 22:00"},
		{"0 22 * * *", "2026-11-29 21:00", false, "only hour 22"},
		{"*/15 * * * *", "2026-11-29 21:45", true, "45 is a multiple of 15"},
		{"*/15 * * * *", "2026-11-29 21:46", false, "46 is not a multiple of 15"},
		{"0 0 1 * 7", "2026-11-29 00:00", true, "7 is Sunday; with both day fields restricted either one matching is enough"},
		{"0 0 1 * 7", "2026-11-30 00:00", false, "a Monday, day 30: neither day field matches"},
		{"0 0 * * 7", "2026-11-29 00:00", true, "7 alone is Sunday"},
		{"0 0 * * 5-7", "2026-11-29 00:00", true, "5-7 runs to Sunday"},
		{"0 0 * * 5-7", "2026-11-26 00:00", false, "Thursday is not in 5-7"},
		{"0 0 * * 1-7/3", "2026-11-29 00:00", true, "1-7/3 is Monday, Thursday and Sunday"},
		{"0 0 * * 1-7/3", "2026-12-01 00:00", false, "Tuesday is not in 1-7/3"},
		{"0 0 * * 5/2", "2026-11-29 00:00", true, "5/2 runs to the end of the week, 7: Friday and Sunday"},
		{"0 0 * * 5/2", "2026-11-28 00:00", false, "Saturday is not in 5/2"},
		{"0 0 1 JAN *", "2027-01-01 00:00", true, "the first of January"},
		{"0 0 1 JAN *", "2027-02-01 00:00", false, "February is not JAN"},
		{"0 0 15 * *", "2026-11-15 00:00", true, "day 15, any weekday"},
		{"0 0 15 * *", "2026-11-16 00:00", false, "day 16 is not 15"},
		{"0 0 * * MON", "2026-12-01 00:00", false, "a restricted day of week alone decides when the day of month is *"},
		// Readings of robfig's where the hand-written parser differed (see Cron):
		{"10/1 * * * *", "2026-11-29 21:11", true, "a/1 runs from a to the field's end, as a/n does"},
		{"0 8 */1 * MON", "2026-12-01 08:00", false, `a day field "*/1" is unrestricted: Tuesday must also be a Monday`},
	}
	for _, tt := range tests {
		t.Run(tt.expr+" at "+tt.at, func(t *testing.T) {
			c, err := ParseCron(tt.expr)
			require.NoError(t, err, "ParseCron(%q)", tt.expr)
			at, err := time.ParseInLocation("2006-01-02 15:04", tt.at, berlin)
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.Matches(at), "ParseCron(%q).Matches(%s): %s", tt.expr, tt.at, tt.why)
		})
	}
}

// TestMatchesAgreesWithRobfigNext: Matches reads robfig's parsed fields itself (one minute at a
// time, for the simulator and the weekly baseline); over a week it fires exactly where robfig's
// own Schedule.Next does.
func TestMatchesAgreesWithRobfigNext(t *testing.T) {
	start := time.Date(2026, time.November, 30, 0, 0, 0, 0, time.UTC)
	for _, expr := range []string{
		"0 8 * * MON-FRI", "0 22 * * *", "*/15 9-17 * * *", "0 0 1 * 7", "0 0 29 * MON", "30 6 */1 * SUN",
		"0 12 1-7 * *", "5 4 * * 5-7", "0 0 * DEC *",
	} {
		c, err := ParseCron(expr)
		require.NoError(t, err, "ParseCron(%q)", expr)
		fired := 0
		for m := range 7 * 24 * 60 {
			at := start.Add(time.Duration(m) * time.Minute)
			next := c.spec.Next(at.Add(-time.Second))
			if !assert.Equal(t, next.Equal(at), c.Matches(at), "%q at %s: Matches must agree with robfig's Next (%s)", expr, at, next) {
				break
			}
			if c.Matches(at) {
				fired++
			}
		}
		assert.Positive(t, fired, "%q fires at least once in the week, or the comparison proves nothing", expr)
	}
}
